import {spawn, type ChildProcess} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {createInterface} from 'node:readline'
import type {RotateEvent} from '../../rotate/events.js'

/** The CLI entry, from src/ or dist/ alike (both sit four levels below the package root). */
export const BIN_RUN = fileURLToPath(new URL('../../../../bin/run.js', import.meta.url))

/** A `svidkit rotate --json` child process: a real, separate writer, as in production. */
export interface Rotator {
  child: ChildProcess
  /** `done` events as they arrive (serial, t on the shared monotonic clock). */
  done: RotateEvent[]
  /** Every event (for windows and errors). */
  events: RotateEvent[]
  stderr: string[]
  exited: Promise<number>
}

/**
 * Starts `svidkit rotate` in a child process writing `dir` with the given mode and knobs,
 * and collects its NDJSON events. Separate processes make the writer's windows real: the
 * server's event loop never waits for the writer.
 */
export function startRotator(args: string[]): Rotator {
  const child = spawn(process.execPath, [BIN_RUN, 'rotate', ...args, '--json'], {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  const r: Rotator = {child, done: [], events: [], stderr: [], exited: Promise.resolve(0)}
  createInterface({input: child.stdout as NodeJS.ReadableStream}).on('line', (line) => {
    try {
      const e = JSON.parse(line) as RotateEvent
      r.events.push(e)
      if (e.step === 'done') r.done.push(e)
    } catch {
      r.stderr.push(line)
    }
  })
  child.stderr?.on('data', (d: Buffer) => r.stderr.push(d.toString()))
  r.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)))
  return r
}
