/**
 * Drives rotations against in-process consumers and records what they saw: each
 * rotation's `done` hashes, and each consumer's `rotation`/`invalid`/`error` events.
 */
import {systemClock} from '../../src/core/clock.js'
import type {RotateEvent} from '../../src/core/rotate/events.js'
import type {Consumer, WatchEvent} from '../../src/core/watch/events.js'
import {ReferenceConsumer, type ReferenceOptions} from '../../src/core/watch/reference.js'
import {createConsumer} from '../../src/core/watch/strategies.js'
import type {SvidFileNames} from '../../src/core/fs/layout.js'
import {triple as fullTriple} from '../rotate/harness.js'

/** A consumer with the events it emitted. */
export interface Watched {
  consumer: Consumer
  events: WatchEvent[]
  /** `rotation` events in order. */
  loads: () => WatchEvent[]
  invalid: () => WatchEvent[]
  /** Resolves once the consumer has loaded the set with these hashes (rejects after `timeoutMs`). */
  waitLoad: (sha: RotateEvent['sha256'], timeoutMs: number, what: string) => Promise<WatchEvent>
  stop: () => Promise<void>
}

/** Returns a started consumer of `dir` (`strategy` reference or a naive one). */
export async function startConsumer(
  strategy: string,
  dir: string,
  names: SvidFileNames,
  opts: Partial<Pick<ReferenceOptions, 'debounceMs' | 'pollMs' | 'maxWaitMs' | 'backoffCapMs'>> = {},
): Promise<Watched> {
  const events: WatchEvent[] = []
  // Naive consumers never read the bundle: they are matched on cert and key only.
  const triple = (h: RotateEvent['sha256'] | WatchEvent['sha256']) =>
    strategy === 'reference' ? fullTriple(h) : `${h?.cert}/${h?.key}`
  const waiters: {want: string; resolve: (e: WatchEvent) => void}[] = []
  const sink = (e: WatchEvent) => {
    events.push(e)
    if (e.type !== 'rotation') return
    const got = triple(e.sha256)
    for (const w of waiters.splice(0).filter((w) => (w.want === got ? (w.resolve(e), false) : true))) waiters.push(w)
  }
  const o = {dir, names, clock: systemClock, sink, ...opts}
  const consumer = strategy === 'reference' ? new ReferenceConsumer(o) : createConsumer(strategy, o)
  await consumer.start()
  const loads = () => events.filter((e) => e.type === 'rotation')
  return {
    consumer,
    events,
    loads,
    invalid: () => events.filter((e) => e.type === 'invalid'),
    waitLoad: (sha, timeoutMs, what) => {
      const want = triple(sha)
      const have = loads().find((e) => triple(e.sha256) === want)
      if (have) return Promise.resolve(have)
      return new Promise<WatchEvent>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${strategy} did not load ${what} within ${timeoutMs} ms; saw ${summarize(events)}`)),
          timeoutMs,
        )
        waiters.push({
          want,
          resolve: (e) => {
            clearTimeout(timer)
            resolve(e)
          },
        })
      })
    },
    stop: () => consumer.stop(),
  }
}

/** Returns the consumer's observations in one line (for failure messages). */
export function summarize(events: WatchEvent[]): string {
  return events
    .filter((e) => e.type !== 'rearm')
    .map((e) => `${e.type}${e.code ? `:${e.code}` : ''}${e.trigger ? `(${e.trigger})` : ''}`)
    .join(' ')
}
