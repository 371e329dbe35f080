import type {RotateEvent} from '../../rotate/events.js'
import type {ServerEvent} from '../../handshake/server-events.js'
import type {Attempt} from '../attempt.js'
import {failureTally, type RaceReportBase} from '../report-base.js'
import {spread} from '../../stats.js'
import type {ResourceSample} from './stats.js'
import type {LocalRaceOptions} from './options.js'
import {maxOf} from '../../arrays.js'
import {RACE_DEFAULTS} from '../defaults.js'

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
}): RaceReport {
  const tally = failureTally(x.attempts)
  const {failed} = tally
  const conv = x.convergence.filter((c): c is number => c !== undefined)
  const lastDone = x.done.at(-1)
  const finalSerialServed =
    !lastDone || x.attempts.some((a) => a.ok && a.servedSerial === x.lastSerial && a.start >= lastDone.t)
  const maxFailures = x.options.maxFailures ?? RACE_DEFAULTS.maxFailures
  const loadedAt = x.loadedAt
  const staleServed =
    loadedAt === undefined || !x.lastSerial
      ? 0
      : x.attempts.filter((a) => a.ok && a.start >= loadedAt && a.servedSerial !== x.lastSerial).length
  return {
    ok:
      failed.length <= maxFailures && x.rotateExit === 0 && finalSerialServed && x.finalSetLoaded && staleServed === 0,
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
    convergence: spread(conv),
    unconverged: x.convergence.length - conv.length,
    finalSerialServed,
    finalSetLoaded: x.finalSetLoaded,
    staleServed,
    latency: spread(x.attempts.filter((a) => a.ok && a.handshakeMs !== null).map((a) => a.handshakeMs as number)),
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
