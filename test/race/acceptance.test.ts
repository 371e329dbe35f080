/**
 * Issue 18 against real servers: acceptance is proven by the probe's reply (nginx finishes the
 * TLS handshake with clients it does not trust and answers 400), the baseline before rotation 1
 * (exit 3, nothing rotated), --ca must have issued --dir, --server-cmd on a busy port, and how
 * the race leaves --dir. Servers run on 127.0.0.1, started and stopped by the tests.
 */
import {afterAll, describe, expect, it} from 'vitest'
import {spawn} from 'node:child_process'
import {copyFileSync, existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {initCa, issueToDirectory} from '../../src/index.js'
import {setProblem} from '../../src/core/race/leave-dir.js'
import {fileNames} from '../../src/core/fs/layout.js'
import {hasTool} from '../helpers/peers.js'
import {tmpDir} from '../helpers/tmp.js'
import {REPO, jsonOf, runCli} from '../helpers/cli.js'
import {HOST, ensureDist, freePort, killPeers, startSServer, waitFor, warnMissing} from '../handshake/harness.js'
import {SERVER_ID, TD, nginxCommand, nodeServerArgs, race, sServerCommand, trustDomain} from './setup.js'

const hasNginx = hasTool('nginx')
const hasOpenssl = hasTool('openssl')
warnMissing('nginx', hasNginx, 'nginx-light')

const FAST = ['--rotations', '1', '--interval', '300ms', '--concurrency', '2', '--settle', '1500ms', '--json']
const targetArgs = (port: number, svid: string, ca: string) => [
  '--target',
  `${HOST}:${port}`,
  '--dir',
  svid,
  '--ca',
  ca,
]
const bytes = (dir: string) =>
  ['svid.pem', 'svid_key.pem', 'svid_bundle.pem'].map((f) => readFileSync(join(dir, f)).toString('base64'))

afterAll(() => killPeers())

describe.skipIf(!hasNginx)('nginx with ssl_verify_client on: a 400 reply is a rejection', () => {
  it('root rollover with an ssl_client_certificate copy nobody rewrites fails (trust-not-reloaded, rejected-by-server-reply)', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const staleCopy = join(base, 'client-ca.pem')
    copyFileSync(join(svid, 'svid_bundle.pem'), staleCopy)
    const port = await freePort()
    const {cmd, pidFile} = nginxCommand(base, svid, port, {clientCa: staleCopy})
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--server-cmd',
      cmd,
      '--kind',
      'root',
      '--ca-overlap',
      'drop-old',
      '--reload',
      'signal:HUP',
      '--pid-file',
      pidFile,
      '--mode',
      'spiffe-helper',
      ...FAST,
    ])
    expect({status: r.status, ok: r.doc?.ok, first: r.doc?.causes?.[0]}).toEqual({
      status: 5,
      ok: false,
      first: 'trust-not-reloaded',
    })
    expect(r.doc?.failuresByCause?.['rejected-by-server-reply']).toBeGreaterThan(0)
    // nginx served the new leaf: only its client trust is stale.
    expect(r.doc?.finalSerialServed).toBe(true)
    expect(r.doc?.summary).toMatch(/^the server refuses clients whose SVIDs come from the new root since rotation 2 /)
  }, 60_000)

  it('handshake exits 5 with rejected-by-server-reply for an untrusted client and for no client SVID', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const {cmd} = nginxCommand(base, svid, port)
    const other = join(base, 'other-ca')
    await initCa({trustDomain: TD, out: other})
    await issueToDirectory({spiffeId: `spiffe://${TD}/client`, ca: other, out: join(base, 'stranger')})
    await issueToDirectory({spiffeId: `spiffe://${TD}/client`, ca, out: join(base, 'friend')})
    const [bin, ...args] = cmd.split(' ')
    const child = spawn(bin, args, {stdio: 'ignore'})
    try {
      const bundle = join(svid, 'svid_bundle.pem')
      let ok = await runCli(['handshake', `${HOST}:${port}`, '--dir', join(base, 'friend'), '--json'])
      for (let i = 0; i < 50 && ok.exit !== 0; i++) {
        await new Promise((res) => setTimeout(res, 100))
        ok = await runCli(['handshake', `${HOST}:${port}`, '--dir', join(base, 'friend'), '--json'])
      }
      expect(ok.exit).toBe(0)
      const stranger = await runCli([
        'handshake',
        `${HOST}:${port}`,
        '--svid',
        join(base, 'stranger', 'svid.pem'),
        '--key',
        join(base, 'stranger', 'svid_key.pem'),
        '--bundle',
        bundle,
        '--json',
      ])
      const none = await runCli(['handshake', `${HOST}:${port}`, '--bundle', bundle, '--json'])
      for (const [res, page] of [
        [stranger, /495/],
        [none, /496/],
      ] as const) {
        const doc = jsonOf(res.stdout) as {ok: boolean; errors: {code: string; message: string; side: string}[]}
        expect({exit: res.exit, ok: doc.ok, code: doc.errors[0]?.code, side: doc.errors[0]?.side}).toEqual({
          exit: 5,
          ok: false,
          code: 'rejected-by-server-reply',
          side: 'peer',
        })
        expect(doc.errors[0].message).toMatch(page)
      }
    } finally {
      child.kill('SIGTERM')
    }
  }, 40_000)
})

