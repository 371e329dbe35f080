/**
 * The part of @oclif/core that the one-shot commands (verify, inspect, issue, ca init,
 * bundle convert) use, without oclif's start-up: no Config.load, no plugin discovery, no
 * help machinery. `npm run build` bundles those commands a second time with '@oclif/core'
 * resolved to this module (scripts/bundle.js, dist/bundle/lite/); bin/run.js runs that copy
 * first, and hands the argv to oclif when the lite parser cannot read it (parse-lite.ts).
 *
 * THE SURFACE a lite command (and every module it imports) may use, and nothing else:
 * - `Flags.string`, `Flags.integer`, `Flags.boolean` and `Args.string`, with the options in
 *   interfaces.ts (no `char`, `parse`, `env`, `relationships`, custom or file flags);
 * - `Errors.CLIError`, `Errors.ExitError`; `ux.stdout`, `ux.stderr`, `ux.colorizeJson`;
 * - a `Command` with oclif's statics (summary, description, examples, usage, hidden,
 *   aliases, strict, enableJsonFlag, flags, args, id) and these members: argv, config.bin,
 *   config.scopedEnvVar, id, ctor, init, parse, run, catch, finally, jsonEnabled, log,
 *   logToStderr, logJson, error, exit (no `warn`, `debug`, `toSuccessJson`, `config.runHook`…);
 * - `Interfaces`: the few parser types base-command.ts names (interfaces.ts).
 * Every type here is oclif's (or a part of it), so a command type-checks the same against
 * both; `npm run typecheck:lite` (in `npm test`) checks the lite commands against this
 * module, so a use of anything else fails there instead of as `error [internal]` on the lite
 * path only (test/cli/lite-types.test.ts shows it does). A new lite command goes in
 * LITE_COMMANDS (scripts/bundle.js) and in tsconfig.lite.json's files.
 */
import {format, inspect} from 'node:util'
import type {
  Arg,
  ArgInput,
  ArgOutput,
  BooleanFlag,
  FlagInput,
  FlagOutput,
  FlagValue,
  Input,
  LiteArgOptions,
  LiteBooleanOptions,
  LiteIntegerOptions,
  LiteStringOptions,
  Only,
  OptionFlag,
  ParserOutput,
} from './interfaces.js'
import {isNeedsOclif, parseLite, type CommandShape, type LiteFlag} from './parse-lite.js'

export {NeedsOclif, isNeedsOclif, parseLite, type LiteArg, type LiteFlag, type LiteParsed} from './parse-lite.js'
export type * as Interfaces from './interfaces.js'

// The builders make a LiteFlag (parse-lite.ts reads it); the type checker sees oclif's flag type.
// `= {}` is oclif's own default for a builder's options (no option given), kept for the same inference.
/* eslint-disable @typescript-eslint/no-empty-object-type */
const optionFlag = (o: object, kind: LiteFlag['kind']) => ({...o, type: 'option', kind}) as LiteFlag as unknown
export const Flags = {
  string: <const O extends LiteStringOptions = {}>(o?: Only<O, keyof LiteStringOptions>) =>
    optionFlag(o ?? {}, 'string') as OptionFlag<FlagValue<string, O>>,
  integer: <const O extends LiteIntegerOptions = {}>(o?: Only<O, keyof LiteIntegerOptions>) =>
    optionFlag(o ?? {}, 'integer') as OptionFlag<FlagValue<number, O>>,
  boolean: <const O extends LiteBooleanOptions = {}>(o?: Only<O, keyof LiteBooleanOptions>) =>
    ({...o, type: 'boolean', kind: 'boolean'}) as LiteFlag as unknown as BooleanFlag<boolean>,
}

export const Args = {
  string: <const O extends LiteArgOptions = {}>(o?: Only<O, keyof LiteArgOptions>) =>
    ({...o}) as unknown as Arg<O extends {required: true} ? string : string | undefined>,
}
/* eslint-enable @typescript-eslint/no-empty-object-type */

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
  stdout: (str: string | string[] = '', ...args: unknown[]): void => console.log(format(str, ...args)),
  stderr: (str: string | string[] = '', ...args: unknown[]): void => console.error(format(str, ...args)),
  /** oclif's colorizeJson without a theme: the pretty-printed JSON text. */
  colorizeJson: (json: unknown, options: {pretty?: boolean} = {}): string => {
    const value = typeof json === 'string' ? JSON.parse(json) : json
    return options.pretty === false ? JSON.stringify(value) : JSON.stringify(value, null, 2)
  },
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
  static summary?: string
  static description: string | undefined
  static examples: Command.Example[] = []
  static usage: string | string[] | undefined
  static hidden = false
  static aliases: string[] = []
  static enableJsonFlag = false
  static strict = true
  static args: ArgInput = {}
  static flags: FlagInput = {}
  id: string | undefined
  parsed = false

  constructor(
    public argv: string[],
    public config: LiteConfig,
  ) {
    this.id = this.ctor.id
  }

  protected get ctor(): typeof Command {
    return this.constructor as typeof Command
  }

  abstract run(): Promise<unknown>

  protected async init(): Promise<void> {}

  protected async finally(_err: Error | undefined): Promise<void> {}

  protected async catch(err: Error): Promise<unknown> {
    throw err
  }

  /** oclif's _run: run, catch, finally, then the JSON document of the result (called by run.ts). */
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

  protected async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options?: Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<ParserOutput<F, B, A>> {
    const parsed = parseLite((options ?? this.ctor) as CommandShape, argv)
    this.parsed = true
    return parsed as unknown as ParserOutput<F, B, A>
  }

  jsonEnabled(): boolean {
    if (!this.ctor.enableJsonFlag) return false
    if (this.config.scopedEnvVar('CONTENT_TYPE')?.toLowerCase() === 'json') return true
    const dashdash = this.argv.indexOf('--')
    const json = this.argv.indexOf('--json')
    return json !== -1 && (dashdash === -1 || json < dashdash)
  }

  log(message: string = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) ux.stdout(typeof message === 'string' ? message : inspect(message), ...args)
  }

  logToStderr(message: string = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) ux.stderr(typeof message === 'string' ? message : inspect(message), ...args)
  }

  protected logJson(json: unknown): void {
    ux.stdout(ux.colorizeJson(json, {pretty: true}))
  }

  error(input: string | Error, options: {exit?: number} = {}): never {
    throw typeof input === 'string' ? new CLIError(input, options) : input
  }

  exit(code = 0): never {
    throw new ExitError(code)
  }
}

// oclif declares Command.Example in a namespace merged with the class: the same shape here.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace Command {
  /** oclif's Command.Example. */
  type Example = string | {description: string; command: string}
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
