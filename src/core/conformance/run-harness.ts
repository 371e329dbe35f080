/**
 * Runs a harness the x509-limbo way: the suite on stdin, the results JSON on stdout, logs
 * on stderr; bounded in time and output, its whole process group stopped on timeout or
 * when the caller is interrupted.
 */
import {spawn} from 'node:child_process'
import {SvidkitError} from '../errors.js'
import {parseHarnessResults, type HarnessResults} from './results.js'

/** Default time a harness may take for the whole suite. */
export const DEFAULT_HARNESS_TIMEOUT_MS = 300_000
/** Default cap on a harness's stdout; stderr keeps only its tail. */
export const DEFAULT_HARNESS_MAX_OUTPUT = 32 * 1024 * 1024
const STDERR_TAIL = 4096

/** Options of {@link runHarness}. */
interface RunHarnessOptions {
  /** Shell command line (run with /bin/sh -c). */
  command: string
  /** The suite JSON text. */
  input: string
  /** Default {@link DEFAULT_HARNESS_TIMEOUT_MS}. */
  timeoutMs?: number
  /** Default {@link DEFAULT_HARNESS_MAX_OUTPUT}. */
  maxOutput?: number
  signal?: AbortSignal
}

function failed(message: string, stderr: string): SvidkitError {
  const tail = stderr.trim().split('\n').slice(-3).join(' | ')
  return new SvidkitError('harness-failed', `${message}${tail ? `; stderr: ${tail}` : ''}`)
}

/** Returns the harness's parsed results; throws `harness-failed` when it fails, times out or prints too much. */
export function runHarness(o: RunHarnessOptions): Promise<HarnessResults> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_HARNESS_TIMEOUT_MS
  const max = o.maxOutput ?? DEFAULT_HARNESS_MAX_OUTPUT
  return new Promise((resolve, reject) => {
    // detached: the harness leads its own process group, so the whole tree can be stopped.
    const child = spawn('/bin/sh', ['-c', o.command], {stdio: ['pipe', 'pipe', 'pipe'], detached: true})
    const out: Buffer[] = []
    let size = 0
    let stderr = ''
    let why: string | undefined
    const stop = (reason: string) => {
      why ??= reason
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => stop(`harness timed out after ${Math.round(timeoutMs / 1000)}s`), timeoutMs)
    const onAbort = () => stop('interrupted')
    o.signal?.addEventListener('abort', onAbort, {once: true})
    child.stdout.on('data', (b: Buffer) => {
      size += b.length
      if (size > max) stop(`harness wrote more than ${max} bytes on stdout`)
      else out.push(b)
    })
    child.stderr.on('data', (b: Buffer) => void (stderr = (stderr + b.toString('utf8')).slice(-STDERR_TAIL)))
    child.stdin.on('error', () => {}) // a harness may exit without reading everything
    child.stdin.end(o.input)
    child.on('error', (err) => stop(`cannot start the harness: ${err.message}`))
    child.on('close', (code, sig) => {
      clearTimeout(timer)
      o.signal?.removeEventListener('abort', onAbort)
      if (why) return reject(failed(why, stderr))
      if (code !== 0) return reject(failed(`harness exited with ${code ?? sig}`, stderr))
      try {
        resolve(parseHarnessResults(Buffer.concat(out).toString('utf8')))
      } catch (err) {
        reject(err)
      }
    })
  })
}
