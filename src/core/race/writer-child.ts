/**
 * The race's writer process: receives one WriterJob over IPC (typed values, never argv),
 * runs the real writer modes of core/rotate step by step and reports every event. It exits
 * when its parent goes away, so an interrupted race never leaves a writer behind.
 */
import 'reflect-metadata'
import {isSvidkitError} from '../errors.js'
import {rotate} from '../rotate/rotate.js'
import {sleep} from '../time/sleep.js'
import {waitForResume} from '../rotate/pause.js'
import {readSync, writeSync} from 'node:fs'
import type {RotateEvent} from '../rotate/events.js'
import type {WriterJob, WriterMessage} from './writer-job.js'

const send = (m: WriterMessage) =>
  new Promise<void>((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()))

let resume: (() => void) | undefined
process.on('message', (m: unknown) => {
  if (m === 'continue') {
    resume?.()
    return
  }
  if (typeof m === 'object' && m !== null && 'job' in m) void run((m as {job: WriterJob}).job)
})
process.on('disconnect', () => process.exit(0))
// Belt and braces: if the parent dies without the IPC channel closing (seen when a test worker
// was torn down), the writer is re-parented; it notices within half a second and exits.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) process.exit(0)
}, 500).unref()

/** The pipes of held windows: the writer reports an opened window on fd 5 and waits for one byte on fd 4. */
const HOLD_IN = 4
const HOLD_OUT = 5
const nap = new Int32Array(new SharedArrayBuffer(4))

/**
 * Blocks the writer (synchronously: the window stays open exactly as the real writer left it)
 * until the parent releases the window just opened; the parent bounds the hold.
 */
function holdWindow(e: RotateEvent): void {
  if (e.step !== 'window' || e.state !== 'open') return
  writeSync(HOLD_OUT, `${JSON.stringify({t: e.t, window: e.window, file: e.file})}\n`)
  const b = Buffer.alloc(1)
  for (;;) {
    try {
      if (readSync(HOLD_IN, b, 0, 1, null) === 1) return
      return // the parent went away: go on
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return
      Atomics.wait(nap, 0, 0, 1)
    }
  }
}

async function run(job: WriterJob): Promise<void> {
  try {
    for (let i = 0; i < job.steps.length; i++) {
      if (i > 0 && job.intervalMs > 0) await sleep(job.intervalMs)
      const step = job.steps[i]
      const events: Promise<void>[] = []
      await rotate({
        dir: job.dir,
        ca: job.ca,
        mode: job.mode,
        layout: job.layout,
        names: job.names,
        spiffeId: job.spiffeId,
        issue: job.issue,
        kind: step.kind,
        caOverlap: step.caOverlap,
        knobs: job.knobs,
        intermediatesInBundle: job.intermediatesInBundle,
        bundleOnly: job.bundleOnly,
        count: 1,
        force: job.force,
        // --pause-after (and the in-process race's held windows) resume on SIGUSR2 from the parent.
        hooks: {
          waitForResume: () => waitForResume().then(() => undefined),
          ...(job.holdWindows ? {afterEvent: holdWindow} : {}),
        },
        sink: (e) => void events.push(send({type: 'event', event: {...e, rotation: i + 1}})),
      })
      await Promise.all(events)
      if (job.lockstep) await new Promise<void>((r) => (resume = r))
    }
    await send({type: 'end'})
    process.exit(0)
  } catch (err) {
    const e = err as Error & {code?: string; hint?: string; exit?: number}
    await send({
      type: 'failed',
      code: isSvidkitError(err) ? (e.code ?? 'internal') : 'internal',
      message: e.message,
      hint: e.hint,
      exit: e.exit ?? 1,
    })
    process.exit(isSvidkitError(err) ? (e.exit ?? 1) : 1)
  }
}
