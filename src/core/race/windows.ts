import type {RotateEvent} from '../rotate/events.js'
import type {Attempt} from './attempt.js'

/** An inconsistent window the writer opened (torn, absent, key-mismatch, bundle-stale), on the shared monotonic clock. */
interface WriterWindow {
  rotation: number
  window: string
  file?: string
  from: number
  to: number
}

/** Returns the writer's windows from its events (a window still open at the end closes at the last event). */
export function writerWindows(events: RotateEvent[]): WriterWindow[] {
  const open = new Map<string, RotateEvent>()
  const out: WriterWindow[] = []
  for (const e of events) {
    if (e.step !== 'window') continue
    const k = `${e.rotation}:${e.window}:${e.file ?? ''}`
    if (e.state === 'open') open.set(k, e)
    else {
      const o = open.get(k)
      out.push({rotation: e.rotation, window: String(e.window), file: e.file, from: o?.t ?? e.t, to: e.t})
      open.delete(k)
    }
  }
  const end = events.at(-1)?.t ?? 0
  for (const o of open.values())
    out.push({rotation: o.rotation, window: String(o.window), file: o.file, from: o.t, to: end})
  return out
}

/** Returns how many attempts ran (at least partly) while a writer window was open. */
export function attemptsInWindows(attempts: Attempt[], windows: WriterWindow[]): number {
  return attempts.filter((a) => windows.some((w) => a.end >= w.from && a.start <= w.to)).length
}
