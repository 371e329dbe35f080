/** One observation of the handshake server (NDJSON with --json). */
export interface ServerEvent {
  t: number
  type: 'listening' | 'connection' | 'reload' | 'invalid' | 'error'
  /** connection: the client's SPIFFE ID, when it presented a readable certificate. */
  peer?: string | null
  /** accepted; rejected (by this server's checks); failed (the handshake broke on the client's side: it aborted or sent an alert). */
  result?: 'accepted' | 'rejected' | 'failed'
  code?: string
  message?: string
  hint?: string
  side?: 'local' | 'peer'
  protocol?: string | null
  resumed?: boolean
  /** The serial of the SVID the server presents (reload: the new one). */
  serial?: string
  host?: string
  port?: number
  [extra: string]: unknown
}

/** Receives server observations in order. */
export type ServerSink = (e: ServerEvent) => void
