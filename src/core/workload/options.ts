/**
 * Options of the Workload API test server (`svidkit workload-api serve`, `startWorkloadApi`)
 * and the parsers that turn flag values into them.
 */
import {resolve} from 'node:path'
import {SvidkitError, usageError} from '../errors.js'
import {parseSpiffeIdArg, parseTrustDomainArg} from '../spiffe-id/index.js'
import type {Authority} from '../ca/authority.js'
import type {Clock} from '../clock.js'
import type {KeyType} from '../x509/key-type.js'
import type {CaOverlap, PlanStep, RotationKind} from './plan.js'
import type {WorkloadEvent} from './events.js'
import type {BackpressureLimits} from './backpressure.js'

/** One identity served to every client: a SPIFFE ID and its optional hint. */
export interface IdentitySpec {
  spiffeId: string
  /** Operator label sent in `X509SVID.hint`. Default `''` (no hint). */
  hint: string
}

/** A federated trust domain and the bundle file it is read from. */
export interface FederateSpec {
  /** Trust domain name (bare). */
  trustDomain: string
  path: string
}

// Defined with the plan steps that carry them (plan.ts), below these options.
export type {CaOverlap, RotationKind}

/** Faults in force from the start (each also a plan step; docs/workload-api.md "Faults"). */
export interface StartFaults {
  /** Leaves carry this defect of the catalogue (src/core/defects/catalogue.ts). */
  defect?: string
  /** Bundles are sent empty. */
  emptyBundle?: boolean
  /** X.509 RPCs fail with PermissionDenied "no identity issued". */
  permissionDenied?: boolean
  /** Every RPC fails with Unavailable for this long after start (ms). */
  unavailableMs?: number
  /** The first message of every stream waits this long (ms). */
  slowFirstMs?: number
  /** On a rotation that changes the CA, the new bundle follows the new SVIDs this much later (ms). */
  bundleDelayMs?: number
}

/** Options of `startWorkloadApi`. */
export interface WorkloadApiOptions {
  /** The CA: a directory made by `svidkit ca init`, or an authority in memory. */
  ca: string | Authority
  /** The identities served; at least one. Strings are `ID[#hint]`. */
  identities: (IdentitySpec | string)[]
  /** Unix socket path. Default `./svidkit-agent.sock`. */
  socketPath?: string
  /** Federated trust domains sent in `federated_bundles` and `FetchX509Bundles`. Default none. */
  federate?: FederateSpec[]
  /** Key type of the leaves. Default `ec-p256`. */
  keyType?: KeyType
  /** Leaf lifetime (ms). Default 1 hour. */
  ttlMs?: number
  /** JWT-SVID lifetime (ms). Default 5 minutes. */
  jwtTtlMs?: number
  /** Rotate every this many ms; default never. */
  rotateEveryMs?: number
  /** What `--rotate-every` and `rotate()` rotate. Default `leaf`. */
  kind?: RotationKind
  /** Bundle change of a root rotation. Default `add`. */
  caOverlap?: CaOverlap
  /** A scripted timeline, offsets from start (plan.ts). Default none. */
  plan?: PlanStep[]
  /** Faults in force from the start. */
  faults?: StartFaults
  /** Receives every event (connections, requests, messages, faults). */
  onEvent?: (e: WorkloadEvent) => void
  /** Called once when a plan `stop` step ran (the server is closed by then). */
  onStop?: () => void
  /** Limits for clients that do not read (docs/workload-api.md "Slow readers"). Default 64 KiB queued, 30 s blocked. */
  backpressure?: Partial<BackpressureLimits>
  /** Clock for certificates. Default the system clock. */
  clock?: Clock
  /** Derive SVID keys, serials, ECDSA signatures and the JWT authority from this seed (test fixtures, docs/fixtures.md). Default: random. */
  seed?: string
}

export const DEFAULT_SOCKET = './svidkit-agent.sock'

/**
 * Returns the identity of an `ID[#hint]` value. `#` cannot occur in a SPIFFE ID (no
 * fragment is allowed), so the first `#` starts the hint; the hint may be empty.
 */
export function parseIdentity(value: string): IdentitySpec {
  const hash = value.indexOf('#')
  const id = hash < 0 ? value : value.slice(0, hash)
  const hint = hash < 0 ? '' : value.slice(hash + 1)
  return {spiffeId: parseSpiffeIdArg(id).toString(), hint}
}

/** Returns the trust domain and path of a `--federate TD=FILE` value; throws a usage error otherwise. */
export function parseFederate(value: string): FederateSpec {
  const eq = value.indexOf('=')
  if (eq <= 0 || eq === value.length - 1) {
    throw usageError(
      `invalid --federate "${value}"`,
      'write --federate <trust-domain>=FILE, e.g. --federate partner.org=partner-bundle.pem',
    )
  }
  return {trustDomain: parseTrustDomainArg(value.slice(0, eq)).name, path: value.slice(eq + 1)}
}

/** Returns the absolute socket path, checking it fits a Unix socket address (108 bytes on Linux). */
export function socketPathOf(path: string | undefined): string {
  const abs = resolve(path ?? DEFAULT_SOCKET)
  if (Buffer.byteLength(abs) > 107) {
    throw new SvidkitError(
      'output-not-writable',
      `socket path "${abs}" is longer than the 107 bytes a Unix socket address holds`,
      {
        path: abs,
        hint: 'choose a shorter --socket path, e.g. under /tmp',
      },
    )
  }
  return abs
}
