import {loadAuthority} from '../ca/store.js'
import {bundleAuthorities} from '../ca/authority.js'
import {toPemBundle, type BundleSet} from '../bundle/index.js'
import type {Clock} from '../clock.js'
import type {SpiffeId, TrustDomain} from '../spiffe-id/index.js'
import {issueSvid} from '../svid/issue.js'
import {singleBundleSet} from '../bundle/single-set.js'
import {chainPem, keyPem} from '../svid/write.js'
import type {KeyType} from '../x509/key-type.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import type {TlsVersionChoice} from '../handshake/tls-options.js'
import type {ProbeSpec} from '../handshake/client-probe.js'
import {startLoops, type Attempt, type Loops} from './attempt.js'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import type {WireIdentity, WorkerJob, WorkerMessage} from './client-wire.js'

/** What the race clients present and trust; replaced as the CA rotates. */
export interface ClientIdentity {
  credentials: {key: string; cert: string}
  bundles: BundleSet
  /** The serial of the client SVID in use. */
  serial: string
  /** The serial of the root the client SVID chains to. */
  root: string
  /** The trusted roots as PEM, and their trust domain (what a client worker thread rebuilds `bundles` from). */
  bundlePem: string
  trustDomain: string
}

/**
 * Returns the clients' identity read from the CA directory now: the CA's bundle as trust
 * and, when `reissue` (or when there is none yet), a new client SVID from the CA's signing
 * chain, as a real peer gets its SVID from the same authority.
 */
export async function clientIdentity(o: {
  ca: string
  clientId: string
  keyType?: KeyType
  clock: Clock
  previous?: ClientIdentity
  reissue: boolean
}): Promise<ClientIdentity> {
  const authority = loadAuthority(o.ca)
  const bundles = singleBundleSet(authority.trustDomain.name, bundleAuthorities(authority), `${o.ca}/bundle.pem`)
  const trust = {bundles, bundlePem: toPemBundle(bundleAuthorities(authority)), trustDomain: authority.trustDomain.name}
  if (o.previous && !o.reissue) return {...o.previous, ...trust}
  const issued = await issueSvid(authority, {
    spiffeId: o.clientId,
    keyType: o.keyType,
    ttlMs: 3_600_000,
    clock: o.clock,
  })
  return {
    credentials: {key: keyPem(issued.svid), cert: chainPem(issued.svid.certificates)},
    ...trust,
    serial: issued.svid.certificates[0].serial,
    root: rootOf(
      issued.svid.certificates.at(-1),
      authority.roots.map((r) => r.cert),
    ),
  }
}

/** Returns the serial of the root that signed `top` (the last certificate of a chain). */
function rootOf(top: ParsedCertificate | undefined, roots: ParsedCertificate[]): string {
  const r = top && roots.find((c) => top.node.checkIssued(c.node) && top.node.verify(c.node.publicKey))
  return r?.serial ?? top?.serial ?? ''
}

/** Options of the race client loops. */
interface ClientLoopOptions {
  host: string
  port: number
  servername?: string
  concurrency: number
  /** The identity loop `i` presents now (during a root overlap some loops keep the old root's SVID). */
  identity: (loop: number) => ClientIdentity
  expectIds?: SpiffeId[]
  expectTrustDomain?: TrustDomain
  tlsVersion?: TlsVersionChoice
  timeoutMs: number
  probe?: ProbeSpec
  clock: Clock
  /** Every attempt as it ends. */
  onAttempt: (a: Attempt) => void
  /** Worker threads to spread the loops over (0: all loops on this thread). */
  threads?: number
}

/** Running client loops: `refresh()` after the identities changed (worker threads get the new ones), `stop()` to end. */
export interface Clients {
  refresh: () => void
  stop: () => Promise<void>
}

/** The client worker entry (compiled), from src/ or dist/ alike (as the writer's). */
const CLIENT_WORKER_ENTRY = fileURLToPath(new URL('../../../dist/core/race/client-worker.js', import.meta.url))

const wire = (id: ClientIdentity): WireIdentity => ({
  key: id.credentials.key,
  cert: id.credentials.cert,
  bundlePem: id.bundlePem,
  trustDomain: id.trustDomain,
  root: id.root,
})

/**
 * Client loops handshaking back to back until stopped, on `threads` worker threads when asked
 * (so loops do not share one Node thread), else on this one; `stop()` resolves when every loop ended.
 */
export function startClients(o: ClientLoopOptions): Clients {
  const threads = Math.min(o.threads ?? 0, o.concurrency)
  if (threads > 1 && existsSync(CLIENT_WORKER_ENTRY)) return startClientThreads(o, threads)
  return {refresh: () => undefined, ...startClientLoops(o)}
}

function startClientThreads(o: ClientLoopOptions, threads: number): Clients {
  const loopsOf = (t: number) => Array.from({length: o.concurrency}, (_, i) => i).filter((i) => i % threads === t)
  const idsOf = (loops: number[]) => Object.fromEntries(loops.map((i) => [i, wire(o.identity(i))]))
  const workers = Array.from({length: threads}, (_, t) => {
    const loops = loopsOf(t)
    const job: WorkerJob = {
      host: o.host,
      port: o.port,
      servername: o.servername,
      expectIds: (o.expectIds ?? []).map((i) => i.toString()),
      expectTrustDomain: o.expectTrustDomain?.name,
      tlsVersion: o.tlsVersion,
      timeoutMs: o.timeoutMs,
      probe: o.probe,
      loops,
      identities: idsOf(loops),
    }
    const w = new Worker(CLIENT_WORKER_ENTRY, {workerData: job})
    const ended = new Promise<void>((resolve) => {
      w.on('message', (m: Attempt | {type: 'ended'}) => ('type' in m ? resolve() : o.onAttempt(m)))
      w.once('exit', () => resolve())
      w.once('error', () => resolve())
    })
    return {w, loops, ended}
  })
  return {
    refresh: () => {
      for (const x of workers) x.w.postMessage({type: 'identities', identities: idsOf(x.loops)} satisfies WorkerMessage)
    },
    stop: async () => {
      for (const x of workers) x.w.postMessage({type: 'stop'} satisfies WorkerMessage)
      await Promise.all(workers.map((x) => x.ended))
      await Promise.all(workers.map((x) => x.w.terminate()))
    },
  }
}

function startClientLoops(o: ClientLoopOptions): Loops {
  return startLoops({
    count: o.concurrency,
    next: (i) => {
      const id = o.identity(i)
      const options = {
        host: o.host,
        port: o.port,
        servername: o.servername,
        credentials: id.credentials,
        bundles: id.bundles,
        expectIds: o.expectIds,
        expectTrustDomain: o.expectTrustDomain,
        tlsVersion: o.tlsVersion,
        timeoutMs: o.timeoutMs,
        probe: o.probe,
        clock: o.clock,
      }
      return {options, root: id.root}
    },
    clock: o.clock,
    onAttempt: o.onAttempt,
  })
}
