/**
 * `inspect HOST:PORT` and `verify --connect HOST:PORT` (issue 11): the chain a live TLS
 * server presents, fetched without a client certificate, shown SPIFFE-aware or verified
 * with the X509-SVID algorithm. Peers: openssl s_server (with a second SVID behind an
 * SNI name) and svidkit's own SvidServer, both on 127.0.0.1 with ports found at run time.
 * Also: reading files never loads node:tls (the TLS code is imported lazily).
 */
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {SvidServer} from '../../src/core/handshake/server.js'
import {fileNames} from '../../src/core/fs/layout.js'
import {jsonOf, REPO, runCli} from '../helpers/cli.js'
import {hasOpenssl, warnIfMissing} from '../helpers/peers.js'
import {certBlocks} from '../helpers/pem.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {freePort, HOST, startSServer, type Peer} from '../handshake/harness.js'
import {issueTo, makeCa, OTHER_TD, svidFiles, TD, WEB, type CaFixture} from '../verify/fixtures.js'

const DB = `spiffe://${TD}/db`
const dir = suiteTmpDir()
let ca: CaFixture
let other: CaFixture
let web: string
let db: string

interface InspectDoc {
  files: {
    path: string
    kind: string
    certificates: {role: string; spiffeId: string | null; pem: string}[]
    warnings: string[]
  }[]
}

beforeAll(async () => {
  ca = await makeCa(join(dir(), 'ca'), TD)
  other = await makeCa(join(dir(), 'other'), OTHER_TD)
  web = await issueTo(ca, join(dir(), 'web'))
  db = await issueTo(ca, join(dir(), 'db'), {id: DB})
  for (const d of [web, db]) {
    const blocks = certBlocks(readFileSync(svidFiles(d).cert, 'utf8'))
    writeFileSync(join(d, 'leaf.pem'), blocks[0])
    writeFileSync(join(d, 'intermediates.pem'), blocks.slice(1).join(''))
  }
})

describe.skipIf(!hasOpenssl)('against openssl s_server', () => {
  let peer: Peer
  beforeAll(async () => {
    warnIfMissing('openssl', hasOpenssl)
    // web for any name; db when the client sends SNI "db.test".
    peer = await startSServer([
      ...['-cert', join(web, 'leaf.pem'), '-key', svidFiles(web).key, '-cert_chain', join(web, 'intermediates.pem')],
      ...['-servername', 'db.test', '-cert2', join(db, 'leaf.pem'), '-key2', svidFiles(db).key],
    ])
  }, 20_000)
  afterAll(() => {
    peer?.child.kill('SIGKILL')
  })

  it('inspect HOST:PORT shows the presented chain, leaf first, SPIFFE-aware, and says it is not verified', async () => {
    const r = await runCli(['inspect', `${HOST}:${peer.port}`, '--json'])
    expect(r.exit, r.stderr).toBe(0)
    const f = (jsonOf(r.stdout) as InspectDoc).files[0]
    expect({
      path: f.path,
      kind: f.kind,
      roles: f.certificates.map((c) => c.role),
      id: f.certificates[0].spiffeId,
    }).toEqual({
      path: `${HOST}:${peer.port}`,
      kind: 'chain',
      roles: ['leaf', 'intermediate'],
      id: WEB,
    })
    expect(f.warnings.join('\n')).toMatch(/not verified/)
    // --format pem gives exactly the certificates the server was configured with.
    const pem = await runCli(['inspect', `${HOST}:${peer.port}`, '--format', 'pem'])
    expect(certBlocks(pem.stdout)).toEqual(certBlocks(readFileSync(svidFiles(web).cert, 'utf8')))
  })

  it('--servername selects the certificate the server sends for that name', async () => {
    const r = await runCli(['inspect', `${HOST}:${peer.port}`, '--servername', 'db.test', '--json'])
    expect((jsonOf(r.stdout) as InspectDoc).files[0].certificates[0].spiffeId).toBe(DB)
  })

  it('verify --connect: valid with the right bundle and ID; 4 with another ID or another trust domain bundle', async () => {
    const target = `${HOST}:${peer.port}`
    const ok = await runCli([
      'verify',
      '--connect',
      target,
      '--bundle',
      `${TD}=${ca.bundlePem}`,
      '--expect-id',
      WEB,
      '--json',
    ])
    const doc = jsonOf(ok.stdout) as {valid: boolean; spiffeId: string; connection: {target: string}}
    expect({exit: ok.exit, valid: doc.valid, id: doc.spiffeId, target: doc.connection.target}).toEqual({
      exit: 0,
      valid: true,
      id: WEB,
      target,
    })
    const wrongId = await runCli([
      'verify',
      '--connect',
      target,
      '--bundle',
      `${TD}=${ca.bundlePem}`,
      '--expect-id',
      DB,
      '--json',
    ])
    expect({exit: wrongId.exit, code: (jsonOf(wrongId.stdout) as {errors: {code: string}[]}).errors[0].code}).toEqual({
      exit: 4,
      code: 'id-mismatch',
    })
    const lookAlike = await runCli(['verify', '--connect', target, '--bundle', `${TD}=${other.bundlePem}`, '--json'])
    expect({
      exit: lookAlike.exit,
      code: (jsonOf(lookAlike.stdout) as {errors: {code: string}[]}).errors[0].code,
    }).toEqual({exit: 4, code: 'untrusted-chain'})
    // s_server sends the SNI certificate (-cert2) without intermediates: the leaf alone does not reach the root.
    const sni = await runCli([
      'verify',
      '--connect',
      target,
      '--servername',
      'db.test',
      '--bundle',
      `${TD}=${ca.bundlePem}`,
      '--expect-id',
      DB,
      '--json',
    ])
    const sniDoc = jsonOf(sni.stdout) as {spiffeId: string; errors: {code: string; hint: string}[]}
    expect({exit: sni.exit, id: sniDoc.spiffeId, code: sniDoc.errors[0].code}).toEqual({
      exit: 4,
      id: DB,
      code: 'untrusted-chain',
    })
    expect(sniDoc.errors[0].hint).toMatch(/holds only the leaf/)
  })
})

