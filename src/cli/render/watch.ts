import type {WatchEvent} from '../../core/watch/events.js'
import type {WatchSummary} from '../../core/watch/run.js'
import {formatDuration} from '../../core/time/duration.js'
import {alignRows, style} from '../style.js'

/** Returns the wall-clock time of day (UTC, ms) a line is printed at: events print as they happen. */
function clockTime(now: Date): string {
  return now.toISOString().slice(11, 23) + 'Z'
}

/** Returns "until <notAfter> (<left> left)" in words. */
function until(notAfter: unknown, now: Date): string {
  if (typeof notAfter !== 'string') return ''
  const left = Date.parse(notAfter) - now.getTime()
  return ` until ${notAfter} (${left >= 0 ? `${formatDuration(Math.floor(left / 1000) * 1000)} left` : `expired ${formatDuration(Math.floor(-left / 1000) * 1000)} ago`})`
}

/**
 * Returns the human line of one observation, or undefined for quiet ones. Lines carry the
 * wall-clock time they were observed at (JSON keeps the monotonic `t` for lining up logs).
 */
export function watchLine(e: WatchEvent, now = new Date()): string | undefined {
  const t = style.dim(clockTime(now))
  switch (e.type) {
    case 'rotation':
      return `${t} ${style.green('rotation')} serial ${e.serial} ${e.spiffeId}${until(e.notAfter, now)}${typeof e.latencyMs === 'number' ? `, loaded ${formatDuration(Math.round(e.latencyMs))} after the change (${e.trigger})` : ''}`
    case 'invalid':
      return `${t} ${style.yellow('invalid')}  [${e.code}] ${e.message} (${e.trigger}; keeping the last good set)`
    case 'error':
      return `${t} ${style.red('error')}    [${e.code}] ${e.message}`
    case 'expiring':
      return `${t} ${style.yellow('expiring')} serial ${e.serial}: ${e.message}`
    case 'start':
      return `${t} ${e.strategy}: ${e.message}`
    default:
      return undefined
  }
}

const ms = (v: number) => formatDuration(Math.round(v))

/** Returns the human summary of a watch run. */
export function watchSummary(s: WatchSummary): string[] {
  const invalid =
    Object.entries(s.invalid)
      .map(([c, n]) => `${c} ×${n}`)
      .join(', ') || 'none'
  const rows: [string, string][] = [
    ['strategy', s.strategy],
    ['rotations loaded', String(s.rotations)],
    ['invalid states', invalid],
    ['latency', s.latency ? `p50 ${ms(s.latency.p50Ms)}, p99 ${ms(s.latency.p99Ms)}, max ${ms(s.latency.maxMs)}` : '-'],
    ['final state', s.finalState === 'valid' ? style.green('valid') : style.red(s.finalState)],
    ['stale at end', s.stale ? style.red('yes: the set on disk was never loaded') : 'no'],
  ]
  if (s.expected != null) rows.splice(2, 0, ['asked for', `${s.expected} new set(s) (--count)`])
  return [
    '',
    'summary',
    ...alignRows(rows),
    ...(s.races.length ? ['  races seen:', ...s.races.map((r) => `    - ${r}`)] : []),
    ...(s.reason ? ['', style.red(`watch failed (exit 6): ${s.reason}`)] : []),
  ]
}
