import {usageError} from '../errors.js'
import {isDuration, parseDuration} from './duration.js'

// RFC 3339: date, 'T' (or space), time, optional fraction, mandatory offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/**
 * Returns the instant an `--at`/`--not-before`/`--not-after` value names: an RFC 3339
 * time, or a signed duration relative to `now` (`-1h` = one hour ago, `+2m` or `2m` = in two minutes).
 */
export function parseInstant(text: string, now: Date): Date {
  const s = text.trim()
  if (RFC3339.test(s)) {
    const d = new Date(s)
    if (!Number.isNaN(d.getTime())) return d
  }
  if (isDuration(s)) return new Date(now.getTime() + parseDuration(s))
  throw usageError(
    `invalid time "${text}"`,
    'use RFC 3339 (2026-01-02T15:04:05Z) or a signed duration relative to now (-1h, +10m)',
  )
}

/** Returns an RFC 3339 UTC rendering without milliseconds when they are zero. */
export function formatInstant(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z')
}
