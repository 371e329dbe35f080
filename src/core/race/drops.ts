import type {Attempt} from './attempt.js'

/** Failures that carry no verdict on our certificate: a reset, a close without a reply, a refused connection. */
const DROP_CODES = new Set(['ERR_TLS_PEER_CLOSED', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED'])

/** How long after a reload (trigger, or the writer's `done` without one) a drop still counts as "during the reload" (ms). */
const RELOAD_GRACE_MS = 1000

/** A span of time the server was reloading (monotonic ms). */
interface ReloadWindow {
  rotation: number
  from: number
  to: number
}

/**
 * Returns the reload windows of a run: from each trigger (or `done` without a trigger) until the
 * trigger returned plus RELOAD_GRACE_MS, and at least until the first handshake served the new serial.
 */
export function reloadWindows(o: {
  done: {t: number}[]
  triggers: {rotation: number; t: number; ms: number}[]
  firstNewMs: (number | undefined)[]
}): ReloadWindow[] {
  return o.done.map((d, i) => {
    const trig = o.triggers.find((r) => r.rotation === i + 1)
    const from = trig?.t ?? d.t
    const to = Math.max(from + (trig?.ms ?? 0) + RELOAD_GRACE_MS, d.t + (o.firstNewMs[i] ?? 0) + 250)
    return {rotation: i + 1, from, to}
  })
}

/**
 * Renames, in place, the drops that happened while the server reloaded to `dropped-during-reload`
 * (the original code stays in `secondary`). A drop is not renamed when clients of the same root
 * were still dropped after every reload had ended: that is a refusal (a TLS 1.3 server closing on a
 * client it does not trust), not a reload.
 */
export function classifyDrops(attempts: Attempt[], windows: ReloadWindow[]): void {
  const inWindow = (a: Attempt) => windows.some((w) => a.end >= w.from && a.start <= w.to)
  const drops = attempts.filter((a) => !a.ok && a.code !== undefined && DROP_CODES.has(a.code))
  const outside = drops.filter((a) => !inWindow(a))
  for (const a of drops) {
    if (!inWindow(a)) continue
    const refusedLater = outside.some(
      (b) => b.clientRoot === a.clientRoot && b.start >= a.start && b.code !== 'ECONNREFUSED',
    )
    if (refusedLater && a.code !== 'ECONNREFUSED') continue
    a.secondary = a.code
    a.code = 'dropped-during-reload'
    a.side = 'peer'
    const w = windows.find((x) => a.end >= x.from && a.start <= x.to)
    a.message = `the server dropped the connection during its reload (rotation ${w?.rotation}): ${a.secondary}${a.message ? `, ${a.message}` : ''}`
  }
}
