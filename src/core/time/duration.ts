import {usageError} from '../errors.js'

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

const DURATION = /^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g

const HOUR = 3_600_000
const DAY = 24 * HOUR
const YEAR = 365 * DAY

/** The largest duration accepted anywhere (100 years): beyond it dates overflow X.509 and JS. */
const MAX_DURATION_MS = 100 * YEAR

/**
 * Returns the length in milliseconds of a Go-style duration (`90s`, `1h30m`, `-1h`,
 * `500ms`, `0`); throws a usage error for anything else, and for magnitudes above 100
 * years. Days are not a unit, as in Go: write `720h`.
 */
export function parseDuration(text: string): number {
  const s = text.trim()
  if (s === '0' || s === '+0' || s === '-0') return 0
  if (!DURATION.test(s)) {
    throw usageError(`invalid duration "${text}"`, 'use Go-style durations such as 90s, 15m, 1h30m or 720h')
  }
  const sign = s.startsWith('-') ? -1 : 1
  let ms = 0
  for (const m of s.matchAll(PART)) ms += Number.parseFloat(m[1]) * UNIT_MS[m[2]]
  if (!(ms <= MAX_DURATION_MS)) {
    throw usageError(
      `duration "${text}" is too long: the limit is ${MAX_DURATION_MS / HOUR}h (100 years)`,
      'give a shorter duration, e.g. 8760h for a year',
    )
  }
  return sign * ms
}

/**
 * Returns a lifetime (`--ttl`-style flag) in ms: a Go duration that is positive and at
 * most 100 years; the message says which flag and what is wrong in words.
 */
export function parseLifetime(text: string, flag = '--ttl'): number {
  const ms = parseDuration(text)
  if (ms < 0)
    throw usageError(
      `${flag} "${text}" is negative: a lifetime must be positive`,
      `give a positive duration such as 1h or 720h (to backdate, use --not-before)`,
    )
  if (ms === 0)
    throw usageError(
      `${flag} "${text}" is zero: a lifetime must be positive`,
      'give a positive duration such as 1h or 720h',
    )
  return ms
}

/** Returns true when the text looks like a signed or unsigned Go duration. */
export function isDuration(text: string): boolean {
  const s = text.trim()
  return s === '0' || DURATION.test(s)
}

/**
 * Returns a duration for people to read, in its two largest units, the rest cut off
 * (never rounded up): `9y 364d`, `3d 4h`, `1h30m`, `5m30s`, `45s`, `1.5s`, `250ms`
 * (a year is 365 days). The one formatter of every display; nothing parses it back
 * (machine output carries milliseconds or RFC 3339 times).
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  if (!Number.isFinite(ms)) return ms > 0 ? 'forever' : '-forever'
  const sign = ms < 0 ? '-' : ''
  const rest = Math.abs(ms)
  if (rest < 1000) return `${sign}${Number(rest.toFixed(3))}ms`
  if (rest < 60_000) return `${sign}${Number((rest / 1000).toFixed(3))}s`
  const units: [string, number][] = [
    ['y', YEAR],
    ['d', DAY],
    ['h', HOUR],
    ['m', 60_000],
    ['s', 1000],
  ]
  const first = units.findIndex(([, size]) => rest >= size)
  const [u1, s1] = units[first]
  const [u2, s2] = units[first + 1]
  const a = Math.floor(rest / s1)
  const b = Math.floor((rest - a * s1) / s2)
  // Years and days read better apart ("9y 364d"); hours, minutes and seconds Go-style ("1h30m").
  const sep = u1 === 'y' || u1 === 'd' ? ' ' : ''
  return sign + (b > 0 ? `${a}${u1}${sep}${b}${u2}` : `${a}${u1}`)
}
