/**
 * Entry of an issuing worker thread (issue-pool.ts): reads the CA and the output plan once,
 * then issues and checks the SVIDs of each range the main thread sends, and answers with
 * their files and results (or those before a failure, and the failure). scripts/bundle.js
 * bundles this file as its own entry (dist/bundle/lite/workers/issue-worker.cjs).
 */
import {parentPort, workerData} from 'node:worker_threads'
import {isSvidkitError} from '../errors.js'
import {issueOne, issuePlan, type IssuePlan} from './issue-plan.js'
import type {WorkerFailure, WorkerReady, WorkerReply, WorkerRequest, WorkerStart} from './issue-pool.js'

function failure(err: unknown): WorkerFailure {
  if (isSvidkitError(err)) return {code: err.code, message: err.message, hint: err.hint, exit: err.exit, path: err.path}
  return {code: 'internal', message: `issuing worker: ${(err as Error)?.message ?? String(err)}`}
}

/** Issues the SVIDs of one request: their files and results, or those before a failure and the failure. */
async function issueRange(plan: IssuePlan, {from, to}: WorkerRequest): Promise<WorkerReply> {
  const results: WorkerReply['results'] = []
  try {
    for (let n = from; n <= to; n++) results.push(await issueOne(plan, n))
    return {from, results}
  } catch (err) {
    return {from, results, error: failure(err)}
  }
}

/** Serves the main thread's requests once the plan is loaded (no top-level await: this file is also bundled as CommonJS). */
async function serve(port: NonNullable<typeof parentPort>): Promise<void> {
  const plan = await issuePlan((workerData as WorkerStart).options)
  // Requests are served one at a time, in arrival order, each answered exactly once.
  const queue: WorkerRequest[] = []
  let busy = false
  const drain = async () => {
    busy = true
    while (queue.length > 0) {
      const reply = await issueRange(plan, queue.shift()!)
      try {
        port.postMessage(reply)
      } catch (err) {
        port.postMessage({from: reply.from, results: [], error: failure(err)} satisfies WorkerReply)
      }
    }
    busy = false
  }
  port.on('message', (request: WorkerRequest) => {
    queue.push(request)
    if (!busy) void drain()
  })
  port.postMessage({ready: true} satisfies WorkerReady)
}

// A plan that fails to load (an unreadable CA) rejects: unhandled, it ends this thread with an
// 'error' event, which the main thread reports (issue-pool.ts).
if (parentPort) void serve(parentPort)
