import {Chalk, type ChalkInstance} from 'chalk'
import {maxOf} from '../core/arrays.js'

/**
 * Returns true when human output may be coloured: stdout is a TTY, NO_COLOR is not set
 * (https://no-color.org) and TERM is not dumb; FORCE_COLOR=1 forces it on, FORCE_COLOR=0 off.
 */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout, env = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return Boolean(stream.isTTY)
}

/** The colour functions of human output; plain text when colour is off. */
export const style: ChalkInstance = new Chalk({level: colorEnabled() ? 1 : 0})

/** Returns the status mark of a check. */
export function mark(status: 'pass' | 'fail' | 'warn' | 'skip'): string {
  switch (status) {
    case 'pass':
      return style.green('ok  ')
    case 'fail':
      return style.red('FAIL')
    case 'warn':
      return style.yellow('warn')
    default:
      return style.dim('skip')
  }
}

/** Returns rows with their first column padded to a common width. */
export function alignRows(rows: [string, string][], indent = '  '): string[] {
  const w = maxOf(
    rows.map(([k]) => k.length),
    0,
  )
  return rows.map(([k, v]) => `${indent}${k.padEnd(w)}  ${v}`)
}
