/**
 * The flag values of `svidkit workload-api serve`, as plain strings, turned into
 * `WorkloadApiOptions`; every inconsistent combination is a usage error, so no flag is
 * silently ignored.
 */
import {usageError} from '../errors.js'
import {parseDuration} from '../time/duration.js'
import {parseKeyType} from '../x509/key-type.js'
import {checkDefectName} from '../defects/index.js'
import {loadPlan} from './plan.js'
import {parseFederate, parseIdentity, type CaOverlap, type RotationKind, type WorkloadApiOptions} from './options.js'

/** The raw flag values (undefined = not given). */
interface ServeInput {
  socket?: string
  ca: string
  spiffeId: string[]
  federate?: string[]
  keyType?: string
  ttl?: string
  jwtTtl?: string
  rotateEvery?: string
  kind?: string
  caOverlap?: string
  plan?: string
  defect?: string
  emptyBundle?: boolean
  permissionDenied?: boolean
  unavailableFor?: string
  slowFirst?: string
  bundleDelay?: string
  maxBlocked?: string
}

const positive = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined
  const ms = parseDuration(v)
  if (!(ms > 0)) throw usageError(`${flag} must be positive, got "${v}"`)
  return ms
}

/** Returns the server options of the flags (the plan file is read here: a missing one is exit 3). */
export function serveOptions(f: ServeInput): Omit<WorkloadApiOptions, 'onEvent' | 'onStop'> {
  if (f.spiffeId.length === 0)
    throw usageError('at least one --spiffe-id is needed', 'pass --spiffe-id spiffe://<td>/<path>[#hint], repeatable')
  const kind = (f.kind ?? 'leaf') as RotationKind
  const timeline = f.rotateEvery !== undefined || f.plan !== undefined
  if (f.kind !== undefined && !timeline)
    throw usageError('--kind needs --rotate-every or --plan', 'it says what each rotation rotates')
  if (f.caOverlap !== undefined && kind !== 'root' && f.plan === undefined)
    throw usageError('--ca-overlap needs --kind root (or a --plan with root steps)')
  if (f.rotateEvery !== undefined && kind === 'root' && f.caOverlap === 'drop-old') {
    throw usageError(
      '--ca-overlap drop-old cannot repeat with --rotate-every',
      'use add or none, or a --plan with an add step then a drop-old step',
    )
  }
  if (f.bundleDelay !== undefined && kind === 'leaf' && f.plan === undefined) {
    throw usageError(
      '--bundle-delay needs CA rotations: --kind intermediate or root, or a --plan',
      'a leaf rotation does not change the bundle',
    )
  }
  if (f.defect !== undefined) checkDefectName(f.defect)
  return {
    ca: f.ca,
    socketPath: f.socket,
    identities: f.spiffeId.map(parseIdentity),
    federate: (f.federate ?? []).map(parseFederate),
    keyType: f.keyType === undefined ? undefined : parseKeyType(f.keyType),
    ttlMs: positive('--ttl', f.ttl),
    jwtTtlMs: positive('--jwt-ttl', f.jwtTtl),
    rotateEveryMs: positive('--rotate-every', f.rotateEvery),
    kind,
    caOverlap: (f.caOverlap ?? 'add') as CaOverlap,
    plan: f.plan === undefined ? undefined : loadPlan(f.plan),
    backpressure: {maxBlockedMs: positive('--max-blocked', f.maxBlocked)},
    faults: {
      defect: f.defect,
      emptyBundle: f.emptyBundle,
      permissionDenied: f.permissionDenied,
      unavailableMs: positive('--unavailable-for', f.unavailableFor),
      slowFirstMs: positive('--slow-first', f.slowFirst),
      bundleDelayMs: positive('--bundle-delay', f.bundleDelay),
    },
  }
}
