// In-process figures, each beside its reference measured in the same run: P-256 issuance vs
// Node's raw keygen + sign + PKCS#8 export, and mTLS handshakes (svidkit client and server,
// both verifying SVIDs) vs `openssl s_time` against `openssl s_server`.
import {generateKeyPairSync, randomBytes, sign} from 'node:crypto'
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {createAuthority, issueSvid, issueToDirectory, verifySvid, singleBundleSet, parsePemBundle} from '../dist/index.js'
import {clientHandshake} from '../dist/core/handshake/client.js'
import {SvidServer} from '../dist/core/handshake/server.js'
import {fileNames} from '../dist/core/svid/layout.js'

async function perSecond(n, fn) {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await fn(i)
  return (n / (performance.now() - t0)) * 1000
}

/** Node's own floor for one P-256 SVID: a key pair, one ECDSA signature over a TBS-sized message, PKCS#8 PEM. */
function rawP256() {
  const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  sign('sha256', randomBytes(400), privateKey)
  privateKey.export({type: 'pkcs8', format: 'pem'})
}

export async function issuance(quick) {
  const n = quick ? 100 : 1000
  const {authority} = await createAuthority({trustDomain: 'bench.test', intermediates: 1})
  await issueSvid(authority, {spiffeId: 'spiffe://bench.test/warm'})
  for (let i = 0; i < 20; i++) rawP256()
  // Alternate the two so a change in machine load hits both.
  const raw = []
  const svidkit = []
  for (let half = 0; half < 2; half++) {
    raw.push(await perSecond(n / 2, rawP256))
    svidkit.push(await perSecond(n / 2, (i) => issueSvid(authority, {spiffeId: `spiffe://bench.test/w${i}`})))
  }
  const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
  const issued = await issueSvid(authority, {spiffeId: 'spiffe://bench.test/web'})
  const bundles = singleBundleSet('bench.test', issued.bundle)
  const verify = await perSecond(n, () => verifySvid({chain: issued.svid.certificates, bundles, at: new Date()}))
  return {n, rawPerSecond: avg(raw), svidkitPerSecond: avg(svidkit), ratio: avg(svidkit) / avg(raw), verifyPerSecond: verify}
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** `openssl s_time` new sessions for `seconds` against a port: handshakes per second, or null. */
function sTime(port, clientDir, seconds) {
  const args = [
    's_time',
    '-connect',
    `127.0.0.1:${port}`,
    '-new',
    '-time',
    String(seconds),
    '-cert',
    join(clientDir, 'svid.pem'),
    '-key',
    join(clientDir, 'svid_key.pem'),
  ]
  return new Promise((resolve) => {
    const c = spawn('openssl', args, {stdio: ['ignore', 'pipe', 'ignore']})
    let out = ''
    c.stdout.on('data', (d) => (out += d))
    c.on('close', () => {
      const m = /(\d+) connections in (\d+) real seconds/.exec(out)
      resolve(m ? Number(m[1]) / Number(m[2]) : null)
    })
  })
}

export async function handshakes({tmp, flatCa, quick, haveOpenssl}) {
  const serverDir = join(tmp, 'hs-server')
  const clientDir = join(tmp, 'hs-client')
  await issueToDirectory({spiffeId: 'spiffe://bench.test/server', ca: flatCa, out: serverDir})
  await issueToDirectory({spiffeId: 'spiffe://bench.test/client', ca: flatCa, out: clientDir})
  const server = new SvidServer({host: '127.0.0.1', port: 0, dir: serverDir, names: fileNames('spiffe-helper'), sink: () => undefined, pollMs: 0})
  const port = await server.start()
  const credentials = {key: readFileSync(join(clientDir, 'svid_key.pem')), cert: readFileSync(join(clientDir, 'svid.pem'))}
  const bundles = singleBundleSet('bench.test', parsePemBundle(readFileSync(join(flatCa, 'bundle.pem')), 'bundle').authorities)
  const hs = () => clientHandshake({host: '127.0.0.1', port, credentials, bundles})
  await hs()
  const n = quick ? 60 : 400
  const out = {n, svidkitPair: await perSecond(n, hs), sTimeToSvidkit: null, opensslPair: null}
  const seconds = quick ? 1 : 3
  if (haveOpenssl) out.sTimeToSvidkit = await sTime(port, clientDir, seconds)
  await server.stop()
  if (haveOpenssl) {
    const p = await freePort()
    const s = spawn(
      'openssl',
      [
        's_server',
        '-accept',
        `127.0.0.1:${p}`,
        '-cert',
        join(serverDir, 'svid.pem'),
        '-key',
        join(serverDir, 'svid_key.pem'),
        '-CAfile',
        join(serverDir, 'svid_bundle.pem'),
        '-Verify',
        '2',
        '-www',
        '-quiet',
      ],
      {stdio: 'ignore'},
    )
    try {
      await new Promise((r) => setTimeout(r, 400))
      out.opensslPair = await sTime(p, clientDir, seconds)
    } finally {
      s.kill()
    }
  }
  out.ratio = out.opensslPair ? out.svidkitPair / out.opensslPair : null
  return out
}
