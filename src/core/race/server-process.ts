import {fork, type ChildProcess} from 'node:child_process'
import {existsSync, readFileSync, readdirSync, readlinkSync, realpathSync} from 'node:fs'
import {connect} from 'node:net'
import {fileURLToPath} from 'node:url'
import {escapeControlOnly} from '../escape.js'
import {SvidkitError} from '../errors.js'
import type {SupervisorMessage, SupervisorRequest} from './supervisor-protocol.js'

const KEEP_LINES = 20

/** The supervisor entry (compiled), from src/ or dist/ alike: both sit three levels below the package root. */
const SUPERVISOR_ENTRY = fileURLToPath(new URL('../../../dist/core/race/supervisor.js', import.meta.url))

/** The server under test, started by `--server-cmd`. */
export interface ServerProcess {
  /** The pid of `/bin/sh -c CMD`, which is also its process group's id (-1 until started: see `started`). */
  pid: number
  /** Resolves once the command runs (or failed to start). */
  started: Promise<void>
  /** The last lines of its stdout and stderr (interleaved, as they came). */
  lastLines(): string[]
  /** Set once it exited: its status (or the signal that ended it) and when (monotonic ms). */
  exit?: {status: number | null; signal: string | null}
  exited: Promise<void>
  /** Sends `signal` to the server's whole process group; throws the OS error (ESRCH when it is gone). */
  signalGroup(signal: NodeJS.Signals): void
  /** Stops it: SIGTERM to its process group, SIGKILL after `graceMs`; waits for it to exit. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Returns the server started from a shell command line: every command runs unchanged as
 * `/bin/sh -c CMD` (`FOO=1 cmd`, `exec cmd`, `! cmd`, pipelines), as the leader of a process
 * group of its own, so everything it starts is signalled and stopped with it. Its parent is a
 * small supervisor process (supervisor.ts) that stops the group when svidkit goes away in any
 * way, SIGKILL included: the server never outlives svidkit.
 */
export function startServerProcess(command: string, o: {cwd?: string} = {}): ServerProcess {
  if (!existsSync(SUPERVISOR_ENTRY))
    throw new Error(`the supervisor entry "${SUPERVISOR_ENTRY}" is missing: run npm run build`)
  // detached: a session of its own, out of reach of signals aimed at svidkit's terminal group.
  const sup: ChildProcess = fork(SUPERVISOR_ENTRY, [], {detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc']})
  const lines: string[] = []
  let partial = ''
  const take = (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n')
    partial = (parts.pop() ?? '').slice(-4096)
    for (const l of parts) if (l.trim() !== '') lines.push(l.slice(0, 4096))
    if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES)
  }
  sup.stdout?.on('data', take)
  sup.stderr?.on('data', take)
  let onStarted: () => void = () => undefined
  let onExit: () => void = () => undefined
  const p: ServerProcess = {
    pid: -1,
    started: new Promise<void>((r) => (onStarted = r)),
    lastLines: () => (partial.trim() ? [...lines, partial].slice(-KEEP_LINES) : [...lines]),
    exited: Promise.resolve(),
    signalGroup: (signal) => {
      const targets = p.pid < 2 || p.exit ? [] : signalTargets(p.pid)
      if (signalEach(targets, signal) === 0)
        throw Object.assign(new Error('the server started by --server-cmd is not running'), {code: 'ESRCH'})
    },
    stop: async () => undefined,
  }
  p.exited = new Promise<void>((r) => (onExit = r))
  const ended = (exit: {status: number | null; signal: string | null}) => {
    p.exit ??= exit
    onStarted()
    onExit()
  }
  sup.on('message', (raw: unknown) => {
    const m = raw as SupervisorMessage
    if (m.type === 'started') {
      p.pid = m.pid
      onStarted()
    } else if (m.type === 'exit') ended({status: m.status, signal: m.signal})
    else if (m.type === 'error') {
      lines.push(`cannot start: ${m.message}`)
      ended({status: null, signal: null})
    }
  })
  // A supervisor that died (killed by someone) takes nothing with it: say the server is gone from our view.
  sup.once('exit', () => ended({status: null, signal: 'SIGKILL'}))
  sup.once('error', (err) => {
    lines.push(`cannot start: ${err.message}`)
    ended({status: null, signal: null})
  })
  sup.send({type: 'start', command, cwd: o.cwd} satisfies SupervisorRequest)
  const supExited = new Promise<void>((r) =>
    sup.exitCode !== null || sup.signalCode !== null ? r() : sup.once('exit', () => r()),
  )
  p.stop = async (graceMs = 3000) => {
    if (sup.connected) sup.send({type: 'stop', graceMs} satisfies SupervisorRequest)
    const fallback = setTimeout(() => {
      // The supervisor did not finish: stop the group and the supervisor ourselves.
      try {
        if (p.pid > 1) process.kill(-p.pid, 'SIGKILL')
      } catch {
        // the group is gone already
      }
      sup.kill('SIGKILL')
    }, graceMs + 2000)
    await supExited
    clearTimeout(fallback)
  }
  return p
}

/** Returns the pids of the processes in process group `pgid`, read from /proc (Linux). */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1')
    } catch {
      continue // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(fields[2]) === pgid) members.push(Number(name))
  }
  return members
}

/**
 * Sends `signal` to each of `pids` and returns how many got it. A member that exited between the
 * read of its group and the signal (apache's old workers leave during a graceful restart) is
 * skipped, not an error: the reload reached the server when any member got it. Other errors throw.
 */
export function signalEach(
  pids: number[],
  signal: NodeJS.Signals,
  kill: (pid: number, signal: NodeJS.Signals) => void = (pid, s) => process.kill(pid, s),
): number {
  let delivered = 0
  for (const pid of pids) {
    try {
      kill(pid, signal)
      delivered++
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
    }
  }
  return delivered
}

let shellExe: string | undefined

/**
 * Returns who gets a reload signal meant for the `--server-cmd` server: every process of its
 * group except the shell svidkit started when that shell is still a shell (dash runs a
 * command as its child instead of exec'ing it, and a shell dies of most signals, which would
 * end the run as "server exited"). After an `exec` the leader is the server itself.
 */
function signalTargets(pgid: number): number[] {
  shellExe ??= realpathSync('/bin/sh')
  let leaderExe: string | undefined
  try {
    leaderExe = readlinkSync(`/proc/${pgid}/exe`)
  } catch {
    leaderExe = undefined
  }
  return processGroupMembers(pgid).filter((pid) => pid !== pgid || leaderExe !== shellExe)
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
export async function waitForPort(
  host: string,
  port: number,
  o: {timeoutMs: number; server?: ServerProcess; abort?: AbortSignal},
): Promise<void> {
  const until = Date.now() + o.timeoutMs
  await o.server?.started
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
function exitText(e: {status: number | null; signal: string | null}): string {
  return e.signal ? `signal ${e.signal}` : `status ${e.status}`
}

function tail(s: ServerProcess): string {
  const last = s.lastLines().slice(-3)
  return last.length
    ? `; its last lines: ${last.map((l) => `"${escapeControlOnly(l.trim().slice(0, 200))}"`).join(' | ')}`
    : ''
}
