import {usageError} from '../errors.js'
import {refuseStdioDir} from '../fs/layout.js'
import {ensureDir, writeFilesAtomicAsync} from '../fs/atomic-write.js'
import {dirOf, issueOne, issuePlan, type IssueResult, type IssueToDirectoryOptions} from './issue-plan.js'
import {issueInWorkers, turn, workerCount} from './issue-pool.js'
import {checkOutputDir} from './output-target.js'
import {writeNewFilesSync} from './write-new.js'

/** SVIDs issued on this thread between two turns of the event loop. */
const TURN_EVERY = 16

export {type IssueResult, type IssueToDirectoryOptions, type OutputLayout} from './issue-plan.js'

/**
 * Yields the SVIDs issued from the CA directory `ca` and written to `out`, one by one and
 * in order, each checked in memory before its files are written; nothing is kept per SVID,
 * so a large `count` runs in flat memory. Every output directory is checked before the
 * first file is written: a refusal (`output-exists`) writes nothing. From WORKER_CROSSOVER
 * SVIDs on (or with `workers`), worker threads issue them (issue-pool.ts). An aborted
 * `signal` ends the run early, after the SVIDs already yielded.
 */
export async function* issueEach(o: IssueToDirectoryOptions): AsyncGenerator<IssueResult> {
  refuseStdioDir(o.out, (o.count ?? 1) > 1 ? '--out with --count' : '--out')
  const plan = await issuePlan(o)
  const {count, names} = plan
  let replacing = false
  for (let n = 1; n <= count; n++) replacing = checkOutputDir(dirOf(o, n, count), names, o.force ?? false) === 'replace' || replacing
  // One SVID: the atomic writer (temporary files, fsync, rename). Many new ones: exclusive
  // creates, written synchronously (write-new.ts: less CPU than Node's I/O threads, measured).
  const bulk = count > 1 && !replacing
  if (bulk && !o.out.includes('{n}')) ensureDir(o.out)
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 0)) throw usageError(`workers must be 0 or more, got ${o.workers}`)
  // Worker threads get plain options: not a caller's clock, nor defects (they hold functions).
  const workers = bulk && !o.clock && !o.defects?.length ? workerCount(count, o.workers) : 0
  if (workers > 0) {
    yield* issueInWorkers(plan, workers)
    return
  }
  for (let n = 1; n <= count && !o.signal?.aborted; n++) {
    // Issuing and writing never wait on I/O: let the event loop turn (signals, progress) now and then.
    if (n % TURN_EVERY === 0) await turn()
    const {dir, files, result} = await issueOne(plan, n)
    if (bulk) writeNewFilesSync(dir, files)
    else {
      ensureDir(dir)
      await writeFilesAtomicAsync(files)
    }
    yield result
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