describe.skipIf(!hasOpenssl)('baseline before rotation 1: exit 3 baseline-failed, nothing rotated', () => {
  const cases: {
    name: string
    server: (svid: string, port: number, base: string) => Promise<string>
    message: RegExp
  }[] = [
    {
      name: 's_server without -cert_chain sends only its leaf',
      server: async (svid, port) => sServerCommand(port, svid, {leafOnly: true}),
      message: /sends only its leaf, without the intermediates of its chain/,
    },
    {
      name: 'a server reading another directory',
      server: async (_svid, port, base) => {
        await issueToDirectory({spiffeId: SERVER_ID, ca: join(base, 'ca'), out: join(base, 'elsewhere')})
        return sServerCommand(port, join(base, 'elsewhere'))
      },
      message: /presents serial .*, the SVID in ".*" is serial .*: the server does not read this directory/,
    },
    {
      name: "a server whose trust bundle lacks --ca's root",
      server: async (svid, port, base) => {
        await initCa({trustDomain: TD, out: join(base, 'other-ca')})
        return sServerCommand(port, svid, {caFile: join(base, 'other-ca', 'bundle.pem')})
      },
      message: /refuses our client SVID from --ca: .*its trust bundle does not hold --ca's root/,
    },
  ]
  for (const c of cases) {
    it(
      c.name,
      async () => {
        const base = tmpDir()
        const {ca, svid} = await trustDomain(base)
        const before = bytes(svid)
        const port = await freePort()
        const r = await race([...targetArgs(port, svid, ca), '--server-cmd', await c.server(svid, port, base), ...FAST])
        expect({status: r.status, code: r.doc?.error?.code}).toEqual({status: 3, code: 'baseline-failed'})
        expect(r.doc?.error?.message).toMatch(c.message)
        expect(bytes(svid)).toEqual(before)
      },
      30_000,
    )
  }

  it('--ca of another CA of the same trust domain: exit 3 ca-mismatch before any write', async () => {
    const base = tmpDir()
    const {svid} = await trustDomain(base)
    const other = join(base, 'other-ca')
    await initCa({trustDomain: TD, out: other})
    const before = bytes(svid)
    const port = await freePort()
    const r = await race([...targetArgs(port, svid, other), '--server-cmd', sServerCommand(port, svid), ...FAST])
    expect({status: r.status, code: r.doc?.error?.code}).toEqual({status: 3, code: 'ca-mismatch'})
    expect(r.doc?.error?.message).toMatch(/was not issued by the CA/)
    expect(bytes(svid)).toEqual(before)
  }, 30_000)

  it('--server-cmd on a port another process listens on: exit 3 address-in-use, the command never starts', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const squatter = await startSServer([
      '-cert',
      join(svid, 'svid.pem'),
      '-cert_chain',
      join(svid, 'svid.pem'),
      '-key',
      join(svid, 'svid_key.pem'),
    ])
    const marker = join(base, 'started')
    const r = await race([...targetArgs(squatter.port, svid, ca), '--server-cmd', `touch ${marker}`, ...FAST])
    expect({status: r.status, code: r.doc?.error?.code}).toEqual({status: 3, code: 'address-in-use'})
    expect(r.doc?.error?.message).toBe(
      `another process listens on ${HOST}:${squatter.port} before --server-cmd started`,
    )
    expect(existsSync(marker)).toBe(false)
    squatter.child.kill('SIGTERM')
  }, 30_000)

  it('a never-reloading server in a root rollover: the first line says it reloaded nothing', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--server-cmd',
      sServerCommand(port, svid),
      '--kind',
      'root',
      '--ca-overlap',
      'drop-old',
      ...FAST,
    ])
    expect({status: r.status, first: r.doc?.causes?.[0]}).toEqual({status: 5, first: 'nothing-reloaded'})
    expect(r.doc?.summary).toMatch(/^the server reloaded nothing: it still presents serial /)
  }, 40_000)
})

