/**
 * A worker thread running race client loops (`race --target`), so loops do not share one Node
 * thread: the TLS handshake, the SVID verification and the probe of each loop run on their own
 * core. The parent sends the identity each loop presents (PEM strings: a class instance does not
 * cross threads) and gets every attempt back.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {systemClock} from '../clock.js'
import {parsePemBundle} from '../bundle/index.js'
import {singleBundleSet} from '../bundle/single-set.js'
import {SpiffeId, parseTrustDomainArg} from '../spiffe-id/index.js'
import {clientLoop} from './attempt.js'
import type {WorkerJob, WireIdentity, WorkerMessage} from './client-wire.js'

const job = workerData as WorkerJob
const ids = new Map<
  number,
  {credentials: {key: string; cert: string}; bundles: ReturnType<typeof singleBundleSet>; root: string}
>()
const expectIds = job.expectIds.map((i) => SpiffeId.parse(i))
const expectTrustDomain = job.expectTrustDomain === undefined ? undefined : parseTrustDomainArg(job.expectTrustDomain)
let stopped = false

function adopt(loop: number, w: WireIdentity): void {
  ids.set(loop, {
    credentials: {key: w.key, cert: w.cert},
    bundles: singleBundleSet(w.trustDomain, parsePemBundle(Buffer.from(w.bundlePem), 'bundle').authorities),
    root: w.root,
  })
}

for (const [loop, w] of Object.entries(job.identities)) adopt(Number(loop), w)

parentPort?.on('message', (m: WorkerMessage) => {
  if (m.type === 'stop') stopped = true
  else for (const [loop, w] of Object.entries(m.identities)) adopt(Number(loop), w)
})

const loop = (i: number) =>
  clientLoop({
    next: () => {
      const id = ids.get(i)
      if (!id) return undefined
      const options = {
        host: job.host,
        port: job.port,
        servername: job.servername,
        credentials: id.credentials,
        bundles: id.bundles,
        expectIds: expectIds.length ? expectIds : undefined,
        expectTrustDomain,
        tlsVersion: job.tlsVersion,
        timeoutMs: job.timeoutMs,
        probe: job.probe,
      }
      return {options, root: id.root}
    },
    stopped: () => stopped,
    clock: systemClock,
    onAttempt: (a) => parentPort?.postMessage(a),
  })

void Promise.all(job.loops.map(loop)).then(() => parentPort?.postMessage({type: 'ended'}))
