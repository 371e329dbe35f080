/** The kinds of `watch` observations (docs/errors.md "JSON documents", watch --json). */
export type WatchEventType = 'start' | 'rotation' | 'invalid' | 'error' | 'rearm' | 'expiring' | 'stale' | 'summary'

/** One observation of a consumer (NDJSON with --json). */
export interface WatchEvent {
  /** CLOCK_MONOTONIC in ms: lines up with `rotate --json` events. */
  t: number
  type: WatchEventType
  strategy: string
  serial?: string
  spiffeId?: string
  notAfter?: string
  /** ms from the change on disk to the load. */
  latencyMs?: number
  /** File hashes as `rotate` reports them (naive consumers never read the bundle: no `bundle`). */
  sha256?: {cert: string; key: string; bundle?: string}
  code?: string
  message?: string
  /** What made the consumer read: a watch event, the poll, a retry, the start. */
  trigger?: 'event' | 'poll' | 'retry' | 'start'
  /** Directories watched (rearm). */
  dirs?: string[]
  [extra: string]: unknown
}

/** Receives observations in order. */
export type WatchSink = (e: WatchEvent) => void

/** A consumer of a certificate directory: the reference one or an imitation of a naive one. */
export interface Consumer {
  readonly strategy: string
  start(): Promise<void>
  stop(): Promise<void>
  /** Hashes of the set the consumer holds (loaded last), if any. */
  currentHash(): string | undefined
}
