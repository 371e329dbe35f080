import {fork, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {RotateEvent} from '../rotate/events.js'
import type {WriterJob, WriterMessage} from './writer-job.js'

/** The writer process entry (compiled), from src/ or dist/ alike: both sit three levels below the package root. */
const WRITER_ENTRY = fileURLToPath(new URL('../../../dist/core/race/writer-child.js', import.meta.url))

/** A running writer process. */
export interface Writer {
  child: ChildProcess
  /** `done` events as they arrive (serial, t on the shared monotonic clock). */
  done: RotateEvent[]
  /** Every event (windows, errors, signals). */
  events: RotateEvent[]
  /** Why the writer failed, when it did (its stderr, or the error it reported). */
  stderr: string[]
  /** The writer's exit status (0 when every step was written). */
  exited: Promise<number>
  /** Stops the writer (its pid only) and waits for it to exit. */
  stop(): Promise<void>
}

/** How long the writer may stay silent while it owes a message (a step takes milliseconds). */
const WRITER_IDLE_MS = 60_000

/**
 * Starts the writer in a separate process (so the writer's windows are real: nothing
 * in this process waits for it) and feeds it the typed job. With `job.lockstep`,
 * `onDone` runs after each rotation's `done` before the writer goes on.
 */
export function startWriter(
  job: WriterJob,
  o: {
    onDone?: (e: RotateEvent) => Promise<void> | void
    onEvent?: (e: RotateEvent) => void
    /** With job.holdWindows: called when the writer opened a window (its time); the window closes when the promise settles. */
    onWindow?: (t: number) => Promise<void>
    /** Default WRITER_IDLE_MS. */ idleMs?: number
  } = {},
): Writer {
  if (!existsSync(WRITER_ENTRY)) throw new Error(`the writer entry "${WRITER_ENTRY}" is missing: run npm run build`)
  const stdio: ('ignore' | 'pipe' | 'ipc')[] = [
    'ignore',
    'ignore',
    'pipe',
    'ipc',
    ...(job.holdWindows ? (['pipe', 'pipe'] as const) : []),
  ]
  const child = fork(WRITER_ENTRY, [], {serialization: 'advanced', stdio, env: {...process.env, NO_COLOR: '1'}})
  if (job.holdWindows) {
    // A held window: the writer is blocked until one byte comes back (docs/race.md --window-handshakes).
    const pipes = child.stdio as unknown as (NodeJS.ReadableStream & NodeJS.WritableStream)[]
    const release = pipes[4]
    let partial = ''
    pipes[5]?.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        let t = 0
        try {
          t = (JSON.parse(line) as {t: number}).t
        } catch {
          // a torn line: release at once
        }
        void Promise.resolve(o.onWindow?.(t))
          .catch(() => undefined)
          .then(() => release?.write('x'))
      }
    })
  }
  const w: Writer = {child, done: [], events: [], stderr: [], exited: Promise.resolve(0), stop: async () => undefined}
  child.stderr?.on('data', (d: Buffer) => w.stderr.push(d.toString()))
  // Watchdog: while the writer owes us a message (after the job or a 'continue'), it must say
  // something within the idle limit, or it is stopped and the run fails instead of hanging.
  // The knobs' own delays (holds, gaps, clean-up delays) are silences the writer is asked for.
  const knobMs = Object.entries(job.knobs).reduce(
    (sum, [name, v]) => sum + (name.endsWith('Ms') && typeof v === 'number' ? v : 0),
    0,
  )
  const idleLimitMs = (o.idleMs ?? WRITER_IDLE_MS) + job.intervalMs + knobMs
  let owed = true
  let watchdog: NodeJS.Timeout | undefined
  const arm = () => {
    if (watchdog) clearTimeout(watchdog)
    watchdog = owed
      ? setTimeout(() => {
          w.stderr.push(`the writer made no progress for ${Math.round(idleLimitMs / 1000)} s and was stopped`)
          child.kill('SIGKILL')
        }, idleLimitMs)
      : undefined
  }
  child.on('message', (raw: unknown) => {
    const m = raw as WriterMessage
    if (job.lockstep && m.type === 'event' && m.event.step === 'done') owed = false
    if (m.type !== 'event') owed = false
    arm()
    if (m.type === 'failed') w.stderr.push(`${m.code}: ${m.message}${m.hint ? ` (${m.hint})` : ''}`)
    if (m.type !== 'event') return
    w.events.push(m.event)
    o.onEvent?.(m.event)
    if (m.event.step !== 'done') return
    w.done.push(m.event)
    if (job.lockstep) {
      void Promise.resolve(o.onDone?.(m.event))
        .catch(() => undefined)
        .then(() => {
          if (!child.connected) return
          owed = true
          arm()
          child.send('continue')
        })
    } else void o.onDone?.(m.event)
  })
  w.exited = new Promise((resolve) =>
    child.once('exit', (code, sig) => {
      if (watchdog) clearTimeout(watchdog)
      resolve(code ?? (sig ? 128 : 1))
    }),
  )
  w.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await w.exited
  }
  child.send({job})
  arm()
  return w
}