describe('--repeat N: one combined verdict over fresh rounds', () => {
  it('a server that passes every round: "passed 2 of 2 rounds"; one that never reloads: "failed in 2 of 2 rounds"', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const good = await race([
      ...targetArgs(port, svid, ca),
      ...nodeServerArgs(base, svid, port),
      '--repeat',
      '2',
      ...FAST,
    ])
    expect({status: good.status, ok: good.doc?.ok, rounds: (good.doc as {rounds?: unknown[]})?.rounds?.length}).toEqual(
      {status: 0, ok: true, rounds: 2},
    )
    expect(good.doc?.summary).toMatch(
      /^passed 2 of 2 rounds \(\d+ handshakes inside the writer's inconsistent windows in all\)/,
    )
    const bad = await race([
      ...targetArgs(port, svid, ca),
      '--server-cmd',
      sServerCommand(port, svid),
      '--repeat',
      '2',
      ...FAST,
    ])
    expect({status: bad.status, failedRounds: (bad.doc as {failedRounds?: number})?.failedRounds}).toEqual({
      status: 5,
      failedRounds: 2,
    })
    expect(bad.doc?.summary).toMatch(/^failed in 2 of 2 rounds; round 1: the server never served rotation 1/)
  }, 90_000)
})

describe('--window-handshakes N: evidence inside every window the writer opens', () => {
  /** A Node server reloading on fs.watch of its directory, installing whatever it reads (a torn bundle trusts nobody). */
  function watchServer(base: string): string {
    const file = join(base, 'watch-server.mjs')
    writeFileSync(
      file,
      `import {createServer} from 'node:tls'
import {readFileSync, watch} from 'node:fs'
const [dir, port] = process.argv.slice(2)
const read = () => ({key: readFileSync(dir + '/svid_key.pem'), cert: readFileSync(dir + '/svid.pem'), ca: readFileSync(dir + '/svid_bundle.pem')})
const server = createServer({...read(), requestCert: true, rejectUnauthorized: true}, (s) => {
  s.once('data', () => s.end('HTTP/1.0 200 OK\\r\\n\\r\\nok\\n'))
  s.on('error', () => undefined)
})
server.on('tlsClientError', () => undefined)
watch(dir, () => {
  try {
    server.setSecureContext(read())
  } catch {}
})
server.listen(Number(port), '${HOST}')
`,
    )
    return file
  }

  it('a correct server: PASS, and the PASS line counts the handshakes inside the held windows', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const r = await race([
      ...targetArgs(port, svid, ca),
      ...nodeServerArgs(base, svid, port),
      '--mode',
      'spiffe-helper',
      '--window-handshakes',
      '3',
      ...FAST,
    ])
    expect({status: r.status, ok: r.doc?.ok}).toEqual({status: 0, ok: true})
    expect(r.doc?.handshakesInWindows).toBeGreaterThanOrEqual(3)
    expect(r.doc?.summary).toMatch(/; \d+ handshakes ran inside the writer's \d+ inconsistent window\(s\)$/)
  }, 40_000)

  it('a server reloading on fs.watch that installs a truncated bundle fails in every round', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const watching = ['--server-cmd', `node ${watchServer(base)} ${svid} ${port}`, '--mode', 'spiffe-helper']
    const r = await race([
      ...targetArgs(port, svid, ca),
      ...watching,
      '--window-handshakes',
      '3',
      '--repeat',
      '2',
      ...FAST,
    ])
    expect({status: r.status, failedRounds: (r.doc as {failedRounds?: number})?.failedRounds}).toEqual({
      status: 5,
      failedRounds: 2,
    })
  }, 60_000)
})

describe('leaving --dir', () => {
  it('--restore puts the original bytes back', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const before = bytes(svid)
    const port = await freePort()
    const r = await race([...targetArgs(port, svid, ca), ...nodeServerArgs(base, svid, port), '--restore', ...FAST])
    expect({status: r.status, left: r.doc?.directory?.left}).toEqual({status: 0, left: 'restored'})
    expect(bytes(svid)).toEqual(before)
  }, 40_000)

  it('an interrupt while the writer holds a truncated file leaves a complete, valid set from --ca', async () => {
    await ensureDist()
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const args = [
      ...targetArgs(port, svid, ca),
      ...nodeServerArgs(base, svid, port),
      '--mode',
      'spiffe-helper',
      '--truncate-hold',
      '20s',
      ...FAST,
    ]
    const child = spawn(process.execPath, [join(REPO, 'bin', 'run.js'), 'race', ...args], {stdio: 'ignore'})
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      await waitFor(
        () => existsSync(join(svid, 'svid.pem')) && statSync(join(svid, 'svid.pem')).size === 0,
        30_000,
        'the writer to truncate svid.pem',
      )
      child.kill('SIGINT')
      expect(await exited).toBe(130)
    } finally {
      child.kill('SIGKILL')
    }
    expect(setProblem(svid, fileNames('spiffe-helper'), ca, new Date())).toBeUndefined()
  }, 60_000)
})
