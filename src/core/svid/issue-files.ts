import {usageError} from '../errors.js'
import {refuseStdioDir} from '../fs/layout.js'
import {ensureDir, writeFilesAtomicAsync} from '../fs/atomic-write.js'
import {dirOf, issueOne, issuePlan, type IssueResult, type IssueToDirectoryOptions} from './issue-plan.js'
import {issueInWorkers, turn, workerCount} from './issue-pool.js'
import {checkOutputDir} from './output-target.js'
import {writeNewDirSync} from '../fs/new-dir.js'
import {bulkRun, checkCount, cleanLeftovers, completeSet, runRoot} from './bulk-run.js'

/** SVIDs issued on this thread between two turns of the event loop. */
const TURN_EVERY = 16
/** Output directories checked between two turns of the event loop. */
const CHECK_TURN_EVERY = 1024

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
  checkCount(o.count ?? 1)
  refuseStdioDir(o.out, (o.count ?? 1) > 1 ? '--out with --count' : '--out')
  const plan = await issuePlan(o)
  const {count, names} = plan
  // A bulk run marks itself in progress; a rerun with the same arguments resumes it (bulk-run.ts).
  let run = count > 1 ? bulkRun(o, count) : undefined
  let replacing = false
  for (let n = 1; n <= count && !run?.resuming; n++) {
    // Checking a million directories takes seconds: let signals in.
    if (n % CHECK_TURN_EVERY === 0) {
      await turn()
      if (o.signal?.aborted) return
    }
    replacing = checkOutputDir(dirOf(o, n, count), names, o.force ?? false) === 'replace' || replacing
  }
  // One SVID: the atomic writer (temporary files, fsync, rename). Many new ones: each set
  // written whole in a temporary directory renamed into place (fs/new-dir.ts).
  const bulk = count > 1 && (!replacing || (run?.resuming ?? false))
  if (!bulk) run = undefined
  if (bulk && !o.out.includes('{n}')) ensureDir(o.out)
  if (run) {
    ensureDir(runRoot(o))
    run.begin()
  }
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 0))
    throw usageError(`workers must be 0 or more, got ${o.workers}`)
  // Worker threads get plain options: not a caller's clock, nor a recipe (it holds functions); a resumed run stays here.
  const workers = bulk && !run?.resuming && !o.clock && !o.recipe ? workerCount(count, o.workers) : 0
  if (workers > 0) {
    yield* issueInWorkers(plan, workers)
    if (!o.signal?.aborted) run?.finish()
    return
  }
  const temps = new Map<string, Map<string, string[]>>()
  for (let n = 1; n <= count && !o.signal?.aborted; n++) {
    // Issuing and writing never wait on I/O: let the event loop turn (signals, progress) now and then.
    if (n % TURN_EVERY === 0) await turn()
    if (run?.resuming) {
      const dir = dirOf(o, n, count)
      if (completeSet(dir, names)) continue
      cleanLeftovers(dir, names, temps)
    }
    const {dir, files, result} = await issueOne(plan, n)
    if (bulk) writeNewDirSync(dir, files)
    else {
      ensureDir(dir)
      await writeFilesAtomicAsync(files)
    }
    yield result
  }
  if (!o.signal?.aborted) run?.finish()
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
