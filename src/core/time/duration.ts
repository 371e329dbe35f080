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

/**
 * Returns the length in milliseconds of a Go-style duration (`90s`, `1h30m`, `-1h`,
 * `500ms`, `0`); throws a usage error for anything else. Days are not a unit, as in Go:
 * write `720h`.
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
  return sign * ms
}

/** Returns true when the text looks like a signed or unsigned Go duration. */
export function isDuration(text: string): boolean {
  const s = text.trim()
  return s === '0' || DURATION.test(s)
}

/** Returns a compact Go-style rendering of a duration (`1h30m`, `45s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  const sign = ms < 0 ? '-' : ''
  let rest = Math.abs(ms)
  // Past a minute, milliseconds are noise.
  if (rest >= 60_000) rest = Math.round(rest / 1000) * 1000
  if (rest < 1000) return `${sign}${Number(rest.toFixed(3))}ms`
  const parts: string[] = []
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const sec = rest / 1000
  if (h) parts.push(`${h}h`)
  if (m) parts.push(`${m}m`)
  if (sec) parts.push(`${Number(sec.toFixed(3))}s`)
  return sign + parts.join('')
}
