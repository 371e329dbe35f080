import {readdirSync} from 'node:fs'
import {percentile} from '../../watch/races.js'

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

/** Returns p50/p99/max of a list of ms values, or null when empty. */
export function spread(values: number[]): {p50Ms: number; p99Ms: number; maxMs: number} | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  return {p50Ms: percentile(s, 50), p99Ms: percentile(s, 99), maxMs: s.at(-1) as number}
}

/** A sample of the process's memory and open file descriptors. */
export interface ResourceSample {
  rssMb: number
  heapMb: number
  fds: number
}

/** Returns the current memory use and number of open file descriptors (Linux /proc). */
export function sampleResources(): ResourceSample {
  const m = process.memoryUsage()
  let fds = -1
  try {
    fds = readdirSync('/proc/self/fd').length
  } catch {
    // not Linux
  }
  return {rssMb: Math.round((m.rss / 1048576) * 10) / 10, heapMb: Math.round((m.heapUsed / 1048576) * 10) / 10, fds}
}

/**
 * Returns, for each rotation (its `done` time and serial), how long until a client first
 * completed a handshake served with that serial; undefined entries never converged.
 */
export function convergence(done: {t: number; serial?: string}[], attempts: Attempt[]): (number | undefined)[] {
  return done.map((d) => {
    const hit = attempts.find((a) => a.ok && a.start >= d.t && a.servedSerial === d.serial)
    return hit ? hit.end - d.t : undefined
  })
}
