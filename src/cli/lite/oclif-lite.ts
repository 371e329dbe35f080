/**
 * The part of @oclif/core that the one-shot commands (verify, inspect, issue, ca init,
 * bundle convert) use, without oclif's start-up: no Config.load, no plugin discovery, no
 * help machinery. `npm run build` bundles those commands a second time with '@oclif/core'
 * resolved to this module (scripts/bundle.js, dist/lite/); bin/run.js runs that copy first.
 *
 * The parser accepts only the argument lists it can prove oclif would read the same way:
 * long flags of the kinds below, values, positional arguments. Everything else (an unknown
 * or repeated flag, a bad value, a missing required flag, `--`, short flags, a greedy
 * `multiple` flag followed by a positional) throws NeedsOclif before the command does
 * anything, and bin/run.js runs the same argv through oclif, which accepts it or words
 * the usage error. test/cli/lite-parse.test.ts compares the two parsers on generated argv.
 */
import {format, inspect} from 'node:util'

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

/** A flag definition as the lite Flags builders return it (the options oclif's builders take). */
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

const FLAG_KEYS = new Set([
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
])
const ARG_KEYS = new Set(['description', 'required', 'hidden', 'ignoreStdin'])

type FlagOptions = Omit<LiteFlag, 'type' | 'kind'>

export const Flags = {
  string: (o: FlagOptions = {}): LiteFlag => ({...o, type: 'option', kind: 'string'}),
  integer: (o: FlagOptions = {}): LiteFlag => ({...o, type: 'option', kind: 'integer'}),
  boolean: (o: FlagOptions = {}): LiteFlag => ({...o, type: 'boolean', kind: 'boolean'}),
}

export const Args = {
  string: (o: LiteArg = {}): LiteArg => ({...o}),
}

/** oclif's CLIError: a message and an exit code (2 unless given). */
class CLIError extends Error {
  readonly oclif: {exit: number}
  constructor(message: string, options: {exit?: number} = {}) {
    super(message)
    this.oclif = {exit: options.exit ?? 2}
  }
}

/** oclif's ExitError: ends the command with this exit code, printing nothing. */
class ExitError extends CLIError {
  readonly code = 'EEXIT'
  constructor(exit: number) {
    super(`EEXIT: ${exit}`, {exit})
  }
}

export const Errors = {CLIError, ExitError}

export const ux = {
  stdout: (str = '', ...args: unknown[]): void => console.log(format(str, ...args)),
  stderr: (str = '', ...args: unknown[]): void => console.error(format(str, ...args)),
  /** oclif's colorizeJson without a theme: the pretty-printed JSON text. */
  colorizeJson: (json: unknown, options: {pretty?: boolean} = {}): string => {
    const value = typeof json === 'string' ? JSON.parse(json) : json
    return options.pretty === false ? JSON.stringify(value) : JSON.stringify(value, null, 2)
  },
}

/** What a command class declares, as the parser reads it. */
interface CommandShape {
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
  if (def.options && !def.options.includes(input)) throw new NeedsOclif(`--${name} "${input}" is not one of its options`)
  if (def.kind !== 'integer') return input
  if (!/^-?\d+$/.test(input)) throw new NeedsOclif(`--${name} "${input}" is not an integer`)
  const n = Number.parseInt(input, 10)
  if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) throw new NeedsOclif(`--${name} ${n} is out of range`)
  return n
}

/**
 * Returns the parsed flags and arguments of `argv` for `command`, exactly as oclif's parser
 * returns them; throws NeedsOclif for any argv outside the subset described above.
 */
