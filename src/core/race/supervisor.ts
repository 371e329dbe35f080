/**
 * The supervisor of a `race --server-cmd` server, a small process between svidkit and the
 * server's process group. svidkit forks it (in a session of its own, so a Ctrl-C or a hangup
 * aimed at svidkit's terminal does not reach it) and talks to it over IPC; the supervisor
 * starts `/bin/sh -c CMD` as the leader of a new process group and is that leader's parent.
 *
 * The IPC channel is the parent-death pipe: when svidkit exits in any way, SIGKILL included,
 * the kernel closes it, the supervisor sees `disconnect`, stops the whole group (TERM, then
 * KILL after the grace) and exits. Being the leader's parent, it reaps it, so the group's id
 * cannot be reused by an unrelated process while the supervisor may still signal it.
 */
import {spawn} from 'node:child_process'
import type {SupervisorMessage, SupervisorRequest} from './supervisor-protocol.js'

const GRACE_MS = 3000

let leader: number | undefined
let leaderExited = false
let stopping = false

function send(m: SupervisorMessage): void {
  if (process.connected) process.send?.(m)
}

function killGroup(signal: NodeJS.Signals): void {
  if (leader === undefined) return
  try {
    process.kill(-leader, signal)
  } catch {
    // the group is gone
  }
}

/** Stops the group (TERM, KILL after `graceMs`) and exits once its leader is gone. */
function stop(graceMs: number): void {
  if (stopping) return
  stopping = true
  if (leader === undefined || leaderExited) {
    killGroup('SIGKILL')
    process.exit(0)
  }
  killGroup('SIGTERM')
  setTimeout(() => {
    killGroup('SIGKILL')
    // The leader is our child: it cannot stay after SIGKILL; exit even if its exit event is late.
    setTimeout(() => process.exit(0), 500)
  }, graceMs)
}

function start(command: string, cwd: string | undefined): void {
  const child = spawn('/bin/sh', ['-c', command], {cwd, detached: true, stdio: ['ignore', 'inherit', 'inherit']})
  child.once('error', (err) => {
    send({type: 'error', message: err.message})
    leaderExited = true
  })
  if (child.pid === undefined) return
  leader = child.pid
  send({type: 'started', pid: child.pid})
  child.once('exit', (status, signal) => {
    leaderExited = true
    // Processes the server left in its group go with it (the group id is still ours: members hold it).
    killGroup('SIGKILL')
    send({type: 'exit', status, signal})
    if (stopping) process.exit(0)
  })
}

process.on('message', (raw: unknown) => {
  const m = raw as SupervisorRequest
  if (m.type === 'start' && leader === undefined) start(m.command, m.cwd)
  else if (m.type === 'stop') stop(m.graceMs)
})
process.on('disconnect', () => stop(GRACE_MS))
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.on(sig, () => stop(GRACE_MS))
