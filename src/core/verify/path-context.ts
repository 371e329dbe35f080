/**
 * What the checks of one path share (path-checks.ts runs them; ca-checks.ts and
 * profile-checks.ts implement them): the context they read and the failure they report
 * for an RFC 5280 rule. Below all three, so none imports another for these.
 */
import type {NameConstraintBudget} from './name-constraints.js'
import type {Failure} from './result.js'

/** What every path check needs besides the path. */
export interface PathContext {
  /** Evaluation time. */
  at: Date
  /** True when the caller chose the time (`--at`): messages then speak of "the evaluation time", not of now. */
  atGiven: boolean
  /** Adds the RFC 5280 MUSTs for conforming CAs (docs/verification.md, `--strict`). */
  strict: boolean
  /** Check cA/keyCertSign of the intermediates here (the X.509 profile); the SPIFFE profile does it in step 6. */
  intermediateFlags: boolean
  /** Name-constraint work budget shared by every path of one verification. */
  budget: NameConstraintBudget
}

/** Returns a `profile-violation` failure for an RFC 5280 rule. */
export function profileFailure(message: string): Failure {
  return {
    code: 'profile-violation',
    message,
    hint: 'the certificate breaks a rule RFC 5280 sets for conforming CAs; reissue it (without --strict svidkit accepts it as OpenSSL and Go do)',
  }
}
