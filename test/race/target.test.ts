/**
 * `race --target` against real servers started by the tests (127.0.0.1, ports found at run
 * time): nginx reloaded by SIGHUP through its pid file, stunnel (SIGHUP), openssl s_server
 * (never reloads), Node servers with a correct and a CA-forgetting setSecureContext reload,
 * and the --server-cmd lifecycle. Verdicts, causes and convergence facts only, no timings.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {join} from 'node:path'
import {hasTool} from '../helpers/peers.js'
import {tmpDir} from '../helpers/tmp.js'
import {STACK_LINE, jsonOf, runCli} from '../helpers/cli.js'
import {existsSync} from 'node:fs'
import {TIMELINE_COLORS} from '../../src/core/race/timeline.js'
import {HOST, freePort, killPeers, runAsync, warnMissing} from '../handshake/harness.js'
import {countColor, readPng} from './png.js'
import {alive, nginxCommand, nodeServerScript, race, startBackend, stunnelCommand, trustDomain} from './setup.js'

const hasNginx = hasTool('nginx')
const hasStunnel = hasTool('stunnel4')
const hasOpenssl = hasTool('openssl')
const hasChromium = hasTool('chromium')
warnMissing('chromium', hasChromium, 'chromium')
warnMissing('nginx', hasNginx, 'nginx-light')
warnMissing('stunnel4', hasStunnel, 'stunnel4')

// Few rotations, short intervals: each run is a few seconds.
const FAST = ['--rotations', '2', '--interval', '300ms', '--concurrency', '2', '--json']
const SETTLE_SHORT = ['--settle', '1500ms']
/** The flags naming the server under test and the directory and CA it is rotated from. */
const targetArgs = (port: number, svid: string, ca: string) => [
  '--target',
  `${HOST}:${port}`,
  '--dir',
  svid,
  '--ca',
  ca,
]

afterAll(() => killPeers())

describe.skipIf(!hasNginx)('nginx (ssl_verify_client on), spiffe-helper writes', () => {
  it('--reload signal:HUP --pid-file: passes with 0 failures, every rotation served', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const {cmd, pidFile} = nginxCommand(base, svid, port)
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--mode',
      'spiffe-helper',
      '--server-cmd',
      cmd,
      '--reload',
      'signal:HUP',
      '--pid-file',
      pidFile,
      ...FAST,
    ])
    expect({status: r.status, ok: r.doc?.ok, failures: r.doc?.failures, causes: r.doc?.causes}).toEqual({
      status: 0,
      ok: true,
      failures: 0,
      causes: [],
    })
    expect(r.doc?.perRotation?.map((row) => row.converged)).toEqual([true, true])
    expect(r.doc?.finalSerialServed).toBe(true)
    expect(r.doc?.reload).toMatchObject({trigger: 'signal:HUP', fired: 2, failed: 0})
    expect(alive(r.doc?.target?.pid as number)).toBe(false)
  }, 40_000)

  it('without a reload trigger: exit 5, finalSerialServed false, unconverged', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const {cmd} = nginxCommand(base, svid, port)
    const r = await race([
      '--target',
      `${HOST}:${port}`,
      '--dir',
      svid,
      '--ca',
      ca,
      '--mode',
      'spiffe-helper',
      '--server-cmd',
      cmd,
      ...SETTLE_SHORT,
      ...FAST,
    ])
    expect(r.status).toBe(5)
    expect({ok: r.doc?.ok, finalSerialServed: r.doc?.finalSerialServed, unconverged: r.doc?.unconverged}).toEqual({
      ok: false,
      finalSerialServed: false,
      unconverged: 2,
    })
    expect(r.doc?.causes).toContain('unconverged')
    expect(r.doc?.summary).toMatch(/^the server never served rotation 1: it still presents serial /)
    expect(STACK_LINE.test(r.stdout + r.stderr)).toBe(false)
  }, 40_000)
})

describe.skipIf(!hasNginx)('--reload exec:CMD', () => {
  it('"nginx -s reload" as the trigger passes; its exit status is reported', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const {cmd} = nginxCommand(base, svid, port)
    const reload = `exec:${cmd.replace(' -e stderr', '')} -s reload`
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--mode',
      'atomic-rename',
      '--server-cmd',
      cmd,
      '--reload',
      reload,
      ...FAST,
    ])
    expect({status: r.status, ok: r.doc?.ok, failures: r.doc?.failures}).toEqual({status: 0, ok: true, failures: 0})
    expect(r.doc?.reload?.results?.map((x) => x.status)).toEqual([0, 0])
  }, 40_000)

  it('a failing command: exit 5, reload-failed, with its status and stderr on the first line', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const {cmd} = nginxCommand(base, svid, port)
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--server-cmd',
      cmd,
      '--reload',
      'exec:echo "cannot reach the admin socket" >&2; exit 4',
      ...SETTLE_SHORT,
      ...FAST,
    ])
    expect({status: r.status, first: r.doc?.causes?.[0]}).toEqual({status: 5, first: 'reload-failed'})
    expect(r.doc?.reload?.results?.[0]).toMatchObject({
      rotation: 1,
      ok: false,
      status: 4,
      stderr: 'cannot reach the admin socket',
    })
    expect(r.doc?.summary).toBe(
      'the reload trigger failed at rotation 1: "echo "cannot reach the admin socket" >&2; exit 4" exited 4: cannot reach the admin socket',
    )
  }, 40_000)
})

