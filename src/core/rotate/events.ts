/** The steps of the rotate event log (docs/rotation.md "Event log"). */
export type RotateStep =
  | 'readlink'
  | 'mkdir'
  | 'open'
  | 'write'
  | 'fchmod'
  | 'chmod'
  | 'fsync'
  | 'close'
  | 'rename'
  | 'link'
  | 'unlink'
  | 'symlink'
  | 'rm'
  | 'hold-fd'
  | 'release-fd'
  | 'signal'
  | 'pause'
  | 'resume'
  | 'error'
  | 'window'
  | 'skip'
  | 'recover'
  | 'done'

/** One event of the rotate log: written right after the call returns (NDJSON with --json). */
export interface RotateEvent {
  /** CLOCK_MONOTONIC in ms (the same clock in every process on the host). */
  t: number
  rotation: number
  writer: string
  step: RotateStep
  file?: string
  flags?: string
  perm?: string
  ino?: number
  bytes?: number
  offset?: number
  from?: string
  to?: string
  target?: string
  pid?: number
  signal?: string
  code?: string
  message?: string
  state?: 'open' | 'close'
  window?: WindowKind
  serial?: string
  spiffeId?: string
  notBefore?: string
  notAfter?: string
  sha256?: {cert: string; key: string; bundle: string}
  windows?: {window: WindowKind; file?: string; ms: number}[]
}

/** The inconsistent states a writer knows it opens (docs/rotation.md "Event log"). */
export type WindowKind = 'torn' | 'absent' | 'key-mismatch' | 'bundle-stale'

/** Receives events in order. */
export type EventSink = (e: RotateEvent) => void
