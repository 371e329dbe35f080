import {Chalk, type ChalkInstance} from 'chalk'
import {maxOf} from '../core/arrays.js'

/**
 * Returns true when human output may be coloured: stdout is a TTY, NO_COLOR is not set
 * (https://no-color.org) and TERM is not dumb; FORCE_COLOR=1 forces it on, FORCE_COLOR=0 off.
 */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout, env = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '')
    return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
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

/**
 * Returns the width human results are wrapped to: the terminal's when stdout is one, else
 * COLUMNS when set (as for help), else undefined: piped output keeps whole lines for grep.
 */
export function outputWidth(stream: NodeJS.WriteStream = process.stdout, env = process.env): number | undefined {
  if (stream.isTTY && stream.columns > 0) return stream.columns
  const columns = Number.parseInt(env.COLUMNS ?? '', 10)
  return columns > 0 ? columns : undefined
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*m/g
const visibleLength = (s: string) => s.replace(ANSI, '').length
/** Continuation lines keep at least this many columns for text, else they hang under the line's own indent. */
const MIN_TEXT = 24

/**
 * Returns the column continuation lines of `line` start at: after the last gap of two or more
 * spaces in the first 60 % of the width (the value column of `name  value` rows and checks),
 * else two past the line's own indent.
 */
function hangingIndent(plain: string, width: number): number {
  const indent = (/^ */.exec(plain) ?? [''])[0].length
  let hang = indent + 2
  for (const m of plain.matchAll(/\S( {2,})(?=\S)/g)) {
    const end = m.index + m[0].length
    if (end <= width * 0.6) hang = end
  }
  return width - hang >= MIN_TEXT ? hang : Math.min(indent + 2, Math.max(0, width - MIN_TEXT))
}

/** Breaks one line (which may hold colour codes) between words, never inside one; a word too long for a line of its own stays where it is. */
function wrapLine(line: string, width: number): string[] {
  if (visibleLength(line) <= width) return [line]
  const hang = ' '.repeat(hangingIndent(line.replace(ANSI, ''), width))
  const out: string[] = []
  let current = ''
  for (const [, gap, word] of line.matchAll(/( *)([^ ]+)/g)) {
    const fitsNextLine = hang.length + visibleLength(word) <= width
    if (current.trim() !== '' && visibleLength(current) + gap.length + visibleLength(word) > width && fitsNextLine) {
      out.push(current)
      current = hang + word
    } else current += gap + word
  }
  out.push(current)
  return out
}

/**
 * Returns human result lines wrapped to `width` (default: outputWidth()) between words, each
 * continuation indented under the value it continues; a word longer than the width (a path,
 * a hash) stays whole. Without a width the lines are returned as they are.
 */
export function wrapLines(lines: string[], width: number | undefined = outputWidth()): string[] {
  if (width === undefined) return lines
  return lines.flatMap((l) => l.split('\n')).flatMap((l) => wrapLine(l, width))
}
