import {readdirSync} from 'node:fs'
import type {Attempt} from '../attempt.js'

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