describe.skipIf(!hasOpenssl)('openssl s_server (never reloads)', () => {
  it('fails with exit 5, unconverged, and says so on the first line', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const cmd = `openssl s_server -accept ${HOST}:${port} -cert ${svid}/svid.pem -cert_chain ${svid}/svid.pem -key ${svid}/svid_key.pem -CAfile ${svid}/svid_bundle.pem -Verify 3 -www -quiet`
    const r = await race([
      '--target',
      `${HOST}:${port}`,
      '--dir',
      svid,
      '--ca',
      ca,
      '--server-cmd',
      cmd,
      ...SETTLE_SHORT,
      ...FAST,
    ])
    expect({status: r.status, causes: r.doc?.causes, finalSerialServed: r.doc?.finalSerialServed}).toEqual({
      status: 5,
      causes: ['unconverged', 'final-not-served'],
      finalSerialServed: false,
    })
    expect(r.doc?.summary).toMatch(
      /^the server never served rotation 1: it still presents serial [0-9a-f]{8}… .* after the files changed; the atomic-rename writer replaces files by rename/,
    )
    expect(r.doc?.perRotation?.every((row) => row.firstNewMs === undefined && row.observations > 0)).toBe(true)
  }, 40_000)
})

describe.skipIf(!hasStunnel)('stunnel4 (reloads on SIGHUP)', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>
  beforeAll(async () => {
    backend = await startBackend()
  })
  afterAll(() => backend.server.close())

  for (const [name, reload, pass] of [
    // stunnel re-opens its listener and drops the connection it is handshaking while it reloads
    // (ECONNREFUSED / ERR_TLS_PEER_CLOSED on 0-5 of ~100 handshakes here): a real finding the race
    // reports; the correct setup allows a few.
    ['correct: --reload signal:HUP passes', ['--reload', 'signal:HUP', '--max-failures', '10'], true],
    ['wrong: no trigger is caught (unconverged)', [], false],
  ] as const) {
    it(
      name,
      async () => {
        const base = tmpDir()
        const {ca, svid} = await trustDomain(base)
        const port = await freePort()
        const cmd = stunnelCommand(base, svid, port, backend.port)
        const r = await race([
          ...targetArgs(port, svid, ca),
          '--mode',
          'atomic-rename',
          '--server-cmd',
          cmd,
          ...reload,
          ...SETTLE_SHORT,
          ...FAST,
        ])
        if (pass) {
          expect({status: r.status, ok: r.doc?.ok, finalSerialServed: r.doc?.finalSerialServed}).toEqual({
            status: 0,
            ok: true,
            finalSerialServed: true,
          })
          // Whatever failed was the server closing on us or refusing the connection during its reload,
          // never a certificate either side rejected. (A refused connection counts on our side, 'local',
          // as nothing was sent: the side alone does not tell a rejected certificate, the cause does.)
          // Those drops during a reload are counted as dropped-during-reload (issue 18), never as a rejection.
          expect(
            Object.keys(r.doc?.failuresByCause ?? {}).filter(
              (c) => !['dropped-during-reload', 'ERR_TLS_PEER_CLOSED', 'ECONNREFUSED'].includes(c),
            ),
          ).toEqual([])
        } else
          expect({status: r.status, ok: r.doc?.ok, first: r.doc?.causes?.[0]}).toEqual({
            status: 5,
            ok: false,
            first: 'unconverged',
          })
      },
      40_000,
    )
  }
})

