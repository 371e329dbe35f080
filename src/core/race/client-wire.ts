import type {ProbeSpec} from '../handshake/client-probe.js'
import type {TlsVersionChoice} from '../handshake/tls-options.js'
import type {HandshakeResult} from '../handshake/client.js'
import type {Attempt} from './local/stats.js'

/** Returns the race attempt of one client handshake (begun at `start`, ended at `end`, presenting an SVID under `root`). */
export function attemptOf(start: number, end: number, r: HandshakeResult, root: string): Attempt {
  const e = r.errors[0]
  return {
    start,
    end,
    ok: r.ok,
    servedSerial: r.peer.serial,
    handshakeMs: r.timing.handshakeMs,
    resumed: r.tls.resumed,
    localPort: r.localPort,
    clientRoot: root,
    ...(e ? {code: String(e.code), side: e.side, message: e.message} : {}),
  }
}

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
