import {readInput} from '../fs/read-input.js'
import {SvidkitError} from '../errors.js'
import {osReason} from '../fs/atomic-write.js'
import {sleep, type Ops} from './ops.js'

/** Where the signal goes: a pid, or a pid file re-read every rotation (docs/rotation.md "Knobs", `--signal`). */
export interface SignalTarget {
  signal: NodeJS.Signals
  pid?: number
  pidFile?: string
}

const TRIES = 5

function readPid(t: SignalTarget): number {
  if (t.pid !== undefined) return t.pid
  // Bounded, regular file only: a FIFO planted as the pid file cannot stall the writer.
  let text: string
  try {
    text = readInput(t.pidFile as string, 'signal-failed')
      .toString('utf8')
      .trim()
  } catch (err) {
    // An OS error (missing file, no permission) goes to failure() like a failed kill, to be retried and named.
    const os = err instanceof SvidkitError ? (err.cause as NodeJS.ErrnoException | undefined) : undefined
    if (os?.code) throw os
    throw new SvidkitError('signal-failed', `cannot read the pid file "${t.pidFile}": ${(err as Error).message}`, {cause: err})
  }
  const pid = Number(text)
  if (!Number.isInteger(pid) || pid <= 0) throw new SvidkitError('signal-failed', `pid file "${t.pidFile}" holds "${text.slice(0, 20)}", not a pid`)
  return pid
}

function failure(t: SignalTarget, err: unknown): SvidkitError {
  if (err instanceof SvidkitError) return err
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
      ops.emit('error', {code: 'signal-retry', message: `${e.message} (attempt ${attempt} of ${tries}, retrying in ${delay}ms)`})
      await sleep(delay, ops.ctx.abort)
      delay *= 2
    }
  }
}
