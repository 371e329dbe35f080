import {fork, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {RotateEvent} from '../rotate/events.js'
import type {WriterJob, WriterMessage} from './writer-job.js'

/** The writer process entry (compiled), from src/ or dist/ alike: both sit three levels below the package root. */
export const WRITER_ENTRY = fileURLToPath(new URL('../../../dist/core/race/writer-child.js', import.meta.url))

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

/**
 * Starts the writer in a separate process (so the writer's windows are real: nothing
 * in this process waits for it) and feeds it the typed job. With `job.lockstep`,
 * `onDone` runs after each rotation's `done` before the writer goes on.
 */
export function startWriter(job: WriterJob, o: {onDone?: (e: RotateEvent) => Promise<void> | void; onEvent?: (e: RotateEvent) => void} = {}): Writer {
  if (!existsSync(WRITER_ENTRY)) throw new Error(`the writer entry "${WRITER_ENTRY}" is missing: run npm run build`)
  const child = fork(WRITER_ENTRY, [], {serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: {...process.env, NO_COLOR: '1'}})
  const w: Writer = {child, done: [], events: [], stderr: [], exited: Promise.resolve(0), stop: async () => undefined}
  child.stderr?.on('data', (d: Buffer) => w.stderr.push(d.toString()))
  child.on('message', (raw: unknown) => {
    const m = raw as WriterMessage
    if (m.type === 'failed') w.stderr.push(`${m.code}: ${m.message}${m.hint ? ` (${m.hint})` : ''}`)
    if (m.type !== 'event') return
    w.events.push(m.event)
    o.onEvent?.(m.event)
    if (m.event.step !== 'done') return
    w.done.push(m.event)
    if (job.lockstep) {
      void Promise.resolve(o.onDone?.(m.event))
        .catch(() => undefined)
        .then(() => child.connected && child.send('continue'))
    } else void o.onDone?.(m.event)
  })
  w.exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))))
  w.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await w.exited
  }
  child.send({job})
  return w
}
