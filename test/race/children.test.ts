/**
 * Children never outlive svidkit (issue 17 items 10 and 11):
 * - `--server-cmd` runs every command line unchanged under `/bin/sh -c` in a process group of
 *   its own; `FOO=1 cmd`, `exec cmd` and `! cmd` work (main prepended `exec` to "simple"
 *   commands: exit 127, then target-unreachable), and `--reload signal:` reaches the server.
 * - SIGKILL of svidkit stops the server's whole group (its supervisor sees the IPC channel
 *   close); SIGHUP and SIGQUIT are handled like SIGTERM (exit 129, 131). On main the server
 *   survived all three.
 * - The in-process race keeps its keys in $TMPDIR/svidkit-race-<uid>/local-<pid>-*; a run
 *   killed with SIGKILL leaves its directory, the next race removes it (main left it for ever).
 * - `--reload exec:` is done when its shell exits: a grandchild holding stderr neither
 *   extends it nor survives it (main waited for the grandchild's stderr to close).
 */
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {systemClock} from '../../src/core/clock.js'
import {fireReload} from '../../src/core/race/reload.js'
import {tmpDir} from '../helpers/tmp.js'
import {ensureDist, freePort, waitFor} from '../handshake/harness.js'
import {processGroupMembers} from '../../src/core/race/server-process.js'
import {alive, nodeServerScript, race, raceDirs, serverCmdArgs, start, startServerRace, trustDomain} from './setup.js'

/** Returns the pids of the processes running `node <script>` (the server under test). */
function serverPids(script: string): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').includes(script)) out.push(Number(name))
    } catch {
      // gone
    }
  }
  return out
}

describe('--server-cmd runs any shell command line, and --reload signal: reaches the server', () => {
  it.each(['FOO=1 node SCRIPT', 'exec node SCRIPT', '! node SCRIPT', 'node SCRIPT | cat'])(
    '%s: exit 0, every rotation served',
    async (form) => {
      await ensureDist()
      const base = tmpDir()
      const {ca, svid} = await trustDomain(base)
      const port = await freePort()
      const cmd = form.replace('SCRIPT', `${nodeServerScript(base)} ${svid} ${port} full`)
      const r = await race(
        serverCmdArgs(
          port,
          svid,
          ca,
          cmd,
          '--reload',
          'signal:HUP',
          '--rotations',
          '2',
          '--interval',
          '300ms',
          '--concurrency',
          '2',
          '--json',
        ),
      )
      expect({status: r.status, ok: r.doc?.ok, causes: r.doc?.causes}, r.stderr).toEqual({
        status: 0,
        ok: true,
        causes: [],
      })
    },
    40_000,
  )
})

describe('the --server-cmd server dies with svidkit', () => {
  it.each([
    ['SIGKILL', null],
    ['SIGHUP', 129],
    ['SIGQUIT', 131],
  ] as const)(
    '%s to svidkit only: the server and its group are gone (exit %s)',
    async (sig, code) => {
      const {run, script} = await startServerRace(tmpDir(), [
        '--rotations',
        '1000',
        '--interval',
        '100ms',
        '--concurrency',
        '1',
      ])
      await waitFor(() => serverPids(script).length > 0, 40_000, 'the server to start')
      const [server] = serverPids(script)
      const pgid = Number(readFileSync(`/proc/${server}/stat`, 'latin1').split(') ')[1].split(' ')[2])
      const group = processGroupMembers(pgid)
      expect(group.length).toBeGreaterThan(0)
      run.child.kill(sig)
      const exit = await run.exited
      if (code !== null) expect(exit.code).toBe(code)
      await waitFor(
        () => [server, ...group].every((p) => !alive(p)),
        10_000,
        `the server (pid ${server}) to be gone after ${sig}`,
      )
    },
    60_000,
  )
})

describe('the in-process race keeps its keys where the next race cleans them', () => {
  it('a race killed with SIGKILL leaves its directory; the next race removes it', async () => {
    await ensureDist()
    const tmp = tmpDir()
    const run = start(['race', '--rotations', '1000', '--interval', '100ms', '--concurrency', '1'], tmp)
    await waitFor(() => raceDirs(tmp).some((d) => existsSync(join(d, 'ca'))), 40_000, 'the race to start')
    const [left] = raceDirs(tmp)
    run.child.kill('SIGKILL')
    await run.exited
    expect(existsSync(left)).toBe(true)
    const next = start(['race', '--rotations', '1', '--interval', '0s', '--concurrency', '1', '--json'], tmp)
    expect((await next.exited).code).toBe(0)
    expect(existsSync(left)).toBe(false)
    expect(raceDirs(tmp)).toEqual([])
  }, 90_000)
})

describe('--reload exec: is bounded by its shell', () => {
  it('a grandchild holding stderr does not extend the trigger and is killed with the group', async () => {
    const base = tmpDir()
    const pidFile = join(base, 'grandchild.pid')
    const r = await fireReload(
      {kind: 'exec', command: `sleep 60 & echo $! > ${pidFile}; echo reloaded >&2; exit 0`},
      1,
      undefined,
      systemClock,
    )
    expect(r).toMatchObject({ok: true, status: 0, stderr: 'reloaded'})
    const grandchild = Number(readFileSync(pidFile, 'utf8'))
    await waitFor(() => !alive(grandchild), 5000, 'the grandchild to be gone')
  }, 20_000)

  it('a command still running at the bound is killed with its whole group, and the trigger ends then', async () => {
    const base = tmpDir()
    const pidFile = join(base, 'grandchild.pid')
    const r = await fireReload(
      {kind: 'exec', command: `sleep 60 & echo $! > ${pidFile}; sleep 60`},
      1,
      undefined,
      systemClock,
      500,
    )
    expect(r).toMatchObject({ok: false, status: null, stderr: 'killed by SIGKILL (no exit within 0.5 s)'})
    const grandchild = Number(readFileSync(pidFile, 'utf8'))
    await waitFor(() => !alive(grandchild), 5000, 'the grandchild to be gone')
  }, 20_000)

  it('a failing command is reported with its status and stderr', async () => {
    const r = await fireReload({kind: 'exec', command: 'echo "no such server" >&2; exit 7'}, 1, undefined, systemClock)
    expect(r).toMatchObject({ok: false, status: 7, stderr: 'no such server'})
  })
})
