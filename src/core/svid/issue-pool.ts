import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'
import {SvidkitError, type ReasonCode} from '../errors.js'
import type {FileToWrite} from '../fs/atomic-write.js'
import {issueOne, type IssuePlan, type IssueResult, type IssueToDirectoryOptions} from './issue-plan.js'
import {writeNewDirSync} from '../fs/new-dir.js'
import {pushAll} from '../arrays.js'

/**
 * The smallest --count for which a worker thread pays for its start-up (about 100 ms before
 * it is ready: Node's worker bootstrap, the issuing code, the CA read; the main thread issues
 * meanwhile), measured with `issue --count N --workers 1` against `--workers 0` on 2 cores
 * (2026-11-30): by hand, interleaved, 1.02x at 150, 1.09x at 200, 1.12x at 300; in `npm run
 * bench`, 0.93-1.03x at 100, 0.86-1.11x at 200, 1.11-1.16x at 400, 1.34-1.70x at 800. 400 is
 * where every measurement gained (docs/design.md).
 */
export const WORKER_CROSSOVER = 400

/** SVIDs per request to a worker: large enough that messages cost little, small enough to balance. */
const RANGE = 16
/** Requests a worker holds at once: it starts the next while its reply crosses to the main thread. */
const AHEAD = 2

/**
 * Returns how many worker threads issue `count` SVIDs beside the main thread: `requested`
 * when given (0 = none), else one per core but the main thread's from WORKER_CROSSOVER on,
 * and none below it; never more than the cores (os.availableParallelism()) nor than the
 * ranges there are to hand out.
 */
export function workerCount(count: number, requested: number | undefined, cores = availableParallelism()): number {
  const wanted = requested ?? (count >= WORKER_CROSSOVER ? cores - 1 : 0)
  return Math.max(0, Math.min(wanted, cores, Math.ceil(count / RANGE)))
}

/** What a worker starts with (structured-cloned: plain data only). */
export interface WorkerStart {
  options: IssueToDirectoryOptions
}
/** SVIDs `from`..`to` (inclusive) to issue, check and write. */
export interface WorkerRequest {
  from: number
  to: number
}
/** A failure crossing from a worker: the fields of the SvidkitError it was. */
export interface WorkerFailure {
  code: ReasonCode
  message: string
  hint?: string
  exit?: number
  path?: string
}
/** A worker's first message: its plan is loaded and it takes requests. */
export interface WorkerReady {
  ready: true
}
/** The SVIDs of a request, in order (files to write and result); with `error`, those before the SVID that failed. */
export interface WorkerReply {
  from: number
  results: {dir: string; files: FileToWrite[]; result: IssueResult}[]
  error?: WorkerFailure
}

/**
 * The worker's entry: the one-file CommonJS build of issue-worker.ts that scripts/bundle.js
 * writes under dist/bundle/lite/ (ready about 35 ms sooner than tsc's ES module entry, which
 * loads its imports one by one), else that ES module entry (a tree built without the bundles).
 */
export function workerEntry(): URL {
  const bundled = new URL('../../bundle/lite/workers/issue-worker.cjs', import.meta.url)
  return existsSync(bundled) ? bundled : new URL('./issue-worker.js', import.meta.url)
}

/** Lets the event loop turn (worker replies, signals) between ranges issued on this thread. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Issues SVIDs `from`..`to` on this thread, as a worker would (issue-worker.ts). */
async function issueHere(plan: IssuePlan, from: number, to: number): Promise<WorkerReply & {thrown?: unknown}> {
  const results: WorkerReply['results'] = []
  try {
    for (let n = from; n <= to; n++) results.push(await issueOne(plan, n))
    return {from, results}
  } catch (err) {
    return {from, results, thrown: err}
  }
}

/**
 * How long this thread waits on a worker that holds the next SVIDs and has answered nothing
 * before it issues those ranges itself and stops that worker. A range takes milliseconds;
 * a worker's start-up, under load, well under a second. Rarely (once in a few dozen runs of
 * 2,000 SVIDs on the project machine) a worker was seen idle with two requests unanswered;
 * as only this thread writes files, issuing such a range again is harmless.
 */
const STALL_MS = 5_000

interface PoolWorker {
  worker: Worker
  /** It said it is ready (WorkerReady): until then it is handed nothing. */
  ready: boolean
  /** First SVID of each range it holds. */
  held: Set<number>
  /** When it last answered (or started). */
  heard: number
}

