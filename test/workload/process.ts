/** `svidkit workload-api serve` as a child process for tests: its stdout lines, stderr, exit and pid. */
import {spawn, type ChildProcess} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {REPO} from '../helpers/cli.js'

const BIN = join(REPO, 'bin', 'run.js')

/** A running svidkit process. */
export interface Proc {
  child: ChildProcess
  stdout: string[]
  stderr: string
  exit: Promise<number | null>
  /** Resolves with the first stdout line matching `re` (rejects after 15 s, killing the process). */
  line(re: RegExp): Promise<string>
}

/** Starts `svidkit <args>` in `cwd` (killed by SIGKILL when a `line` wait times out). */
export function startSvidkit(args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {cwd, stdio: ['ignore', 'pipe', 'pipe']})
  const p: Proc = {
    child,
    stdout: [],
    stderr: '',
    exit: new Promise((r) => child.once('close', (code) => r(code))),
    line: () => Promise.resolve(''),
  }
  let buf = ''
  const waiters: (() => void)[] = []
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    const lines = buf.split('\n')
    buf = lines.pop()!
    p.stdout.push(...lines)
    waiters.splice(0).forEach((w) => w())
  })
  child.stderr!.on('data', (d: Buffer) => (p.stderr += d.toString()))
  p.line = (re) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`no line ${re} in ${JSON.stringify(p.stdout)} / ${p.stderr}`))
      }, 15_000)
      const check = () => {
        const hit = p.stdout.find((l) => re.test(l))
        if (hit !== undefined) {
          clearTimeout(timer)
          resolve(hit)
        } else waiters.push(check)
      }
      check()
    })
  return p
}

/** Returns the number of open file descriptors of process `pid` (Linux /proc). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

/** Resolves once `done()` holds, polling every 50 ms at most `tries` times; returns whether it held. */
export async function eventually(done: () => boolean, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (done()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return done()
}
