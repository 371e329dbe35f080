import type {WatchEvent} from '../../core/watch/events.js'
import type {WatchSummary} from '../../core/watch/run.js'
import {alignRows, style} from '../style.js'

/** Returns the human line of one observation, or undefined for quiet ones. */
export function watchLine(e: WatchEvent): string | undefined {
  const t = style.dim(`${(e.t / 1000).toFixed(3)}s`)
  switch (e.type) {
    case 'rotation':
      return `${t} ${style.green('rotation')} serial ${e.serial} ${e.spiffeId} until ${e.notAfter}${typeof e.latencyMs === 'number' ? ` (loaded ${e.latencyMs.toFixed(0)}ms after the change, ${e.trigger})` : ''}`
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
    ['latency', s.latency ? `p50 ${s.latency.p50Ms.toFixed(0)}ms, p99 ${s.latency.p99Ms.toFixed(0)}ms, max ${s.latency.maxMs.toFixed(0)}ms` : '-'],
    ['final state', s.finalState === 'valid' ? style.green('valid') : style.red(s.finalState)],
    ['stale at end', s.stale ? style.red('yes: the set on disk was never loaded') : 'no'],
  ]
  return ['', 'summary', ...alignRows(rows), ...(s.races.length ? ['  races seen:', ...s.races.map((r) => `    - ${r}`)] : [])]
}
