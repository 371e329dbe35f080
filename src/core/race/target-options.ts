import type {Clock} from '../clock.js'
import type {Knobs} from '../rotate/knobs.js'
import type {WriterMode} from '../rotate/writers/index.js'
import type {SpiffeId, TrustDomain} from '../spiffe-id/index.js'
import type {LayoutName} from '../fs/layout.js'
import type {KeyType} from '../x509/key-type.js'
import type {TlsVersionChoice} from '../handshake/tls-options.js'
import type {ProbeSpec} from '../handshake/client-probe.js'
import type {ReloadTrigger} from './reload.js'
import type {WriterStep} from './writer-job.js'

/** Options of `race --target` (typed and validated; docs/race.md). */
export interface TargetRaceOptions {
  host: string
  port: number
  /** The server's SVID directory (dir-symlink: the link), rotated by the race. */
  dir: string
  /** The CA directory that issued the SVID in `dir`. */
  ca: string
  /** Writer mode. Default `atomic-rename` (RACE_DEFAULTS). */
  mode?: WriterMode
  layout?: LayoutName
  names?: {cert?: string; key?: string; bundle?: string}
  knobs: Knobs
  issue?: {keyType?: KeyType; ttlMs?: number; notBefore?: Date; notAfter?: Date}
  intermediatesInBundle?: boolean
  bundleOnly?: boolean
  /** What each rotation replaces. Default `leaf`. */
  kind?: WriterStep['kind']
  caOverlap?: WriterStep['caOverlap']
  /** Rotations (root rollovers count as one each). Default 5 (RACE_DEFAULTS). */
  rotations?: number
  /** Pause between rotations (ms). Default 500 (RACE_DEFAULTS). */
  intervalMs?: number
  /** Default none. */
  reload?: ReloadTrigger
  /** The pid for `signal:` (re-read every rotation); default the --server-cmd process. */
  pid?: number
  pidFile?: string
  /** A shell command that starts the server under test. */
  serverCmd?: string
  /** How long to wait for the target to accept connections (ms). Default 10000 (RACE_DEFAULTS). */
  startTimeoutMs?: number
  /** How long a rotation may take to be served (ms). Default 5000 (RACE_DEFAULTS). */
  settleMs?: number
  /** Client loops. Default 4 (RACE_DEFAULTS). */
  concurrency?: number
  /** The clients' SPIFFE ID. Default spiffe://<trust domain>/svidkit-race-client. */
  clientId?: string
  /** Accepted server SPIFFE IDs. Default: the one in `dir`. */
  expectIds?: SpiffeId[]
  expectTrustDomain?: TrustDomain
  servername?: string
  tlsVersion?: TlsVersionChoice
  /** Per-handshake timeout (ms). Default 5000 (RACE_DEFAULTS). */
  timeoutMs?: number
  /** Hold every inconsistent window the writer opens until this many handshakes begun inside it ended (bounded). Default 0: the writer's own timing. */
  windowHandshakes?: number
  /** Worker threads for the client loops. Default: one per core (at most one per loop); 0 or 1: all on this thread. */
  threads?: number
  /** How acceptance is proven (docs/race.md). Default: HTTP, the status says. */
  probe?: ProbeSpec
  /** Keep the clients running at least this long (ms). */
  durationMs?: number
  /** Failures allowed. Default 0 (RACE_DEFAULTS). */
  maxFailures?: number
  /** Also write a self-contained HTML timeline of the run here (never over an existing file). */
  timelinePath?: string
  /** At the end put the original bytes of --dir back and fire the trigger once more. Default false: the last rotated set stays. */
  restore?: boolean
  clock?: Clock
  onProgress?: (p: {handshakes: number; failures: number; rotations: number; elapsedMs: number}) => void
  /** Stops the run: writer, clients and the server process are stopped before the promise settles. */
  abort?: AbortSignal
}
