import type {ProbeSpec} from '../handshake/client-probe.js'
import type {TlsVersionChoice} from '../handshake/tls-options.js'

/** A client identity as it crosses to a worker thread: PEM strings only. */
export interface WireIdentity {
  key: string
  cert: string
  bundlePem: string
  trustDomain: string
  root: string
}

/** What a client worker thread runs: its loops and the handshake options. */
export interface WorkerJob {
  host: string
  port: number
  servername?: string
  expectIds: string[]
  expectTrustDomain?: string
  tlsVersion?: TlsVersionChoice
  timeoutMs: number
  probe?: ProbeSpec
  /** The loop indexes this worker runs. */
  loops: number[]
  identities: Record<number, WireIdentity>
}

/** Messages to a client worker. */
export type WorkerMessage = {type: 'stop'} | {type: 'identities'; identities: Record<number, WireIdentity>}
