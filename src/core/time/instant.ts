import {usageError} from '../errors.js'
import {boundedCache} from '../memo.js'
import {isDuration, parseDuration} from './duration.js'

// RFC 3339: date, 'T' (or space), time, optional fraction, mandatory offset.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** Returns the instant of an RFC 3339 timestamp, or undefined when a field is out of range. */
function parseRfc3339(s: string): Date | undefined {
  const m = RFC3339.exec(s)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number)
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 60)
    return undefined
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return undefined
  const offsetMin = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0
  const fraction = m[7] ? Number(`0${m[7]}`) * 1000 : 0
  // A leap second (:60) is the instant one second after :59.
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) + fraction - offsetMin * 60_000
  return new Date(ms)
}

// A plain date (2030-01-01) is midnight UTC of that day.
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Returns the instant `text` names when it is an RFC 3339 date-time or a plain date, else undefined. */
function parseCalendar(s: string): Date | undefined {
  const d = DATE_ONLY.exec(s)
  if (d) return parseRfc3339(`${d[1]}-${d[2]}-${d[3]}T00:00:00Z`)
  return parseRfc3339(s)
}

/**
 * Returns the instant an `--at`/`--not-before`/`--not-after` value names: an RFC 3339
 * time (fields checked: no 31 April, no hour 24), a plain date (`2030-01-01`, midnight
 * UTC), or a signed duration relative to `now` (`-1h` = one hour ago, `+2m` or `2m` = in
 * two minutes; at most 100 years either way).
 */
export function parseInstant(text: string, now: Date): Date {
  const s = text.trim()
  const d = parseCalendar(s)
  if (d) return d
  if (isDuration(s)) return new Date(now.getTime() + parseDuration(s))
  throw usageError(
    `invalid time "${text}"`,
    'use RFC 3339 (2026-01-02T15:04:05Z), a date (2026-01-02, midnight UTC) or a signed duration relative to now (-1h, +10m)',
  )
}

/** Returns an RFC 3339 UTC rendering without milliseconds when they are zero. */
export function formatInstant(d: Date): string {
  return renderings(d.getTime(), render)
}

// Bulk issuance reports the same few instants for every SVID: each is rendered once.
const renderings = boundedCache<number, string>()
const render = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
