import {spawn, type ChildProcess} from 'node:child_process'
import {connect} from 'node:net'
import {SvidkitError} from '../errors.js'

const KEEP_LINES = 20

/** The server under test, started by `--server-cmd`. */
export interface ServerProcess {
  pid: number
  /** The last lines of its stdout and stderr (interleaved, as they came). */
  lastLines(): string[]
  /** Set once it exited: its status (or the signal that ended it) and when (monotonic ms). */
  exit?: {status: number | null; signal: string | null}
  exited: Promise<void>
  /** Stops it: SIGTERM to its process group, SIGKILL after `graceMs`; waits for it to exit. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Returns the server started from a shell command line in its own process group (so
 * everything it starts is stopped with it). A simple command is exec'ed by the shell, so
 * the pid is the server's own (what `--reload signal:` needs).
 */
export function startServerProcess(command: string, o: {cwd?: string} = {}): ServerProcess {
  const simple = !/[;&|()<>`$\n]/.test(command)
  const child: ChildProcess = spawn('/bin/sh', ['-c', simple ? `exec ${command}` : command], {
    cwd: o.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let partial = ''
  const take = (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n')
    partial = parts.pop() ?? ''
    for (const l of parts) if (l.trim() !== '') lines.push(l)
    if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES)
  }
  child.stdout?.on('data', take)
  child.stderr?.on('data', take)
  const p: ServerProcess = {
    pid: child.pid ?? -1,
    lastLines: () => (partial.trim() ? [...lines, partial].slice(-KEEP_LINES) : [...lines]),
    exited: Promise.resolve(),
    stop: async () => undefined,
  }
  p.exited = new Promise((resolve) => {
    child.once('exit', (status, signal) => {
      p.exit = {status, signal}
      resolve()
    })
    child.once('error', (err) => {
      lines.push(`cannot start: ${err.message}`)
      p.exit = {status: null, signal: null}
      resolve()
    })
  })
  p.stop = async (graceMs = 3000) => {
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-p.pid, sig)
      } catch {
        // the group is gone already
      }
    }
    kill('SIGTERM')
    const timer = setTimeout(() => kill('SIGKILL'), graceMs)
    let bound: NodeJS.Timeout | undefined
    await Promise.race([p.exited, new Promise((r) => (bound = setTimeout(r, graceMs + 2000)))])
    clearTimeout(timer)
    clearTimeout(bound)
    // Children of the server that outlived it (same group) go too.
    kill('SIGKILL')
  }
  return p
}

/** Resolves when a TCP connection to host:port succeeds; false when it was refused (or timed out). */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({host, port})
    const done = (ok: boolean) => {
      clearTimeout(timer)
      s.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

/**
 * Resolves once host:port accepts connections. Throws an input error (exit 3) naming the
 * address, the wait and the server's last lines when it exits first or the wait runs out.
 */
export async function waitForPort(host: string, port: number, o: {timeoutMs: number; server?: ServerProcess; abort?: AbortSignal}): Promise<void> {
  const until = Date.now() + o.timeoutMs
  for (;;) {
    if (o.abort?.aborted) return
    if (o.server?.exit) {
      throw new SvidkitError(
        'target-unreachable',
        `the server command exited with ${exitText(o.server.exit)} before ${host}:${port} accepted connections${tail(o.server)}`,
        {
          hint: 'run the --server-cmd command by hand and fix what it prints',
        },
      )
    }
    if (await canConnect(host, port, 500)) return
    if (Date.now() > until) {
      throw new SvidkitError(
        'target-unreachable',
        `${host}:${port} did not accept connections within ${o.timeoutMs / 1000} s${o.server ? tail(o.server) : ''}`,
        {
          hint: o.server
            ? 'check that --server-cmd listens on --target, or raise --start-timeout'
            : 'start the server first, or let svidkit start it with --server-cmd',
        },
      )
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Returns "status 1" or "signal SIGKILL". */
export function exitText(e: {status: number | null; signal: string | null}): string {
  return e.signal ? `signal ${e.signal}` : `status ${e.status}`
}

function tail(s: ServerProcess): string {
  const last = s.lastLines().slice(-3)
  return last.length ? `; its last lines: ${last.map((l) => `"${l.trim().slice(0, 200)}"`).join(' | ')}` : ''
}
