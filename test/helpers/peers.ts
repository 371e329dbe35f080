/**
 * External peers (openssl, certtool) that interop tests compare svidkit's output with.
 * They are test-only tools: a missing one skips the tests that need it, with one visible
 * warning, instead of failing them.
 */
import {spawnSync} from 'node:child_process'

/** The outcome of a finished child process. */
export interface RunResult {
  /** Exit status; null when killed by a signal. */
  status: number | null
  stdout: string
  stderr: string
}

/** Options of `run`. */
export interface RunOptions {
  /** Working directory. Default: the current one. */
  cwd?: string
  /** Environment. Default: the current one. */
  env?: NodeJS.ProcessEnv
  /** Bytes or text written to stdin. Default none. */
  input?: string | Uint8Array
  /** Time limit in ms. Default 30 s. */
  timeout?: number
}

/** Returns true when `name` is an executable on PATH. */
export function hasTool(name: string): boolean {
  return spawnSync('which', [name], {stdio: 'ignore'}).status === 0
}

/** Returns the status, stdout and stderr of `cmd args` run to completion (no shell). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    input: opts.input,
    timeout: opts.timeout ?? 30_000,
    encoding: 'utf8',
  })
  if (r.error) throw r.error
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

export const hasOpenssl = hasTool('openssl')
export const hasCerttool = hasTool('certtool')

const warned = new Set<string>()

/** Prints, once per tool and test file, why the tests that need `name` are skipped. */
export function warnIfMissing(name: string, present: boolean): void {
  if (present || warned.has(name)) return
  warned.add(name)
  const pkg = name === 'certtool' || name.startsWith('gnutls') ? 'gnutls-bin' : name
  console.warn(
    `[svidkit tests] "${name}" not found on PATH: skipping the tests that need it (apt-get install -y ${pkg})`,
  )
}

/** `openssl req` arguments for a new unencrypted P-256 key (CSRs and CAs made by openssl in tests). */
export const OPENSSL_NEW_P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
