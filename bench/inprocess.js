// In-process figures, each beside its reference measured in the same run: P-256 issuance vs
// Node's raw keygen + sign + PKCS#8 export, and mTLS handshakes (svidkit client and server,
// both verifying SVIDs) vs `openssl s_time` against `openssl s_server`.
import {generateKeyPairSync, sign} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {
  createAuthority,
  issueSvid,
  issueToDirectory,
  verifySvid,
  singleBundleSet,
  parsePemBundle,
} from '../dist/index.js'
import {clientHandshake} from '../dist/core/handshake/client.js'
import {SvidServer} from '../dist/core/handshake/server.js'
import {fileNames} from '../dist/core/fs/layout.js'
import {startSServer, sTime} from './s-server.js'

async function perSecond(n, fn) {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await fn(i)
  return (n / (performance.now() - t0)) * 1000
}

/**
 * Node's own floor for one P-256 SVID: a key pair, one ECDSA signature over a message the
 * size of a leaf's tbsCertificate, and the key's PKCS#8 DER export.
 */
const TBS = Buffer.alloc(400, 7)
function rawP256() {
  const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  sign('sha256', TBS, privateKey)
  privateKey.export({format: 'der', type: 'pkcs8'})
}

/**
 * The one in-process issuance figure (issue 10: svidkit's issueSvid at >= 0.70x of Node's
 * raw keygen + sign + PKCS#8 export). Both sides warm up alike (first calls load code and
 * JIT-compile it: excluded), then run interleaved in rounds whose order rotates, so a change
 * in machine load or a garbage collection hits both; rates are over all rounds.
 */
export async function issuance(quick) {
  const {rounds, perRound, warm} = quick
    ? {rounds: 6, perRound: 100, warm: 100}
    : {rounds: 20, perRound: 250, warm: 500}
  const {authority} = await createAuthority({trustDomain: 'bench.test', intermediates: 1})
  const lib = (i) => issueSvid(authority, {spiffeId: `spiffe://bench.test/w${i}`})
  for (let i = 0; i < warm; i++) {
    await lib(i)
    rawP256()
  }
  const ms = {raw: 0, lib: 0}
  const phases = {
    raw: async () => {
      for (let i = 0; i < perRound; i++) rawP256()
    },
    lib: async () => {
      for (let i = 0; i < perRound; i++) await lib(i)
    },
  }
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? ['lib', 'raw'] : ['raw', 'lib']) {
      const t0 = performance.now()
      await phases[name]()
      ms[name] += performance.now() - t0
    }
  }
  const n = rounds * perRound
  const rate = (t) => (n / t) * 1000
  const issued = await issueSvid(authority, {spiffeId: 'spiffe://bench.test/web'})
  const bundles = singleBundleSet('bench.test', issued.bundle)
  const verify = await perSecond(quick ? 200 : 1000, () =>
    verifySvid({chain: issued.svid.certificates, bundles, at: new Date()}),
  )
  return {
    n,
    warmUp: warm,
    rawPerSecond: rate(ms.raw),
    svidkitPerSecond: rate(ms.lib),
    ratio: ms.raw / ms.lib,
    verifyPerSecond: verify,
  }
}

export async function handshakes({tmp, flatCa, quick, haveOpenssl}) {
  const serverDir = join(tmp, 'hs-server')
  const clientDir = join(tmp, 'hs-client')
  await issueToDirectory({spiffeId: 'spiffe://bench.test/server', ca: flatCa, out: serverDir})
  await issueToDirectory({spiffeId: 'spiffe://bench.test/client', ca: flatCa, out: clientDir})
  const server = new SvidServer({
    host: '127.0.0.1',
    port: 0,
    dir: serverDir,
    names: fileNames('spiffe-helper'),
    sink: () => undefined,
    pollMs: 0,
  })
  const port = await server.start()
  const credentials = {
    key: readFileSync(join(clientDir, 'svid_key.pem')),
    cert: readFileSync(join(clientDir, 'svid.pem')),
  }
  const bundles = singleBundleSet(
    'bench.test',
    parsePemBundle(readFileSync(join(flatCa, 'bundle.pem')), 'bundle').authorities,
  )
  const hs = () => clientHandshake({host: '127.0.0.1', port, credentials, bundles})
  await hs()
  const n = quick ? 60 : 400
  const out = {n, svidkitPair: await perSecond(n, hs), sTimeToSvidkit: null, opensslPair: null}
  const seconds = quick ? 1 : 3
  if (haveOpenssl) out.sTimeToSvidkit = await sTime(port, clientDir, seconds)
  await server.stop()
  if (haveOpenssl) {
    const s = await startSServer({dir: serverDir, verifyDepth: 2})
    try {
      out.opensslPair = await sTime(s.port, clientDir, seconds)
    } finally {
      s.stop()
    }
  }
  out.ratio = out.opensslPair ? out.svidkitPair / out.opensslPair : null
  return out
}
