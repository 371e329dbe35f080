import {Command, Errors, type Interfaces} from '@oclif/core'
import {constants as osConstants} from 'node:os'
import {SvidkitError, isSvidkitError, type ExitCode} from '../core/errors.js'
import {renderError} from './render-error.js'
import {isParseError, usageFromParseError, type UsageContext} from './usage-errors.js'
import {style} from './style.js'
import {checkPathValues} from './flags.js'

/** Returns 128 + the number of the signal named `reason` (130 for anything unknown, as for SIGINT). */
function interruptExitCode(reason: unknown): number {
  const n = typeof reason === 'string' ? osConstants.signals[reason as NodeJS.Signals] : undefined
  return n === undefined ? 130 : 128 + n
}

function debugEnabled(): boolean {
  return /(^|,)\s*svidkit/.test(process.env.DEBUG ?? '')
}

/** Returns the SvidkitError for anything thrown: oclif parse errors are usage errors, the rest internal. */
export function toSvidkitError(err: unknown, ctx: UsageContext = {}): SvidkitError {
  if (isSvidkitError(err)) return err
  if (isParseError(err)) return usageFromParseError(err, ctx)
  const e = err as Error | undefined
  return new SvidkitError('internal', `internal error: ${e?.message ?? String(e)}`, {cause: e})
}

/**
 * The base of every svidkit command: `--json` for free, one error path that maps the
 * core's SvidkitError to the exit codes of docs/errors.md in human and JSON mode alike,
 * and no stack trace unless DEBUG=svidkit*.
 */
export abstract class SvidkitCommand extends Command {
  static override enableJsonFlag = true

  /**
   * Positional arguments come from the command line only. oclif reads a missing positional
   * argument from piped standard input, so `cat svid_key.pem | svidkit verify` made the key
   * the file name and printed it in the error; "-" alone means standard input, and only
   * where a command reads it. Every argument definition gets `ignoreStdin` before parsing
   * (the lite parser never reads standard input, so both paths see the same argv).
   */
  override async init(): Promise<void> {
    for (const arg of Object.values(this.ctor.args ?? {})) (arg as {ignoreStdin?: boolean}).ignoreStdin = true
    await super.init()
  }

  /** Prints warnings on stderr in human mode (JSON mode carries them in the document). */
  protected warnings(list: string[]): void {
    if (this.jsonEnabled()) return
    for (const w of list) process.stderr.write(`${style.yellow('warning:')} ${w}\n`)
  }

  /**
   * Ends the command with a non-zero exit after printing `result`: the JSON document in
   * JSON mode (human output is printed by the caller before).
   */
  protected finish(result: object, exit: ExitCode): never {
    if (this.jsonEnabled()) this.logJson(result)
    throw new Errors.ExitError(exit)
  }

  /** Ends the command with this exit code after everything was printed. */
  protected exitWith(exit: ExitCode): never {
    throw new Errors.ExitError(exit)
  }

  /**
   * Returns a signal aborted on SIGINT or SIGTERM (and on SIGHUP and SIGQUIT when `hangup`:
   * a command with children handles a closed terminal or a quit like a termination), its
   * reason the signal's name. Long-running commands stop their children, remove their temp
   * files, then end with `exitForInterrupt`.
   */
  protected interruptSignal(o: {hangup?: boolean} = {}): AbortSignal {
    const ac = new AbortController()
    const signals: NodeJS.Signals[] = o.hangup ? ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] : ['SIGINT', 'SIGTERM']
    const remove = () => {
      for (const s of signals) process.removeListener(s, stop)
    }
    const stop = (sig: NodeJS.Signals) => {
      remove()
      ac.abort(sig)
    }
    for (const s of signals) process.once(s, stop)
    this.removeOnFinish.push(remove)
    return ac.signal
  }

  /** Listeners the command added to `process`, removed when it ends (commands also run in-process, e.g. in tests). */
  private removeOnFinish: (() => void)[] = []

  protected override async finally(err: Error | undefined): Promise<void> {
    for (const remove of this.removeOnFinish.splice(0)) remove()
    return super.finally(err)
  }

  /** Ends the command with 128 + the signal's number (SIGINT 130, SIGTERM 143, SIGHUP 129, SIGQUIT 131) when `signal` was aborted by one; returns otherwise. */
  protected exitForInterrupt(signal: AbortSignal): void {
    if (!signal.aborted) return
    throw new Errors.ExitError(interruptExitCode(signal.reason))
  }

  /** oclif's parse, then the checks every command shares: no path flag may be empty (flags.ts). */
  protected override async parse<
    F extends Record<string, unknown>,
    B extends Record<string, unknown>,
    A extends Record<string, unknown>,
  >(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    checkPathValues(parsed.flags, parsed.args)
    return parsed
  }

  protected override async catch(err: Error & {oclif?: {exit?: number}}): Promise<void> {
    if (err instanceof Errors.ExitError) throw err
    const command = [this.config.bin, ...(this.id ?? '').split(':')].filter(Boolean).join(' ')
    const e = toSvidkitError(err, {command, flagNames: Object.keys(this.ctor.flags ?? {})})
    renderError(e, this.jsonEnabled())
    if (debugEnabled()) process.stderr.write(`${(e.cause as Error | undefined)?.stack ?? e.stack}\n`)
    throw new Errors.ExitError(e.exit)
  }
}