/**
 * Yields the results of SVIDs 1..plan.count in order, issued by `workers` worker threads
 * and by this thread. Workers issue and check whole SVIDs (issue-worker.ts) in ranges this
 * thread hands out, never more than a window ahead of the next SVID to yield (memory stays
 * flat however slowly results are consumed). A worker is handed nothing before it says
 * it is ready. This thread writes each SVID's files just before yielding it, and issues the
 * next range itself whenever it would otherwise wait (while the workers start). File
 * creation stays on one thread: threads creating entries in one parent directory contend
 * for its lock, and two writers were slower than one. On a failure, an abort (`o.signal`) or an early return,
 * every worker is terminated; as only the SVIDs yielded were written, what was reported
 * is exactly what is on disk.
 */
export async function* issueInWorkers(plan: IssuePlan, workers: number): AsyncGenerator<IssueResult> {
  const {o, count} = plan
  const {signal, clock: _clock, ...options} = o
  const start: WorkerStart = {options}
  const window = (workers + 1) * AHEAD * RANGE * 2
  const replies = new Map<number, WorkerReply & {thrown?: unknown}>()
  let next = 1 // next SVID to hand out
  let yielded = 0 // SVIDs 1..yielded are reported
  let fatal: SvidkitError | undefined
  let wake: (() => void) | undefined
  const poke = () => {
    wake?.()
    wake = undefined
  }
  const entry = workerEntry()
  const pool: PoolWorker[] = Array.from({length: workers}, () => ({
    worker: new Worker(entry, {workerData: start}),
    ready: false,
    held: new Set(),
    heard: Date.now(),
  }))
  const stopped = new Set<PoolWorker>()
  /** Ranges taken back from a stalled worker, issued here before any new one. */
  const reclaimed: number[] = []
  const rangeAt = (from: number) => ({from, to: Math.min(count, from + RANGE - 1)})
  const range = () => {
    const r = rangeAt(next)
    next = r.to + 1
    return r
  }
  const open = () => next <= count && next <= yielded + window
  const handOut = () => {
    for (const w of pool) {
      while (w.ready && !stopped.has(w) && w.held.size < AHEAD && open()) {
        const r = range()
        w.held.add(r.from)
        w.worker.postMessage(r satisfies WorkerRequest)
      }
    }
  }
  for (const w of pool) {
    w.worker.on('message', (reply: WorkerReply | WorkerReady) => {
      w.heard = Date.now()
      if ('ready' in reply) {
        w.ready = true
        handOut()
        poke()
        return
      }
      // A range taken back from this worker was issued here meanwhile: its late answer is dropped.
      if (!w.held.delete(reply.from)) return
      replies.set(reply.from, reply)
      handOut()
      poke()
    })
    w.worker.on('error', (err) => {
      if (!stopped.has(w))
        fatal ??= new SvidkitError('internal', `an issuing worker failed: ${err.message}`, {cause: err})
      poke()
    })
    w.worker.on('exit', (code) => {
      if (code !== 0 && !stopped.has(w))
        fatal ??= new SvidkitError('internal', `an issuing worker exited with code ${code}`)
      poke()
    })
  }
  /** Takes back the ranges of a worker that holds the next SVIDs and has been silent for STALL_MS. */
  const reclaimStalled = () => {
    const w = pool.find((x) => x.held.has(yielded + 1))
    if (!w || Date.now() - w.heard < STALL_MS) return false
    stopped.add(w)
    pushAll(
      reclaimed,
      [...w.held].sort((a, b) => a - b),
    )
    w.held.clear()
    void w.worker.terminate()
    return true
  }
  signal?.addEventListener('abort', poke, {once: true})
  try {
    handOut()
    while (yielded < count) {
      const reply = replies.get(yielded + 1)
      if (reply) {
        replies.delete(reply.from)
        for (const {dir, files, result} of reply.results) {
          if (signal?.aborted) return
          writeNewDirSync(dir, files)
          yield result
          yielded++
        }
        if (reply.thrown !== undefined) throw reply.thrown
        if (reply.error) {
          const e = reply.error
          throw new SvidkitError(e.code, e.message, {
            hint: e.hint,
            exit: e.exit as SvidkitError['exit'] | undefined,
            path: e.path,
          })
        }
        handOut()
        continue
      }
      if (fatal) throw fatal
      if (signal?.aborted) return
      if (reclaimed.length > 0 || open()) {
        const {from, to} = reclaimed.length > 0 ? rangeAt(reclaimed.shift()!) : range()
        replies.set(from, await issueHere(plan, from, to))
        await turn()
        continue
      }
      if (reclaimStalled()) continue
      const timer = setTimeout(poke, STALL_MS)
      await new Promise<void>((resolve) => (wake = resolve))
      clearTimeout(timer)
    }
  } finally {
    signal?.removeEventListener('abort', poke)
    // A stalled worker was told to stop already; waiting for it could wait forever.
    await Promise.all(pool.filter((w) => !stopped.has(w)).map((w) => w.worker.terminate()))
  }
}
