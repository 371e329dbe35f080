import type {Clock} from '../../clock.js'
import type {Knobs} from '../../rotate/knobs.js'
import type {WriterMode} from '../../rotate/writers/index.js'
import type {KeyType} from '../../x509/key-type.js'
import type {ServerReload} from '../../handshake/server.js'
import type {ServerEvent} from '../../handshake/server-events.js'
import type {TlsVersionChoice} from '../../handshake/tls-options.js'

/** Options of the local race test (`handshake --local`). */
export interface LocalRaceOptions {
  /** Writer mode of the rotations. Default `atomic-rename`. */
  rotateMode?: WriterMode
  /** The knobs of docs/rotation.md "Knobs" (typed and validated). Default: none. */
  knobs?: Knobs
  /** Lifetime of the new leaves (ms). Default 1 hour. */
  ttlMs?: number
  /** Validity of the new leaves (R13, R14). Default: now − 10 s to the TTL. */
  leafValidity?: {notBefore?: Date; notAfter?: Date}
  /** Chain file = leaf only, bundle = roots + intermediates. Default false. */
  intermediatesInBundle?: boolean
  /** New bundle only, cert and key rewritten with the same bytes. Default false. */
  bundleOnly?: boolean
  /** Number of rotations. Default 5 (RACE_DEFAULTS, as every default here). */
  rotations?: number
  /** Pause between rotations in ms. Default 500. */
  intervalMs?: number
  kind?: 'leaf' | 'intermediate' | 'root'
  caOverlap?: 'add' | 'drop-old' | 'none'
  /** How the server reloads. Default `reference`. */
  serverReload?: ServerReload
  /** How the server watches. Default `reference`. */
  strategy?: string
  debounceMs?: number
  pollMs?: number
  /** Client loops. Default 4. */
  concurrency?: number
  /** Keep the clients running at least this long (ms). */
  durationMs?: number
  /** Keep the clients running for at least this many handshakes. */
  handshakes?: number
  tlsVersion?: TlsVersionChoice
  keyType?: KeyType
  /** Allowed failures before the test fails (exit 5). Default 0. */
  maxFailures?: number
  clock?: Clock
  /** Progress every ~500 ms. */
  onProgress?: (p: {handshakes: number; failures: number; rotations: number; elapsedMs: number}) => void
  /** Every server observation (connections, reloads), for NDJSON or debugging. */
  onServerEvent?: (e: ServerEvent) => void
  /** Also write a self-contained HTML timeline of the run here (never over an existing file). */
  timelinePath?: string
  /** Stops the run (SIGINT/SIGTERM): the writer process is stopped and the temp directory with the CA keys removed before the promise settles. */
  abort?: AbortSignal
}