export function parseLite(command: CommandShape, argv: readonly string[]): LiteParsed {
  const defs: Record<string, LiteFlag> = {...(command.flags ?? {}), ...(command.enableJsonFlag ? {json: JSON_FLAG} : {})}
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
    for (const other of def.exclusive ?? []) if (given.has(other) || defs[other]?.default !== undefined) throw new NeedsOclif(`--${name} with --${other}`)
    for (const other of def.dependsOn ?? []) if (!given.has(other)) throw new NeedsOclif(`--${name} without --${other}`)
  }
  const names = Object.keys(argDefs)
  if (positionals.length > names.length && command.strict !== false) throw new NeedsOclif('more arguments than the command takes')
  const args: Record<string, string | undefined> = {}
  names.forEach((name, i) => {
    if (positionals[i] === undefined && argDefs[name].required) throw new NeedsOclif(`argument ${name} is required`)
    args[name] = positionals[i]
  })
  return {args, flags, argv: positionals}
}

/** The configuration fields svidkit's commands read (oclif's Config has many more). */
export interface LiteConfig {
  bin: string
  scopedEnvVar(key: string): string | undefined
}

/** Returns the configuration of a lite run for the CLI named `bin`. */
export function liteConfig(bin: string): LiteConfig {
  const prefix = bin.replaceAll('@', '').replaceAll(/[/-]/g, '_').toUpperCase()
  return {bin, scopedEnvVar: (key) => process.env[`${prefix}_${key}`]}
}

/** oclif's Command, for commands whose whole life is parse, run, print and exit. */
export abstract class Command {
  static id: string | undefined
  static enableJsonFlag = false
  static strict = true
  static args: Record<string, LiteArg> = {}
  static flags: Record<string, LiteFlag> = {}
  id: string | undefined
  parsed = false

  constructor(
    public argv: string[],
    public config: LiteConfig,
  ) {
    this.id = this.ctor.id
  }

  get ctor(): typeof Command {
    return this.constructor as typeof Command
  }

  abstract run(): Promise<unknown>

  async init(): Promise<void> {}

  async finally(_err: Error | undefined): Promise<void> {}

  async catch(err: Error): Promise<unknown> {
    throw err
  }

  /** oclif's _run: run, catch, finally, then the JSON document of the result. */
  async _run(): Promise<unknown> {
    let err: Error | undefined
    let result: unknown
    try {
      await this.init()
      result = await this.run()
    } catch (error) {
      if (isNeedsOclif(error)) throw error
      err = error as Error
      await this.catch(err)
    } finally {
      await this.finally(err)
    }
    if (result && this.jsonEnabled()) this.logJson(result)
    return result
  }

  async parse(options: CommandShape = this.ctor, argv: string[] = this.argv): Promise<LiteParsed> {
    const parsed = parseLite(options, argv)
    this.parsed = true
    return parsed
  }

  jsonEnabled(): boolean {
    if (!this.ctor.enableJsonFlag) return false
    if (this.config.scopedEnvVar('CONTENT_TYPE')?.toLowerCase() === 'json') return true
    const dashdash = this.argv.indexOf('--')
    const json = this.argv.indexOf('--json')
    return json !== -1 && (dashdash === -1 || json < dashdash)
  }

  log(message: unknown = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) ux.stdout(typeof message === 'string' ? message : inspect(message), ...args)
  }

  logToStderr(message: unknown = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) ux.stderr(typeof message === 'string' ? message : inspect(message), ...args)
  }

  logJson(json: unknown): void {
    ux.stdout(ux.colorizeJson(json, {pretty: true}))
  }

  error(input: string | Error, options: {exit?: number} = {}): never {
    throw typeof input === 'string' ? new CLIError(input, options) : input
  }

  exit(code = 0): never {
    throw new ExitError(code)
  }
}

// As oclif's command module does: a closed stdout (`svidkit inspect x | head -1`) is not an error.
// Once per process: every lite bundle holds a copy of this module, and a process that loads
// several (the tests do) would otherwise add one listener each (MaxListenersExceededWarning).
const EPIPE_HANDLED = Symbol.for('svidkit.lite.stdout-epipe')
const stdout = process.stdout as NodeJS.WriteStream & {[EPIPE_HANDLED]?: true}
if (!stdout[EPIPE_HANDLED]) {
  stdout[EPIPE_HANDLED] = true
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err?.code === 'EPIPE') return
    throw err
  })
}
