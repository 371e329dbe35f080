/**
 * Runs a child process (and everything it starts) with a time limit: the child leads its own
 * process group, which is killed whole when the limit passes, so nothing outlives the test.
 */
import {spawn} from 'node:child_process'

/** What a bounded run produced. */
export interface BoundedResult {
  /** Exit status; null when killed. */
  status: number | null
  /** True when the time limit killed it. */
  timedOut: boolean
  /** stdout and stderr interleaved, last 20,000 characters. */
  output: string
  /** Wall time in ms. */
  ms: number
}

/** Returns the outcome of `cmd args` in `cwd`, killed with its process group after `timeoutMs`. */
export function runBounded(
  cmd: string,
  args: string[],
  opts: {cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number; nice?: boolean},
): Promise<BoundedResult> {
  const start = Date.now()
  return new Promise((resolve, reject) => {
    // nice: heavy jobs (npm ci, builds) yield the CPU to the timing-sensitive tests running beside them.
    const [file, argv] = opts.nice ? ['nice', ['-n', '10', cmd, ...args]] : [cmd, args]
    const child = spawn(file, argv, {cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    let timedOut = false
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        // Only a real child group: a pid of 1 or less would make this kill(-1) or kill(0).
        if (child.pid !== undefined && child.pid > 1) process.kill(-child.pid, signal)
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      killGroup('SIGTERM')
      setTimeout(() => killGroup('SIGKILL'), 5_000).unref()
    }, opts.timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (status) => {
      clearTimeout(timer)
      killGroup('SIGKILL') // stragglers the command left behind
      resolve({status, timedOut, output, ms: Date.now() - start})
    })
  })
}

/** Returns the environment without what npm and vitest add (npm_*, INIT_CWD, VITEST*, NODE_ENV) and without node_modules/.bin on PATH: a user's shell. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|VITEST|NODE_ENV$|NODE_OPTIONS$|TEST$)/i.test(k)) continue
    env[k] = v
  }
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => !p.includes('node_modules/.bin'))
    .join(':')
  return {...env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', ...extra}
}
