import {SvidkitError} from '../errors.js'
import {osReason} from '../fs/atomic-write.js'
import type {Ops} from './ops.js'
import {sleep} from '../time/sleep.js'
import {checkPidFile, parsePid, readPidFile} from './pid.js'

/** Where the signal goes: a pid, or a pid file re-read every rotation (docs/rotation.md "Knobs", `--signal`). */
export interface SignalTarget {
  signal: NodeJS.Signals
  pid?: number
  pidFile?: string
}

const TRIES = 5

function readPid(t: SignalTarget): number {
  return t.pid !== undefined ? parsePid(t.pid) : readPidFile(t.pidFile as string)
}

/**
 * Checks a signal target before anything is written: the pid is one svidkit may signal
 * (exit 2, `pid-invalid`), and a pid file that exists is safe to read and holds such a pid
 * (exit 3). The file is read again at every rotation (a missing one with retries).
 */
export function checkSignalTarget(t: SignalTarget | undefined): void {
  if (!t) return
  if (t.pid !== undefined) parsePid(t.pid)
  if (t.pidFile !== undefined) checkPidFile(t.pidFile)
}

function failure(t: SignalTarget, err: unknown): SvidkitError {
  if (err instanceof SvidkitError)
    return new SvidkitError('signal-failed', `cannot send ${t.signal}: ${err.message}`, {cause: err, hint: err.hint})
  const code = (err as NodeJS.ErrnoException).code
  const reason = code === 'ESRCH' ? 'no such process (ESRCH)' : osReason(err)
  const target = t.pid !== undefined ? `pid ${t.pid}` : `the pid in "${t.pidFile}"`
  return new SvidkitError('signal-failed', `cannot send ${t.signal} to ${target}: ${reason}`, {cause: err})
}

/**
 * Sends the signal after the whole set is written, as spiffe-helper does. A pid file that
 * is missing or names a gone process is re-read with backoff from 100 ms (five tries, the
 * workload may be restarting); a `--pid` that does not exist fails at once. Throws
 * `signal-failed` (exit 3) when the signal could not be delivered.
 */
export async function sendSignal(t: SignalTarget, ops: Ops): Promise<void> {
  let delay = 100
  const tries = t.pid !== undefined ? 1 : TRIES
  for (let attempt = 1; ; attempt++) {
    try {
      const pid = readPid(t)
      process.kill(pid, t.signal)
      ops.emit('signal', {pid, signal: t.signal})
      return
    } catch (err) {
      const e = failure(t, err)
      if (attempt >= tries || ops.ctx.abort?.aborted) throw e
      ops.emit('error', {
        code: 'signal-retry',
        message: `${e.message} (attempt ${attempt} of ${tries}, retrying in ${delay}ms)`,
      })
      await sleep(delay, ops.ctx.abort)
      delay *= 2
    }
  }
}
