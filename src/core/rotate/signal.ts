import {readFileSync} from 'node:fs'
import {sleep, type Ops} from './ops.js'

/** Where the signal goes: a pid, or a pid file re-read every rotation (rotation.md §1.3). */
export interface SignalTarget {
  signal: NodeJS.Signals
  pid?: number
  pidFile?: string
}

function readPid(t: SignalTarget): number {
  if (t.pid !== undefined) return t.pid
  const text = readFileSync(t.pidFile as string, 'utf8').trim()
  const pid = Number(text)
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`pid file "${t.pidFile}" holds "${text.slice(0, 20)}"`)
  return pid
}

/**
 * Sends the signal after the whole set is written, as spiffe-helper does; retries with
 * backoff from 100 ms (five tries) when the pid file is missing or the process is gone.
 */
export async function sendSignal(t: SignalTarget, ops: Ops): Promise<boolean> {
  let delay = 100
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      const pid = readPid(t)
      process.kill(pid, t.signal)
      ops.emit('signal', {pid, signal: t.signal})
      return true
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      ops.emit('error', {code: e.code ?? 'signal-failed', message: `signal ${t.signal} not sent (attempt ${attempt}): ${e.message}`})
      if (attempt < 5) await sleep(delay)
      delay *= 2
    }
  }
  return false
}
