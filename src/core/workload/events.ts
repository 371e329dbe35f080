/**
 * The events of the Workload API test server (`--json` prints one per line) and the
 * per-client summary printed at stop. `t` is milliseconds since the server started.
 */

/** An RPC of the Workload API, or the path of an unknown one. */
export type RpcName = 'FetchX509SVID' | 'FetchX509Bundles' | 'FetchJWTSVID' | 'FetchJWTBundles' | 'ValidateJWTSVID'

/** What one X509SVID of a message carried. */
export interface SentSvid {
  spiffeId: string
  /** Leaf serial, lowercase hex (empty when the chain is empty). */
  serial: string
  hint: string
  /** Serials of the certificates after the leaf. */
  chain: string[]
}

/** What one JWT-SVID of a FetchJWTSVID answer was. */
export interface SentJwtSvid {
  spiffeId: string
  hint: string
  kid: string
  audience: string[]
}

/** One server event. */
export type WorkloadEvent =
  | {t: number; type: 'listening'; socket: string; endpoint: string}
  | {t: number; type: 'connection'; client: string}
  | {t: number; type: 'disconnect'; client: string}
  | {
      t: number
      type: 'request'
      client: string
      stream: number
      rpc: RpcName
      accepted: boolean
      code?: string
      message?: string
    }
  | {
      t: number
      type: 'message'
      client: string
      stream: number
      rpc: RpcName
      svids?: SentSvid[]
      jwtSvids?: SentJwtSvid[]
      /** Root serials (X.509) or key IDs (JWT) per trust domain. */
      bundles: Record<string, string[]>
    }
  | {t: number; type: 'stream-end'; client: string; stream: number; rpc: RpcName; code: string; message?: string}
  | {
      t: number
      type: 'rotation'
      rotation: number
      kind: string
      overlap?: string
      reissued: boolean
      bundleDelayMs?: number
    }
  | {t: number; type: 'fault'; fault: string; active: boolean; detail?: string}
  | {t: number; type: 'summary'; clients: ClientSummary[]; clientsDropped: number; slowReaders: SlowReaders}
  | {t: number; type: 'stopped'; reason: string}

/** What clients that did not read cost (docs/workload-api.md "Slow readers"). */
export interface SlowReaders {
  /** Updates not sent to a blocked stream (it got the newest state once it drained). */
  coalescedUpdates: number
  /** Streams closed, with their connection, after being blocked past the limit. */
  closedBlockedStreams: number
  /** The most bytes one stream held queued. */
  peakQueuedBytes: number
}

/** What one client (one connection) received. */
export interface ClientSummary {
  client: string
  /** Requests by RPC. */
  requests: Partial<Record<RpcName, number>>
  /** Requests refused (any status but OK before the first message). */
  rejected: number
  /** Messages sent on all its streams. */
  messages: number
  /** Every distinct leaf serial it was sent, in order. */
  serials: string[]
  /** The status each of its streams ended with. */
  endings: string[]
}

/** Per-client summaries kept at most; older disconnected clients are dropped (and counted) beyond it. */
const MAX_CLIENT_SUMMARIES = 1000

/**
 * Returns a collector of per-client summaries fed with events. It keeps at most
 * `max` clients plus those still connected: a disconnected client is dropped, oldest
 * first, when more are kept; `dropped()` says how many were.
 */
export function summaryCollector(max = MAX_CLIENT_SUMMARIES): {
  add(e: WorkloadEvent): void
  clients(): ClientSummary[]
  dropped(): number
} {
  const byClient = new Map<string, ClientSummary>()
  const gone: string[] = []
  let dropped = 0
  const get = (client: string): ClientSummary => {
    let s = byClient.get(client)
    if (!s) {
      s = {client, requests: {}, rejected: 0, messages: 0, serials: [], endings: []}
      byClient.set(client, s)
    }
    return s
  }
  return {
    add(e) {
      if (e.type === 'connection') get(e.client)
      else if (e.type === 'disconnect') {
        gone.push(e.client)
        while (byClient.size > max && gone.length > 0) if (byClient.delete(gone.shift() as string)) dropped++
      } else if (e.type === 'request') {
        const s = get(e.client)
        s.requests[e.rpc] = (s.requests[e.rpc] ?? 0) + 1
        if (!e.accepted) s.rejected++
      } else if (e.type === 'message') {
        const s = get(e.client)
        s.messages++
        for (const v of e.svids ?? []) if (v.serial && !s.serials.includes(v.serial)) s.serials.push(v.serial)
      } else if (e.type === 'stream-end') get(e.client).endings.push(e.code)
    },
    clients: () => [...byClient.values()],
    dropped: () => dropped,
  }
}

/** An event before its time stamp is added. */
export type EventBody = WorkloadEvent extends infer E ? (E extends unknown ? Omit<E, 't'> : never) : never
