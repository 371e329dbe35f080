import {formatInstant} from '../time/instant.js'
import {formatDuration} from '../time/duration.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {EXTENSION_NAMES, HANDLED_CRITICAL} from '../x509/oids.js'
import {describe, selfIssued} from './cert-facts.js'
import {checkCaFlags, checkKeys} from './ca-checks.js'
import {checkNameConstraints, checkProfile} from './profile-checks.js'
import type {CertPath} from './path.js'
import type {PathContext} from './path-context.js'
import type {Failure} from './result.js'

/** The sub-steps of RFC 5280 §6.1 that svidkit runs on each path, in order (docs/verification.md). */
export const PATH_STEPS = [
  'keys',
  'validity',
  'name-constraints',
  'ca-flags',
  'path-length',
  'critical-extensions',
  'profile',
] as const

/** How far a path got: the index of the first failing sub-step (PATH_STEPS.length = all passed), why it failed, and warnings. */
export interface PathOutcome {
  path: CertPath
  reached: number
  failure?: Failure
  warnings: string[]
}

function checkValidity(all: ParsedCertificate[], ctx: PathContext): Failure | undefined {
  const t = ctx.at.getTime()
  const now = ctx.atGiven ? 'evaluation time' : 'current time'
  for (const [i, c] of all.entries()) {
    if (t > c.notAfter.getTime()) {
      const ago = ctx.atGiven
        ? `${formatDuration(t - c.notAfter.getTime())} before the evaluation time`
        : `${formatDuration(t - c.notAfter.getTime())} ago`
      return {
        code: 'cert-expired',
        message: `certificate has expired or is not yet valid: ${now} ${formatInstant(ctx.at)} is after ${formatInstant(c.notAfter)} (${describe(c, i, all)})`,
        hint:
          i === 0
            ? `the leaf expired ${ago}: issue a new certificate, and check the rotation that should have replaced it`
            : `the ${describe(c, i, all)} expired ${ago}: rotate that CA and reissue what it signed`,
      }
    }
    if (t < c.notBefore.getTime()) {
      const gap = formatDuration(c.notBefore.getTime() - t)
      return {
        code: 'cert-not-yet-valid',
        message: `certificate has expired or is not yet valid: ${now} ${formatInstant(ctx.at)} is before ${formatInstant(c.notBefore)} (${describe(c, i, all)})`,
        hint: `notBefore is ${gap} after the evaluation time: check the clocks of issuer and verifier (issuers backdate by about 10s)`,
      }
    }
  }
  return undefined
}

function checkPathLength(all: ParsedCertificate[]): Failure | undefined {
  for (let ca = 1; ca < all.length; ca++) {
    const limit = all[ca].basicConstraints?.pathLen
    if (limit === undefined || !all[ca].basicConstraints?.ca) continue
    // Intermediates strictly between this CA and the leaf; self-issued ones do not count (RFC 5280 §6.1.4 (l)).
    const between = all.slice(1, ca).filter((c) => !selfIssued(c)).length
    if (between > limit) {
      return {
        code: 'path-length-exceeded',
        message: `too many intermediates for path length constraint (${between} below ${describe(all[ca], ca, all)}, pathLenConstraint ${limit})`,
        hint: `that CA allows ${limit} intermediate(s) below it; shorten the chain or reissue the CA with a larger pathLen`,
      }
    }
  }
  return undefined
}

function checkCriticalExtensions(all: ParsedCertificate[]): Failure | undefined {
  for (const [i, c] of all.entries()) {
    const bad = c.extensions.find((e) => e.critical && !HANDLED_CRITICAL.has(e.oid))
    if (bad) {
      return {
        code: 'unhandled-critical-extension',
        message: `x509: unhandled critical extension ${EXTENSION_NAMES[bad.oid] ?? bad.oid} in ${describe(c, i, all)}`,
        hint: 'verifiers must reject certificates with critical extensions they do not process; mark it non-critical or remove it',
      }
    }
  }
  return undefined
}

/** Returns how far a path gets through PATH_STEPS (first failure wins), with the warnings of the steps it ran. */
export function evaluatePath(path: CertPath, ctx: PathContext): PathOutcome {
  const all = [...path.certs, path.anchor]
  const warnings: string[] = []
  const steps = [
    () => checkKeys(all, ctx, warnings),
    () => checkValidity(all, ctx),
    () => checkNameConstraints(all, ctx, warnings),
    () => checkCaFlags(all, ctx, warnings),
    () => checkPathLength(all),
    () => checkCriticalExtensions(all),
    () => checkProfile(all, ctx, warnings),
  ]
  for (const [i, step] of steps.entries()) {
    const failure = step()
    if (failure) return {path, reached: i, failure, warnings}
  }
  return {path, reached: steps.length, warnings}
}
