import {Errors} from '@oclif/core'
import {SvidkitError} from '../core/errors.js'
import {closest} from './suggest.js'

/** Where a parse error happened: the command (for the hint) and its flag names (for "did you mean"). */
export interface UsageContext {
  /** The command as typed, e.g. "svidkit ca init". */
  command?: string
  /** The command's flag names, without dashes. */
  flagNames?: readonly string[]
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g

/** Returns oclif's message on one line, without its "See more help" and "Error:" boilerplate. */
function oneLine(message: string): string {
  return message
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '' && !l.startsWith('See more help'))
    .reduce((acc, l) => (acc === '' ? l : acc.endsWith(':') ? `${acc} ${l}` : `${acc}; ${l}`), '')
    .replace(/^Error: /, '')
}

function quoteList(text: string): string {
  return text
    .split(', ')
    .map((v) => `"${v}"`)
    .join(', ')
}

/** Returns the flag closest to an unknown one, when it is close enough to be a typo. */
function closestFlag(typed: string, names: readonly string[]): string | undefined {
  const found = closest(typed.replace(/^-+/, '').replace(/=.*$/, ''), names)
  return found === undefined ? undefined : `--${found}`
}

/**
 * Returns oclif's parse errors reworded the one way every command words its usage errors
 * (lowercase, the offending value in quotes, no oclif boilerplate), with a hint naming the
 * command's help.
 */
export function usageFromParseError(err: Error, ctx: UsageContext = {}): SvidkitError {
  const help = ctx.command
    ? `"${ctx.command} --help" lists the flags and their values`
    : '"--help" lists the flags and their values'
  const text = oneLine(err.message ?? String(err))
  const make = (message: string, hint = help) => new SvidkitError('usage', message, {hint, cause: err})
  let m: RegExpMatchArray | null
  if ((m = text.match(/^Nonexistent flags?: (.+)$/))) {
    const flags = m[1].split(', ')
    const suggestion = closestFlag(flags[0], ctx.flagNames ?? [])
    return make(`unknown flag ${quoteList(m[1])}`, suggestion ? `did you mean "${suggestion}"? ${help}` : help)
  }
  if ((m = text.match(/^Expected --([\w-]+)=(.*) to be one of: (.+)$/)))
    return make(`invalid --${m[1]} "${m[2]}"`, `use one of: ${m[3]}`)
  if ((m = text.match(/^Expected (.*) to be one of: (.+)$/)))
    return make(`invalid argument "${m[1]}"`, `use one of: ${m[2]}`)
  if ((m = text.match(/^Parsing --([\w-]+);? Expected an integer but received: (.*)$/)))
    return make(`invalid --${m[1]} "${m[2]}": expected an integer`)
  if ((m = text.match(/^Parsing --([\w-]+);? (.*)$/))) return make(`invalid --${m[1]}: ${lower(m[2])}`)
  if ((m = text.match(/^Flag --([\w-]+) expects a value$/))) return make(`flag --${m[1]} needs a value`)
  if ((m = text.match(/^Unexpected arguments?: (.+)$/)))
    return make(`unexpected argument${m[1].includes(', ') ? 's' : ''} ${quoteList(m[1])}`)
  if ((m = text.match(/^Missing \d+ required args?:? ?(\S*)/)))
    return make(`missing required argument${m[1] ? ` ${m[1].toUpperCase()}` : ''}`)
  if ((m = text.match(/^The following errors? occurred: (.+)$/)))
    return make(
      m[1]
        .split('; ')
        .map((r) => lower(r.replace(/^Missing required flag ([\w-]+)$/, 'missing required flag --$1')))
        .join('; '),
    )
  return make(lower(text))
}

function lower(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

/** Returns true for the errors oclif's parser throws (usage errors, exit 2). */
export function isParseError(err: unknown): err is Error {
  const e = err as Error & {oclif?: {exit?: number}}
  return e instanceof Errors.CLIError || e?.oclif?.exit === 2
}
