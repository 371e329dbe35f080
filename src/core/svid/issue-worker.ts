/**
 * Entry of an issuing worker thread (issue-pool.ts): reads the CA and the output plan once,
 * then issues and checks the SVIDs of each range the main thread sends, and answers with
 * their files and results (or those before a failure, and the failure). scripts/bundle.js
 * bundles this file as its own entry, so it loads from dist/ like a command.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {isSvidkitError} from '../errors.js'
import {issueOne, issuePlan} from './issue-plan.js'
import type {WorkerFailure, WorkerReply, WorkerRequest, WorkerStart} from './issue-pool.js'

function failure(err: unknown): WorkerFailure {
  if (isSvidkitError(err)) return {code: err.code, message: err.message, hint: err.hint, exit: err.exit, path: err.path}
  return {code: 'internal', message: `issuing worker: ${(err as Error)?.message ?? String(err)}`}
}

const port = parentPort
if (port) {
  const start = workerData as WorkerStart
  const plan = await issuePlan(start.options)
  port.on('message', async ({from, to}: WorkerRequest) => {
    const results: WorkerReply['results'] = []
    let reply: WorkerReply
    try {
      for (let n = from; n <= to; n++) results.push(await issueOne(plan, n))
      reply = {from, results}
    } catch (err) {
      reply = {from, results, error: failure(err)}
    }
    port.postMessage(reply)
  })
}
