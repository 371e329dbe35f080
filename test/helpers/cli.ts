/**
 * Runs svidkit commands in-process with @oclif/test's runCommand. Commands load from
 * oclif.manifest.json and dist/, so `npm run build` must have run (npm's pretest does it).
 */
import {Config, settings} from '@oclif/core'
import {runCommand} from '@oclif/test'
import {resolve} from 'node:path'
import {format} from 'node:util'
import {expect} from 'vitest'

/** The repository root (where package.json and oclif.manifest.json are). */
export const REPO = resolve(import.meta.dirname, '../..')

/** What one in-process command run produced. */
export interface CliResult {
  /** The exit code the process would have had (runCommand never exits: it is read from the error). */
  exit: number
  stdout: string
  stderr: string
  /** The value `run()` returned, on success. */
  result?: unknown
  error?: Error & {oclif?: {exit?: number}}
}

let config: Promise<Config> | undefined

// runCommand sets NODE_ENV=test, where oclif maps dist/commands back to TypeScript sources
// through tsconfig.json; its rootDir is '.', not 'src', so the lookup fails and oclif warns
// once on stderr before loading dist/ anyway. The manifest points at dist/: say so.
settings.enableAutoTranspile = false

/**
 * runCommand joins its arguments with spaces and splits them again, honouring double
 * quotes: quote the ones that would not survive that (empty, or holding whitespace).
 */
function protect(arg: string): string {
  if (arg.includes('"')) throw new Error(`runCli cannot pass an argument holding a double quote: ${arg}`)
  return arg === '' || /\s/.test(arg) ? `"${arg}"` : arg
}

/**
 * Returns the exit code and captured output of `svidkit <args>` run in this process.
 * oclif prints through console.log/console.error, which vitest intercepts unless
 * `disableConsoleIntercept` is set (stack.md): route them to the process streams that
 * runCommand captures, for the duration of the run only.
 */
export async function runCli(args: string[]): Promise<CliResult> {
  const saved = {log: console.log, error: console.error, warn: console.warn, info: console.info}
  console.log = (...a: unknown[]) => void process.stdout.write(`${format(...a)}\n`)
  console.info = console.log
  console.error = (...a: unknown[]) => void process.stderr.write(`${format(...a)}\n`)
  console.warn = console.error
  // A DEBUG=svidkit* in the developer's shell would add stack traces the tests forbid.
  const debug = process.env.DEBUG
  delete process.env.DEBUG
  try {
    config ??= Config.load({root: REPO})
    const r = await runCommand(args.map(protect), await config)
    const error = r.error as CliResult['error']
    const exit = error ? (error.oclif?.exit ?? 1) : 0
    return {exit, stdout: r.stdout, stderr: r.stderr, result: r.result, error}
  } finally {
    Object.assign(console, saved)
    if (debug !== undefined) process.env.DEBUG = debug
  }
}

/** Returns the one JSON document on stdout; throws when stdout holds anything else. */
export function jsonOf(stdout: string): unknown {
  return JSON.parse(stdout)
}

/** A line of a stack trace as Node prints it. */
export const STACK_LINE = /^ {4}at /m

/** One row of a bad-input table: the arguments, the exit code and the reason code expected. */
export interface FailureCase {
  name: string
  args: string[]
  exit: number
  code: string
}

/** A failure document: `{ok: false, error}` from most commands, `{valid: false, errors: [...]}` from verify. */
export interface FailureDoc {
  ok?: boolean
  valid?: boolean
  error?: {code?: string; message?: string; hint?: string}
  errors?: {code?: string; message?: string; hint?: string}[]
}

/** Returns the primary failure of a JSON document and whether it says "not ok", in either shape. */
export function failureOf(doc: FailureDoc): {
  failed: boolean
  error?: {code?: string; message?: string; hint?: string}
} {
  if (doc.errors) return {failed: doc.valid === false, error: doc.errors[0]}
  return {failed: doc.ok === false, error: doc.error}
}

/**
 * Asserts a failed run in human or JSON mode (cli-contract.md): the exit code, the reason
 * code (in `error [code]:` on stderr, or `error.code` of the one JSON document on stdout),
 * and no stack trace anywhere.
 */
export function expectFailure(r: CliResult, want: {exit: number; code: string; json: boolean}): void {
  const seen = {exit: r.exit, stack: STACK_LINE.test(r.stderr) || STACK_LINE.test(r.stdout)}
  if (want.json) {
    const {failed, error} = failureOf(jsonOf(r.stdout) as FailureDoc)
    expect({...seen, code: error?.code, failed, stderr: r.stderr}).toEqual({
      exit: want.exit,
      stack: false,
      code: want.code,
      failed: true,
      stderr: '',
    })
    // Lowercase (acronyms aside), no final period (STYLE habit 4).
    expect(error?.message).toMatch(/^(?![A-Z][a-z]).*[^.]$/)
    expect(error?.hint).toBeTruthy()
  } else {
    expect({...seen, stdout: r.stdout}).toEqual({exit: want.exit, stack: false, stdout: ''})
    expect(r.stderr).toMatch(new RegExp(`^error \\[${want.code}\\]: \\S.*\\n  hint: \\S`))
  }
}
