import {usageError} from '../errors.js'
import {ensureDir, writeFilesAtomic} from '../fs/atomic-write.js'
import {dirOf, issueOne, issuePlan, type IssueResult, type IssueToDirectoryOptions} from './issue-plan.js'
import {issueInWorkers, workerCount} from './issue-pool.js'
import {checkOutputDir} from './output-target.js'
import {writeNewFiles} from './write-new.js'

export {type IssueResult, type IssueToDirectoryOptions, type OutputLayout} from './issue-plan.js'

/** SVIDs whose files are being written while the next ones are signed (bulk issuance). */
const IN_FLIGHT = 32

/**
 * Yields the SVIDs issued from the CA directory `ca` and written to `out`, one by one and
 * in order, each checked in memory before its files are written; nothing is kept per SVID,
 * so a large `count` runs in flat memory. Every output directory is checked before the
 * first file is written: a refusal (`output-exists`) writes nothing. From WORKER_CROSSOVER
 * SVIDs on (or with `workers`), worker threads issue them (issue-pool.ts). An aborted
 * `signal` ends the run early, after the SVIDs already yielded.
 */
export async function* issueEach(o: IssueToDirectoryOptions): AsyncGenerator<IssueResult> {
  const plan = await issuePlan(o)
  const {count, names} = plan
  let replacing = false
  for (let n = 1; n <= count; n++) replacing = checkOutputDir(dirOf(o, n, count), names, o.force ?? false) === 'replace' || replacing
  // One SVID: the atomic writer (temporary files, fsync, rename). Many new ones: exclusive creates, pipelined.
  const bulk = count > 1 && !replacing
  if (bulk && !o.out.includes('{n}')) ensureDir(o.out)
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 0)) throw usageError(`workers must be 0 or more, got ${o.workers}`)
  // Worker threads get plain options: not a caller's clock, nor defects (they hold functions).
  const workers = bulk && !o.clock && !o.defects?.length ? workerCount(count, o.workers) : 0
  if (workers > 0) {
    yield* issueInWorkers(plan, workers)
    return
  }
  const pending: {write: Promise<void>; result: IssueResult}[] = []
  for (let n = 1; n <= count && !o.signal?.aborted; n++) {
    const {dir, files, result} = await issueOne(plan, n)
    if (!bulk) {
      ensureDir(dir)
      writeFilesAtomic(files)
      yield result
      continue
    }
    const write = writeNewFiles(dir, files)
    write.catch(() => undefined) // awaited below, in order
    pending.push({write, result})
    if (pending.length >= IN_FLIGHT) {
      const first = pending.shift()!
      await first.write
      yield first.result
    }
  }
  for (const p of pending) {
    await p.write
    yield p.result
  }
}

/**
 * Returns the SVIDs issued from the CA directory `ca` and written to `out` in a layout,
 * each checked before writing (see `issueEach`, which streams them instead).
 */
export async function issueToDirectory(o: IssueToDirectoryOptions): Promise<IssueResult[]> {
  const results: IssueResult[] = []
  for await (const r of issueEach(o)) results.push(r)
  return results
}
