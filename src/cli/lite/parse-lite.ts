/**
 * The lite parser (oclif-lite.ts's Command.parse). It accepts only the argument lists it can
 * prove oclif would read the same way: long flags of the kinds the lite builders make, their
 * values, positional arguments. Everything else (an unknown or repeated flag, a bad value, a
 * missing required flag, `--`, short flags, a greedy `multiple` flag followed by a positional)
 * throws NeedsOclif before the command does anything, and bin/run.js runs the same argv
 * through oclif, which accepts it or words the usage error. test/cli/lite.test.ts compares
 * the two parsers on generated argv.
 */

/** Thrown by the lite parser for an argv it does not handle: run it through oclif instead. */
export class NeedsOclif extends Error {
  readonly liteFallback = true
  constructor(why: string) {
    super(`needs oclif: ${why}`)
  }
}

/** Returns true for a NeedsOclif (also across module copies). */
export function isNeedsOclif(err: unknown): boolean {
  return (err as {liteFallback?: unknown} | undefined)?.liteFallback === true
}

/** A flag definition as the lite Flags builders make it at run time (oclif-lite.ts types it as oclif's). */
export interface LiteFlag {
  type: 'option' | 'boolean'
  kind: 'string' | 'integer' | 'boolean'
  description?: string
  summary?: string
  required?: boolean
  default?: unknown
  multiple?: boolean
  options?: readonly string[]
  exclusive?: readonly string[]
  dependsOn?: readonly string[]
  allowNo?: boolean
  min?: number
  max?: number
  hidden?: boolean
  helpGroup?: string
  helpValue?: string
}

/** A positional argument definition. */
export interface LiteArg {
  description?: string
  required?: boolean
  hidden?: boolean
  /** The lite parser never reads arguments from standard input; oclif does unless this is set (base-command sets it). */
  ignoreStdin?: boolean
}

/**
 * The keys a definition may carry: the type checker holds the commands to them (npm run
 * typecheck:lite), and this run-time check hands back a definition made some other way.
 */
const FLAG_KEYS = new Set<string>([
  'type',
  'kind',
  'description',
  'summary',
  'required',
  'default',
  'multiple',
  'options',
  'exclusive',
  'dependsOn',
  'allowNo',
  'min',
  'max',
  'hidden',
  'helpGroup',
  'helpValue',
] satisfies (keyof LiteFlag)[])
const ARG_KEYS = new Set<string>(['description', 'required', 'hidden', 'ignoreStdin'] satisfies (keyof LiteArg)[])

/** What a command class declares, as the parser reads it. */
export interface CommandShape {
  flags?: Record<string, LiteFlag>
  args?: Record<string, LiteArg>
  strict?: boolean
  enableJsonFlag?: boolean
}

/** The parse result: the fields oclif's parse returns that svidkit's commands read. */
export interface LiteParsed {
  args: Record<string, string | undefined>
  flags: Record<string, unknown>
  argv: string[]
}

const JSON_FLAG: LiteFlag = {type: 'boolean', kind: 'boolean', description: 'Format output as json.'}

function checkDefinitions(flags: Record<string, LiteFlag>, args: Record<string, LiteArg>): void {
  for (const [name, def] of Object.entries(flags)) {
    const extra = Object.keys(def).find((k) => !FLAG_KEYS.has(k))
    if (extra) throw new NeedsOclif(`flag --${name} uses "${extra}"`)
    if (def.multiple && def.default !== undefined) throw new NeedsOclif(`flag --${name} has a multiple default`)
    if (typeof def.default === 'function') throw new NeedsOclif(`flag --${name} has a computed default`)
  }
  for (const [name, def] of Object.entries(args)) {
    const extra = Object.keys(def).find((k) => !ARG_KEYS.has(k))
    if (extra) throw new NeedsOclif(`argument ${name} uses "${extra}"`)
  }
}

function flagValue(name: string, def: LiteFlag, input: string): string | number {
  if (def.options && !def.options.includes(input))
    throw new NeedsOclif(`--${name} "${input}" is not one of its options`)
  if (def.kind !== 'integer') return input
  if (!/^-?\d+$/.test(input)) throw new NeedsOclif(`--${name} "${input}" is not an integer`)
  const n = Number.parseInt(input, 10)
  if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max))
    throw new NeedsOclif(`--${name} ${n} is out of range`)
  return n
}

/**
 * Returns the parsed flags and arguments of `argv` for `command`, exactly as oclif's parser
 * returns them; throws NeedsOclif for any argv outside the subset described above.
 */
export function parseLite(command: CommandShape, argv: readonly string[]): LiteParsed {
  const defs: Record<string, LiteFlag> = {
    ...(command.flags ?? {}),
    ...(command.enableJsonFlag ? {json: JSON_FLAG} : {}),
  }
  const argDefs = command.args ?? {}
  checkDefinitions(defs, argDefs)
  const given = new Map<string, string[] | boolean>()
  const positionals: string[] = []
  let lastOption: LiteFlag | undefined
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
    if (!token.startsWith('-') || token === '-') {
      if (lastOption?.multiple) throw new NeedsOclif('a positional argument after a multiple flag')
      positionals.push(token)
      continue
    }
    if (!token.startsWith('--') || token === '--') throw new NeedsOclif(`"${token}"`)
    const eq = token.indexOf('=')
    const name = token.slice(2, eq === -1 ? undefined : eq)
    const negated = name.startsWith('no-') && defs[name] === undefined && defs[name.slice(3)]?.allowNo === true
    const key = negated ? name.slice(3) : name
    const def = defs[key]
    if (def === undefined) throw new NeedsOclif(`unknown flag --${name}`)
    if (given.has(key) && !(def.type === 'option' && def.multiple)) throw new NeedsOclif(`--${key} given twice`)
    if (def.type === 'boolean') {
      if (eq !== -1) throw new NeedsOclif(`--${name} with a value`)
      given.set(key, !negated)
      continue
    }
    if (negated) throw new NeedsOclif(`--${name}`)
    const input = eq === -1 ? argv[++i] : token.slice(eq + 1)
    if (input === undefined || input.startsWith('--')) throw new NeedsOclif(`--${name} without a value`)
    given.set(key, [...((given.get(key) as string[] | undefined) ?? []), input])
    lastOption = def
  }
  const flags: Record<string, unknown> = {}
  for (const [name, def] of Object.entries(defs)) {
    const value = given.get(name)
    if (value === undefined) {
      if (def.required) throw new NeedsOclif(`--${name} is required`)
      if (def.default !== undefined) flags[name] = def.default
      continue
    }
    if (typeof value === 'boolean') flags[name] = value
    else flags[name] = def.multiple ? value.map((v) => flagValue(name, def, v)) : flagValue(name, def, value[0])
    for (const other of def.exclusive ?? [])
      if (given.has(other) || defs[other]?.default !== undefined) throw new NeedsOclif(`--${name} with --${other}`)
    for (const other of def.dependsOn ?? []) if (!given.has(other)) throw new NeedsOclif(`--${name} without --${other}`)
  }
  const names = Object.keys(argDefs)
  if (positionals.length > names.length && command.strict !== false)
    throw new NeedsOclif('more arguments than the command takes')
  const args: Record<string, string | undefined> = {}
  names.forEach((name, i) => {
    if (positionals[i] === undefined && argDefs[name].required) throw new NeedsOclif(`argument ${name} is required`)
    args[name] = positionals[i]
  })
  return {args, flags, argv: positionals}
}
