#!/usr/bin/env node
// npm run bench: svidkit side by side with openssl on this machine. Builds first (see package.json).
// Prints a table and writes bench/results.json. Numbers are measurements, never test assertions.
import 'reflect-metadata'
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {createAuthority, issueSvid, issueToDirectory, initCa, verifySvid, singleBundleSet, chainPem, keyPem} from '../dist/index.js'
import {clientHandshake} from '../dist/core/handshake/client.js'
import {SvidServer} from '../dist/core/handshake/server.js'
import {fileNames} from '../dist/core/svid/layout.js'

const rows = []
const tmp = mkdtempSync(join(tmpdir(), 'svidkit-bench-'))
const have = (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0
const rate = (n, ms) => (n / ms) * 1000

// The svidkit server runs in this process: peers must run without blocking the event loop.
function runAsync(cmd, args) {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'ignore']})
    let out = ''
    c.stdout.on('data', (d) => (out += d))
    c.on('close', () => resolve(out))
  })
}

/** Runs `openssl s_time` for 3 s of new sessions against a port; returns [connections, seconds] or null. */
async function sTime(port) {
  const args = ['s_time', '-connect', `127.0.0.1:${port}`, '-new', '-time', '3', '-cert', join(clientDir, 'svid.pem'), '-key', join(clientDir, 'svid_key.pem')]
  return /(\d+) connections in (\d+) real seconds/.exec(await runAsync('openssl', args))
}

async function timeLoop(n, fn) {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await fn(i)
  return performance.now() - t0
}

function row(what, tool, n, ms, note = '') {
  rows.push({what, tool, n, msEach: +(ms / n).toFixed(3), perSecond: +rate(n, ms).toFixed(1), note})
}

// 1. Issuance: a P-256 leaf signed by an intermediate.
const {authority} = await createAuthority({trustDomain: 'bench.test', intermediates: 1})
await issueSvid(authority, {spiffeId: 'spiffe://bench.test/warm'})
row('issue P-256 leaf (key + cert)', 'svidkit (in-process)', 300, await timeLoop(300, (i) => issueSvid(authority, {spiffeId: `spiffe://bench.test/w${i}`})))
const caDir = join(tmp, 'ca')
await initCa({trustDomain: 'bench.test', out: caDir, intermediates: 1})
// openssl s_time sends only the leaf of -cert: handshake benches use a CA without intermediates.
const flatCa = join(tmp, 'flat-ca')
await initCa({trustDomain: 'bench.test', out: flatCa, intermediates: 0})
if (have('openssl')) {
  const ext = join(tmp, 'leaf.ext')
  writeFileSync(
    ext,
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=URI:spiffe://bench.test/web\n',
  )
  const n = 40
  const ms = await timeLoop(n, () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/O=bench',
        '-keyout',
        join(tmp, 'k.pem'),
        '-out',
        join(tmp, 'r.csr'),
      ],
      {stdio: 'ignore'},
    )
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        join(tmp, 'r.csr'),
        '-CA',
        join(caDir, 'intermediate-1.pem'),
        '-CAkey',
        join(caDir, 'intermediate-1-key.pem'),
        '-set_serial',
        '1',
        '-days',
        '1',
        '-extfile',
        ext,
        '-out',
        join(tmp, 'c.pem'),
      ],
      {stdio: 'ignore'},
    )
  })
  row('issue P-256 leaf (key + cert)', 'openssl req + x509 (2 processes)', n, ms, 'includes process start')
}

// 2. Verification of a 2-certificate chain against the root.
const issued = await issueSvid(authority, {spiffeId: 'spiffe://bench.test/web'})
const bundles = singleBundleSet('bench.test', issued.bundle)
row(
  'verify SVID (all §3 steps)',
  'svidkit (in-process)',
  2000,
  await timeLoop(2000, () => verifySvid({chain: issued.svid.certificates, bundles, at: new Date()})),
)
if (have('openssl')) {
  writeFileSync(join(tmp, 'chain.pem'), chainPem(issued.svid.certificates))
  writeFileSync(join(tmp, 'leaf.pem'), issued.svid.certificates[0].node.toString())
  writeFileSync(join(tmp, 'root.pem'), issued.bundle[0].node.toString())
  const n = 60
  row(
    'verify SVID chain',
    'openssl verify (process)',
    n,
    await timeLoop(n, () =>
      execFileSync('openssl', ['verify', '-CAfile', join(tmp, 'root.pem'), '-untrusted', join(tmp, 'chain.pem'), join(tmp, 'leaf.pem')], {stdio: 'ignore'}),
    ),
    'includes process start',
  )
}

// 3. mTLS handshakes against svidkit's server (P-256, TLS 1.3), sequential.
const serverDir = join(tmp, 'server')
const clientDir = join(tmp, 'client')
await issueToDirectory({spiffeId: 'spiffe://bench.test/server', ca: flatCa, out: serverDir})
await issueToDirectory({spiffeId: 'spiffe://bench.test/client', ca: flatCa, out: clientDir})
const server = new SvidServer({host: '127.0.0.1', port: 0, dir: serverDir, names: fileNames('spiffe-helper'), sink: () => undefined, pollMs: 0})
const port = await server.start()
const creds = {key: readFileSync(join(clientDir, 'svid_key.pem')), cert: readFileSync(join(clientDir, 'svid.pem'))}
const {parsePemBundle} = await import('../dist/core/bundle/index.js')
const clientBundles = singleBundleSet('bench.test', parsePemBundle(readFileSync(join(flatCa, 'bundle.pem')), 'bundle').authorities)
await clientHandshake({host: '127.0.0.1', port, credentials: creds, bundles: clientBundles})
row(
  'mTLS handshake + round trip, both ends verifying SVIDs',
  'svidkit client → svidkit server',
  300,
  await timeLoop(300, () => clientHandshake({host: '127.0.0.1', port, credentials: creds, bundles: clientBundles})),
  'one process',
)
if (have('openssl')) {
  const m = await sTime(port)
  if (m)
    row(
      'TLS handshake (new session each)',
      'openssl s_time → svidkit server',
      Number(m[1]),
      Number(m[2]) * 1000,
      'svidkit verifies each client SVID; wall clock',
    )
}
await server.stop()
if (have('openssl')) {
  const p = 20000 + Math.floor(Math.random() * 20000)
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
  await new Promise((r) => setTimeout(r, 400))
  const m = await sTime(p)
  if (m) row('TLS handshake (new session each)', 'openssl s_time → openssl s_server', Number(m[1]), Number(m[2]) * 1000, 'OpenSSL chain check only; wall clock')
  s.kill()
}

rmSync(tmp, {recursive: true, force: true})
const w = Math.max(...rows.map((r) => r.what.length))
const tw = Math.max(...rows.map((r) => r.tool.length))
console.log(`${'what'.padEnd(w)}  ${'tool'.padEnd(tw)}  ${'ms each'.padStart(9)}  ${'per s'.padStart(9)}  note`)
for (const r of rows) console.log(`${r.what.padEnd(w)}  ${r.tool.padEnd(tw)}  ${String(r.msEach).padStart(9)}  ${String(r.perSecond).padStart(9)}  ${r.note}`)
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({node: process.version, date: new Date().toISOString(), rows}, null, 2) + '\n')