describe('against svidkit SvidServer, and failures', () => {
  let server: SvidServer
  let port: number
  beforeAll(async () => {
    server = new SvidServer({
      host: HOST,
      port: 0,
      dir: web,
      names: fileNames('spiffe-helper'),
      pollMs: 60_000,
      sink: () => undefined,
    })
    port = await server.start()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('inspect and verify --connect read the SVID the server presents (no client certificate needed)', async () => {
    const r = await runCli(['inspect', `${HOST}:${port}`, '--json'])
    expect((jsonOf(r.stdout) as InspectDoc).files[0].certificates.map((c) => c.spiffeId)).toEqual([
      WEB,
      `spiffe://${TD}`,
    ])
    const v = await runCli(['verify', '--connect', `${HOST}:${port}`, '--bundle', `${TD}=${ca.bundlePem}`])
    expect(v.exit, v.stderr).toBe(0)
  })

  it('nothing listening: exit 5 handshake-failed naming the target; bad usage: exit 2', async () => {
    const closed = await freePort()
    const r = await runCli(['inspect', `${HOST}:${closed}`])
    expect(r.exit).toBe(5)
    expect(r.stderr).toMatch(
      new RegExp(
        `^error \\[handshake-failed\\]: cannot fetch the certificate chain of "${HOST}:${closed}": ECONNREFUSED`,
      ),
    )
    expect((await runCli(['verify', '--connect', `${HOST}:${port}`])).exit).toBe(2) // no --bundle
    expect((await runCli(['verify', 'svid.pem', '--connect', `${HOST}:${port}`, '--bundle', ca.bundlePem])).exit).toBe(
      2,
    )
    expect((await runCli(['inspect', svidFiles(web).cert, '--servername', 'x'])).exit).toBe(2)
    expect((await runCli(['inspect', svidFiles(web).cert, '--format', 'pem', '--json'])).exit).toBe(2)
  })
})

describe('lazy TLS', () => {
  it('loading verify and inspect (commands and file cores) does not load node:tls; fetch-chain does', () => {
    const script = `
      await import('reflect-metadata')
      for (const m of ['commands/verify.js', 'commands/inspect.js', 'commands/bundle/convert.js', 'core/verify/verify-files.js', 'core/inspect/inspect.js']) await import('./dist/' + m)
      const before = process.moduleLoadList.includes('NativeModule tls')
      await import('./dist/core/handshake/fetch-chain.js')
      console.log(JSON.stringify({before, after: process.moduleLoadList.includes('NativeModule tls')}))`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: REPO, encoding: 'utf8'})
    expect(JSON.parse(r.stdout || '{}'), r.stderr).toEqual({before: false, after: true})
  })
})
