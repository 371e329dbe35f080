import type {RotateEvent} from '../../rotate/events.js'
import type {ServerEvent} from '../../handshake/server-events.js'
import type {Attempt, ResourceSample} from './stats.js'
import type {LocalRaceOptions} from './race.js'
import {maxOf} from '../../arrays.js'
import {RACE_DEFAULTS} from '../defaults.js'

export type Spread = {p50Ms: number; p99Ms: number; maxMs: number} | null

/** The fields every race report carries, in-process or against a target (docs/errors.md, `race --json`). */
export interface RaceReportBase {
  ok: boolean
  handshakes: number
  failures: number
  maxFailures: number
  /** Reason codes where one applies, else the raw Node code (docs/race.md). */
  failuresByCause: Record<string, number>
  /** local: we rejected the server; peer: the server rejected us (alert translated). */
  failuresBySide: {local: number; peer: number}
  /** One example per cause: code, message, hint-free. */
  errors: {code: string; message: string; side: string}[]
  rotations: number
  rotateMode: string
  kind: string
  /** Time from a rotation's last write until a client was first served the new serial. */
  convergence: Spread
  unconverged: number
  /** The last rotation's serial was served before the end. */
  finalSerialServed: boolean
  /** Handshakes begun after the last set was in place that were still served an older serial. */
  staleServed: number
  /** Handshake latency (connect to secureConnect). */
  latency: Spread
  /** Failed handshakes whose server set was inconsistent or out of validity (untrusted chain, expired, not yet valid). */
  inconsistentOrExpired: number
  resumed: number
  windowsOpened: number
  elapsedMs: number
  rotateExit: number
  rotateErrors: string[]
}

/** The report of the in-process race (`race` without `--target`). */
export interface RaceReport extends RaceReportBase {
  serverReload: string
  strategy: string
  /** The server loaded the writer's last set (same cert, key and bundle bytes) before the end. */
  finalSetLoaded: boolean
  /** reloads; invalid sets skipped (reference); errors: reloads that failed (naive servers); rejected connections. */
  server: {reloads: number; invalid: number; errors: number; rejected: number}
  resources: {start: ResourceSample; end: ResourceSample; maxRssMb: number; maxFds: number}
}

/** Failure causes that mean the server presented an inconsistent or out-of-validity set. */
export const INCONSISTENT = new Set(['untrusted-chain', 'cert-expired', 'cert-not-yet-valid', 'key-mismatch'])

/** What both race reports say of the failed handshakes (RaceReportBase fields), from all attempts. */
export interface FailureTally {
  failed: Attempt[]
  failuresByCause: Record<string, number>
  failuresBySide: {local: number; peer: number}
  /** The first failure of each reason code, by code (`errors` lists them in that order). */
  examples: Map<string, {code: string; message: string; side: string}>
  /** Client-side (local) failures that mean an inconsistent or expired set (INCONSISTENT). */
  inconsistentOrExpired: number
}

/** Returns the failures of a race's attempts by cause and side, with one example of each cause. */
export function failureTally(attempts: Attempt[]): FailureTally {
  const failed = attempts.filter((a) => !a.ok)
  const failuresByCause: Record<string, number> = {}
  const examples: FailureTally['examples'] = new Map()
  for (const a of failed) {
    const code = a.code ?? 'unknown'
    failuresByCause[code] = (failuresByCause[code] ?? 0) + 1
    if (!examples.has(code)) examples.set(code, {code, message: a.message ?? '', side: a.side ?? 'local'})
  }
  return {
    failed,
    failuresByCause,
    failuresBySide: {local: failed.filter((a) => a.side === 'local').length, peer: failed.filter((a) => a.side === 'peer').length},
    examples,
    inconsistentOrExpired: failed.filter((a) => a.code && INCONSISTENT.has(a.code) && a.side === 'local').length,
  }
}

/** Returns the race report from the raw observations. */
export function raceReport(x: {
  options: LocalRaceOptions & {rotateMode: string; serverReload: string; strategy: string}
  attempts: Attempt[]
  done: RotateEvent[]
  windows: number
  rotateExit: number
  rotateErrors: string[]
  serverEvents: ServerEvent[]
  samples: ResourceSample[]
  elapsedMs: number
  convergence: (number | undefined)[]
  lastSerial: string | undefined
  finalSetLoaded: boolean
  /** When the server had loaded the last set (monotonic ms). */
  loadedAt: number | undefined
  spread: (v: number[]) => Spread
}): RaceReport {
  const tally = failureTally(x.attempts)
  const {failed} = tally
  const conv = x.convergence.filter((c): c is number => c !== undefined)
  const lastDone = x.done.at(-1)
  const finalSerialServed = !lastDone || x.attempts.some((a) => a.ok && a.servedSerial === x.lastSerial && a.start >= lastDone.t)
  const maxFailures = x.options.maxFailures ?? RACE_DEFAULTS.maxFailures
  const loadedAt = x.loadedAt
  const staleServed =
    loadedAt === undefined || !x.lastSerial ? 0 : x.attempts.filter((a) => a.ok && a.start >= loadedAt && a.servedSerial !== x.lastSerial).length
  return {
    ok: failed.length <= maxFailures && x.rotateExit === 0 && finalSerialServed && x.finalSetLoaded && staleServed === 0,
    handshakes: x.attempts.length,
    failures: failed.length,
    maxFailures,
    failuresByCause: tally.failuresByCause,
    failuresBySide: tally.failuresBySide,
    errors: [...tally.examples.values()],
    rotations: x.done.length,
    rotateMode: x.options.rotateMode,
    serverReload: x.options.serverReload,
    strategy: x.options.strategy,
    kind: x.options.kind ?? RACE_DEFAULTS.kind,
    convergence: x.spread(conv),
    unconverged: x.convergence.length - conv.length,
    finalSerialServed,
    finalSetLoaded: x.finalSetLoaded,
    staleServed,
    latency: x.spread(x.attempts.filter((a) => a.ok && a.handshakeMs !== null).map((a) => a.handshakeMs as number)),
    inconsistentOrExpired: tally.inconsistentOrExpired,
    resumed: x.attempts.filter((a) => a.resumed).length,
    windowsOpened: x.windows,
    server: {
      reloads: x.serverEvents.filter((e) => e.type === 'reload').length,
      invalid: x.serverEvents.filter((e) => e.type === 'invalid').length,
      errors: x.serverEvents.filter((e) => e.type === 'error').length,
      rejected: x.serverEvents.filter((e) => e.type === 'connection' && e.result === 'rejected').length,
    },
    resources: {
      start: x.samples[0],
      end: x.samples.at(-1) as ResourceSample,
      maxRssMb: maxOf(x.samples.map((s) => s.rssMb)),
      maxFds: maxOf(x.samples.map((s) => s.fds)),
    },
    elapsedMs: x.elapsedMs,
    rotateExit: x.rotateExit,
    rotateErrors: x.rotateErrors,
  }
}