describe('Node servers with setSecureContext (--server-cmd, --reload signal:HUP to its pid)', () => {
  const ROOT = [
    '--kind',
    'root',
    '--ca-overlap',
    'drop-old',
    '--rotations',
    '1',
    '--interval',
    '300ms',
    '--concurrency',
    '2',
    '--reload',
    'signal:HUP',
    '--json',
  ]

  it('reloading key, cert and ca: a root rollover (prepare, activate, drop-old) passes with 0 failures', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--server-cmd',
      `node ${nodeServerScript(base)} ${svid} ${port} full`,
      ...ROOT,
    ])
    expect({status: r.status, ok: r.doc?.ok, failures: r.doc?.failures, causes: r.doc?.causes}).toEqual({
      status: 0,
      ok: true,
      failures: 0,
      causes: [],
    })
    expect(r.doc?.perRotation?.map((row) => row.step)).toEqual([
      'root add (prepare)',
      'leaf from the new root (activate)',
      'root drop-old',
    ])
  }, 40_000)

  it('reloading key and cert but never its CA: clients on the new root are refused, cause trust-not-reloaded', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const timeline = join(base, 'timeline.html')
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--server-cmd',
      `node ${nodeServerScript(base)} ${svid} ${port} keep-ca`,
      '--timeline',
      timeline,
      ...ROOT,
    ])
    expect(r.status).toBe(5)
    expect(r.doc?.causes?.[0]).toBe('trust-not-reloaded')
    expect(r.doc?.summary).toMatch(
      /^the server refuses clients whose SVIDs come from the new root since rotation 2 \(leaf from the new root \(activate\); \d+ handshakes\), of \d+ \(.+\): it serves the new certificate but never reloaded its trust bundle/,
    )
    // Refused by the server (side peer), never by us: the server's certificate chain stayed valid.
    expect(r.doc?.failuresBySide?.local).toBe(0)
    expect(r.doc?.failuresBySide?.peer).toBeGreaterThan(0)
    // Its certificate does follow: the served serial converged.
    expect(r.doc?.finalSerialServed).toBe(true)
    // The timeline, rendered by headless Chromium: failed handshakes (red), the first serial's handshakes and the writer's windows are drawn.
    if (!hasChromium) return
    const png = join(base, 'timeline.png')
    const shot = await runAsync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--screenshot=${png}`,
        '--window-size=1240,420',
        `file://${timeline}`,
      ],
      {timeoutMs: 60_000},
    )
    expect(existsSync(png), shot.stderr).toBe(true)
    const img = readPng(png)
    expect(countColor(img, TIMELINE_COLORS.failed)).toBeGreaterThan(200)
    expect(countColor(img, TIMELINE_COLORS.serials[0])).toBeGreaterThan(200)
    expect(countColor(img, TIMELINE_COLORS.window)).toBeGreaterThan(0)
  }, 90_000)

  it('a server that exits during the run: exit 5, server-exited with its status and last line, nothing left running', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--server-cmd',
      `node ${nodeServerScript(base)} ${svid} ${port} exit`,
      '--reload',
      'signal:HUP',
      ...FAST,
    ])
    expect(r.status).toBe(5)
    expect(r.doc?.causes?.[0]).toBe('server-exited')
    expect(r.doc?.target?.exit).toMatchObject({status: 3, signal: null, duringRotation: 1})
    expect(r.doc?.target?.lastLines).toContain('reload is not supported here, exiting')
    expect(r.doc?.summary).toBe(
      'the server exited with status 3 during rotation 1; its last line: "reload is not supported here, exiting"',
    )
    expect(alive(r.doc?.target?.pid as number)).toBe(false)
  }, 40_000)
})

describe('setup errors are input or usage errors, before any rotation', () => {
  it('a server command that exits before listening: exit 3 with its status and output', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const r = await race([
      ...targetArgs(port, svid, ca),
      '--server-cmd',
      `node -e 'console.error("boom: bad config"); process.exit(7)'`,
      '--json',
    ])
    expect({status: r.status, code: r.doc?.error?.code}).toEqual({status: 3, code: 'target-unreachable'})
    expect(r.doc?.error?.message).toMatch(
      /exited with status 7 before .* accepted connections; its last lines: "boom: bad config"/,
    )
  }, 20_000)

  it('a target refusing connections: exit 3 target-unreachable', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const r = await race(['--target', `${HOST}:${port}`, '--dir', svid, '--ca', ca, '--json'])
    expect({status: r.status, code: r.doc?.error?.code}).toEqual({status: 3, code: 'target-unreachable'})
    expect(r.doc?.error?.message).toBe(`${HOST}:${port} refuses connections before the first rotation`)
  }, 20_000)

  const usage: {name: string; args: string[]; message: RegExp}[] = [
    {name: 'bad knob', args: ['--order', 'bogus'], message: /^invalid order "bogus"$/},
    {
      name: 'bad knob with --target',
      args: ['--target', `${HOST}:1`, '--dir', 'x', '--order', 'bogus'],
      message: /^invalid order "bogus"$/,
    },
    {
      name: 'bad reload',
      args: ['--target', `${HOST}:1`, '--dir', 'x', '--reload', 'bogus'],
      message: /^invalid --reload "bogus"$/,
    },
    {
      name: 'signal without pid',
      args: ['--target', `${HOST}:1`, '--dir', 'x', '--reload', 'signal:HUP'],
      message: /needs --pid, --pid-file or --server-cmd/,
    },
    {
      name: 'unknown signal',
      args: ['--target', `${HOST}:1`, '--dir', 'x', '--reload', 'signal:NOPE', '--pid', '1'],
      message: /unknown or unusable signal "NOPE"/,
    },
    {name: 'target flag without --target', args: ['--dir', 'x'], message: /target/},
    {
      name: 'in-process flag with --target',
      args: ['--target', `${HOST}:1`, '--dir', 'x', '--server-reload', 'partial'],
      message: /server-reload|target/,
    },
  ]
  for (const c of usage) {
    it(`exit 2: ${c.name}`, async () => {
      const r = await runCli(['race', ...c.args, '--json'])
      expect({exit: r.exit, code: (jsonOf(r.stdout) as {error?: {code: string}}).error?.code}).toEqual({
        exit: 2,
        code: 'usage',
      })
      expect((jsonOf(r.stdout) as {error: {message: string}}).error.message).toMatch(c.message)
    })
  }
})
