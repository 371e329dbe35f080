/**
 * What every race report says, in-process (local/report.ts) or against a target
 * (target-report.ts): the shared fields, and the failures of the attempts by cause and side.
 */
import type {Spread} from '../stats.js'
import type {Attempt} from './attempt.js'

export type {Spread} from '../stats.js'

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

/** Failure causes that mean the server presented an inconsistent or out-of-validity set. */
const INCONSISTENT = new Set(['untrusted-chain', 'cert-expired', 'cert-not-yet-valid', 'key-mismatch'])

/** What both race reports say of the failed handshakes (RaceReportBase fields), from all attempts. */
interface FailureTally {
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
    failuresBySide: {
      local: failed.filter((a) => a.side === 'local').length,
      peer: failed.filter((a) => a.side === 'peer').length,
    },
    examples,
    inconsistentOrExpired: failed.filter((a) => a.code && INCONSISTENT.has(a.code) && a.side === 'local').length,
  }
}
