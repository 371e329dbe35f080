import type {RotateEvent} from '../rotate/events.js'
import type {Attempt} from './attempt.js'

/** How one rotation reached the clients (docs/race.md "Reading the report"). */
export interface RotationRow {
  rotation: number
  /** The writer step, e.g. `leaf`, `root add (prepare)`. */
  step: string
  serial: string
  /** ms from the writer's `done` to the trigger (undefined: no trigger). */
  triggerMs?: number
  /** ms from the writer's `done` to the end of the first handshake served this serial (or a newer one). */
  firstNewMs?: number
  /** ms from the writer's `done` to the start of the last handshake still served an older serial. */
  lastOldMs?: number
  /** Handshakes begun after the `done` that saw the served certificate. */
  observations: number
  /** How long after the `done` the clients kept watching (ms). */
  observedMs: number
  /** Served within --settle. */
  converged: boolean
}

/**
 * Returns one row per rotation, with the served serial as the oracle: a rotation
 * converged when a handshake begun after its `done` was served its serial, or the serial of
 * a later rotation (a slow server may skip one), within `settleMs`.
 */
export function rotationRows(o: {
  done: RotateEvent[]
  steps: string[]
  initialSerial: string | null
  attempts: Attempt[]
  triggers: Map<number, number>
  settleMs: number
}): RotationRow[] {
  // The index of the newest rotation that produced each serial (a kept leaf keeps its serial).
  const index = new Map<string, number>()
  if (o.initialSerial) index.set(o.initialSerial, 0)
  o.done.forEach((d, i) => d.serial && index.set(d.serial, i + 1))
  const served = o.attempts.filter((a) => a.servedSerial !== null).sort((a, b) => a.start - b.start)
  return o.done.map((d, i) => {
    const n = i + 1
    const after = served.filter((a) => a.start >= d.t)
    const isNew = (a: Attempt) => (index.get(a.servedSerial as string) ?? -1) >= n
    const first = after.find(isNew)
    const old = after.filter((a) => !isNew(a)).at(-1)
    const firstNewMs = first ? first.end - d.t : undefined
    const trigger = o.triggers.get(n)
    return {
      rotation: n,
      step: o.steps[i] ?? 'leaf',
      serial: d.serial ?? '',
      ...(trigger === undefined ? {} : {triggerMs: trigger - d.t}),
      ...(firstNewMs === undefined ? {} : {firstNewMs}),
      ...(old ? {lastOldMs: old.start - d.t} : {}),
      observations: after.length,
      observedMs: Math.max(0, (served.at(-1)?.start ?? d.t) - d.t),
      // Served within --settle, and no older serial served later than --settle (nginx's old workers finish a reload asynchronously).
      converged:
        firstNewMs !== undefined && firstNewMs <= o.settleMs && (old === undefined || old.start - d.t <= o.settleMs),
    }
  })
}

/**
 * Returns the number of handshakes begun more than `settleMs` after the last rotation that were
 * still served an older serial (a listener or worker that never took the new certificate) although
 * others served the last one.
 */
export function staleAfterLast(
  attempts: Attempt[],
  lastSerial: string | undefined,
  lastDoneT: number | undefined,
  settleMs: number,
): number {
  if (!lastSerial || lastDoneT === undefined) return 0
  // A server that never served the last serial is unconverged, not stale.
  if (!attempts.some((a) => a.servedSerial === lastSerial)) return 0
  return attempts.filter(
    (a) => a.servedSerial !== null && a.start > lastDoneT + settleMs && a.servedSerial !== lastSerial,
  ).length
}
