/**
 * One client attempt of a race, and the one client loop that makes them: the in-process race,
 * `race --target`'s loops on this thread and its loops on worker threads (client-worker.ts)
 * all handshake through `clientLoop` and record each handshake with `attemptOf`.
 */
import type {Clock} from '../clock.js'
import {clientHandshake, type ClientOptions, type HandshakeResult} from '../handshake/client.js'

/** One client attempt of the race test. */
export interface Attempt {
  start: number
  end: number
  ok: boolean
  servedSerial: string | null
  handshakeMs: number | null
  code?: string
  side?: 'local' | 'peer'
  message?: string
  resumed: boolean
  localPort?: number
  /** The client's own view when the server's reason became the primary one. */
  secondary?: string
  /** race --target: serial of the root above the client SVID presented (clients follow CA rotations). */
  clientRoot?: string
}

/**
 * Returns the race attempt of one client handshake (begun at `start`, ended at `end`,
 * presenting an SVID under the root of serial `root`, when the race follows CA rotations).
 */
export function attemptOf(start: number, end: number, r: HandshakeResult, root?: string): Attempt {
  const e = r.errors[0]
  return {
    start,
    end,
    ok: r.ok,
    servedSerial: r.peer.serial,
    handshakeMs: r.timing.handshakeMs,
    resumed: r.tls.resumed,
    localPort: r.localPort,
    ...(root === undefined ? {} : {clientRoot: root}),
    ...(e ? {code: String(e.code), side: e.side, message: e.message} : {}),
  }
}

/** What one loop handshakes with next: the client options, and the root above the SVID presented. */
interface NextHandshake {
  options: ClientOptions
  root?: string
}

/** How long a loop waits after a refused connection: a server that restarts must not be spun on. */
const REFUSED_PAUSE_MS = 20

/**
 * Runs one client loop: handshakes back to back until `stopped()` (checked before each one) or
 * until `next()` has nothing to present, handing every attempt to `onAttempt` as it ends.
 */
export async function clientLoop(o: {
  next: () => NextHandshake | undefined
  stopped: () => boolean
  clock: Clock
  onAttempt: (a: Attempt) => void
}): Promise<void> {
  while (!o.stopped()) {
    const n = o.next()
    if (!n) return
    const start = o.clock.monotonicMs()
    const r = await clientHandshake(n.options)
    o.onAttempt(attemptOf(start, o.clock.monotonicMs(), r, n.root))
    if (r.errors[0]?.code === 'ECONNREFUSED') await new Promise((res) => setTimeout(res, REFUSED_PAUSE_MS))
  }
}

/** Client loops running on this thread: `stop()` ends them and resolves when every loop ended. */
export interface Loops {
  stop: () => Promise<void>
}

/**
 * Starts `count` client loops on this thread (loop `i` handshakes with `next(i)`); they end on
 * `stop()`, or when `abort` fires (its caller still awaits `stop()`).
 */
export function startLoops(o: {
  count: number
  next: (loop: number) => NextHandshake | undefined
  clock: Clock
  onAttempt: (a: Attempt) => void
  abort?: AbortSignal
}): Loops {
  let stopped = false
  const loops = Array.from({length: o.count}, (_, i) =>
    clientLoop({
      next: () => o.next(i),
      stopped: () => stopped || (o.abort?.aborted ?? false),
      clock: o.clock,
      onAttempt: o.onAttempt,
    }),
  )
  return {
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    },
  }
}
