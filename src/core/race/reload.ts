import {spawn} from 'node:child_process'
import {constants as osConstants} from 'node:os'
import {usageError} from '../errors.js'
import type {Clock} from '../clock.js'
import {checkPidFile, parsePid, readPidFile} from '../rotate/pid.js'

/** How the server under test is told about new files (as spiffe-helper does it, after the whole set is written). */
export type ReloadTrigger = {kind: 'none'} | {kind: 'signal'; signal: NodeJS.Signals} | {kind: 'exec'; command: string}

/** One trigger run, for the report. */
export interface ReloadResult {
  rotation: number
  /** Monotonic ms when the trigger was fired. */
  t: number
  ok: boolean
  /** signal: the pid signalled. */
  pid?: number
  /** exec: the command's exit status (null: killed by a signal or not started). */
  status?: number | null
  /** exec: the end of its stderr; signal: why it was not delivered. */
  stderr?: string
  /** How long the trigger took (exec: until the command exited). */
  ms: number
}

/** Returns the trigger of `--reload none|signal:NAME|exec:CMD`; anything else is a usage error. */
export function parseReload(text: string): ReloadTrigger {
  if (text === 'none') return {kind: 'none'}
  if (text.startsWith('signal:')) return {kind: 'signal', signal: parseSignalName(text.slice('signal:'.length))}
  if (text.startsWith('exec:') && text.length > 'exec:'.length)
    return {kind: 'exec', command: text.slice('exec:'.length)}
  throw usageError(
    `invalid --reload "${text}"`,
    'use none, signal:NAME (e.g. signal:HUP) or exec:CMD (e.g. "exec:nginx -s reload")',
  )
}

/** Returns the signal named by `HUP`, `SIGHUP` or `hup`; an unknown name is a usage error. */
function parseSignalName(text: string): NodeJS.Signals {
  const up = text.toUpperCase()
  const name = (up.startsWith('SIG') ? up : `SIG${up}`) as NodeJS.Signals
  if (!(name in osConstants.signals) || name === 'SIGKILL' || name === 'SIGSTOP')
    throw usageError(`unknown or unusable signal "${text}"`, 'use a signal name such as HUP, USR1 or USR2')
  return name
}

/** Where the pid of a signal trigger comes from: re-read at every rotation (the server may have restarted). */
export type PidSource =
  {pid: number} | {pidFile: string} | {group: {pid: number; signalGroup(signal: NodeJS.Signals): void}}

function readPid(src: Exclude<PidSource, {group: unknown}>): number {
  return 'pid' in src ? parsePid(src.pid) : readPidFile(src.pidFile)
}

/** Sends `signal` to the target now (a pid file is read now); returns the pid (or process group id) signalled. */
function deliver(src: PidSource, signal: NodeJS.Signals): number {
  if ('group' in src) {
    // --server-cmd: the whole process group of `sh -c CMD`, whatever the shell exec'ed or forked.
    src.group.signalGroup(signal)
    return src.group.pid
  }
  const pid = readPid(src)
  process.kill(pid, signal)
  return pid
}

/**
 * Checks the signal target of `race --target` before anything is written: a `--pid` svidkit
 * may signal (exit 2), and a `--pid-file` that exists is safe to read and holds one (exit 3);
 * a missing one is allowed (the `--server-cmd` server writes it once it runs).
 */
export function checkPidSource(pid: number | undefined, pidFile: string | undefined): void {
  if (pid !== undefined) parsePid(pid)
  if (pidFile !== undefined) checkPidFile(pidFile)
}

/** The bound of an `exec:` trigger (docs/race.md): the whole process group is killed at this limit. */
const EXEC_TIMEOUT_MS = 30_000
const STDERR_KEEP = 2000

/**
 * Returns the result of firing the trigger once: a signal to the pid (read now), or a
 * shell command run to completion (bounded to 30 s) with its exit status and stderr.
 */
export async function fireReload(
  trigger: ReloadTrigger,
  rotation: number,
  pids: PidSource | undefined,
  clock: Clock,
  /** The bound of an `exec:` trigger (ms). Default EXEC_TIMEOUT_MS (tests shorten it). */
  timeoutMs = EXEC_TIMEOUT_MS,
): Promise<ReloadResult | undefined> {
  const t = clock.monotonicMs()
  if (trigger.kind === 'none') return undefined
  if (trigger.kind === 'signal') {
    try {
      if (!pids) throw new Error('no pid to signal')
      const pid = deliver(pids, trigger.signal)
      return {rotation, t, ok: true, pid, ms: clock.monotonicMs() - t}
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const why = e.code === 'ESRCH' ? `no process with that pid (${e.message})` : e.message
      return {rotation, t, ok: false, stderr: `${trigger.signal} not delivered: ${why}`, ms: clock.monotonicMs() - t}
    }
  }
  return runReloadCommand(trigger.command, rotation, t, clock, timeoutMs)
}

/**
 * Returns the result of `/bin/sh -c command`, run as the leader of its own process group and
 * bounded to `timeoutMs`: at the limit the whole group is killed. The command is done when
 * the shell exits; whatever it left in its group is killed then, and its stderr is not waited
 * for (a background grandchild holding the pipe cannot extend the trigger).
 */
function runReloadCommand(
  command: string,
  rotation: number,
  t: number,
  clock: Clock,
  timeoutMs: number,
): Promise<ReloadResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {detached: true, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_KEEP)))
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // the group is gone
      }
    }
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup()
    }, timeoutMs)
    let settled = false
    const end = (status: number | null, extra = '') => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      killGroup()
      child.stderr?.destroy()
      resolve({rotation, t, ok: status === 0, status, stderr: (stderr + extra).trim(), ms: clock.monotonicMs() - t})
    }
    child.once('error', (err) => end(null, `cannot run the reload command: ${err.message}`))
    child.once('exit', (code, sig) => {
      // Whatever the shell wrote before it exited is in the pipe already: take it, then stop listening.
      setImmediate(() =>
        end(code, sig ? `killed by ${sig}${timedOut ? ` (no exit within ${timeoutMs / 1000} s)` : ''}` : ''),
      )
    })
  })
}
