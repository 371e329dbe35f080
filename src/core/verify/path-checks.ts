import {formatInstant} from '../time/instant.js'
import {formatDuration} from '../time/duration.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {isSelfIssued} from '../x509/certificate.js'
import {EXTENSION_NAMES, HANDLED_CRITICAL} from '../x509/oids.js'
import {constraintViolation} from './name-constraints.js'
import type {CertPath} from './path.js'
import type {Failure} from './result.js'

/** The sub-steps of X509-SVID §5.1 and RFC 5280 §6.1, in order. */
export const PATH_STEPS = ['validity', 'name-constraints', 'path-length', 'critical-extensions'] as const

/** How far a path got: the index of the first failing sub-step (4 = all passed) and why it failed. */
export interface PathOutcome {
  path: CertPath
  reached: number
  failure?: Failure
}

function describe(c: ParsedCertificate, i: number, all: ParsedCertificate[]): string {
  const role = i === 0 ? 'leaf' : i === all.length - 1 ? 'root' : 'intermediate'
  return `${role} "${c.subject || c.san?.uris[0] || c.serial}" (serial ${c.serial})`
}

function checkValidity(all: ParsedCertificate[], at: Date): Failure | undefined {
  const t = at.getTime()
  for (const [i, c] of all.entries()) {
    if (t > c.notAfter.getTime()) {
      const ago = formatDuration(t - c.notAfter.getTime())
      return {
        code: 'cert-expired',
        message: `certificate has expired or is not yet valid: current time ${formatInstant(at)} is after ${formatInstant(c.notAfter)} (${describe(c, i, all)})`,
        hint:
          i === 0
            ? `the leaf expired ${ago} ago: issue a new SVID, and check the rotation that should have replaced it`
            : `the ${describe(c, i, all)} expired ${ago} ago: rotate that CA and reissue what it signed`,
      }
    }
    if (t < c.notBefore.getTime()) {
      const gap = formatDuration(c.notBefore.getTime() - t)
      return {
        code: 'cert-not-yet-valid',
        message: `certificate has expired or is not yet valid: current time ${formatInstant(at)} is before ${formatInstant(c.notBefore)} (${describe(c, i, all)})`,
        hint: `notBefore is ${gap} after the evaluation time: check the clocks of issuer and verifier (issuers backdate by about 10s)`,
      }
    }
  }
  return undefined
}

function checkNameConstraints(all: ParsedCertificate[]): Failure | undefined {
  // all = leaf, intermediates…, anchor. A CA's constraints apply to every certificate below it.
  for (let ca = all.length - 1; ca >= 1; ca--) {
    for (let below = ca - 1; below >= 0; below--) {
      const v = constraintViolation(all[ca], all[below])
      if (!v) continue
      const what = v.type === 'uri' ? 'URI' : v.type === 'dns' ? 'DNS name' : v.type === 'email' ? 'email address' : 'IP address'
      return {
        code: 'name-constraint-violation',
        message: `x509: a root or intermediate certificate specifies a constraint that is violated: ${what} "${v.value}" is ${v.excluded ? 'excluded by a constraint' : 'not permitted by any constraint'} of ${describe(all[ca], ca, all)}`,
        hint: v.malformedBase
          ? `the constraint "${v.malformedBase}" is written as a URI or with a path and matches nothing: URI constraints compare only the host; use the bare trust-domain name`
          : 'URI name constraints compare only the trust domain (host), exactly: the leaf is in a trust domain the CA may not sign for',
      }
    }
  }
  return undefined
}

function checkPathLength(all: ParsedCertificate[]): Failure | undefined {
  for (let ca = 1; ca < all.length; ca++) {
    const limit = all[ca].basicConstraints?.pathLen
    if (limit === undefined) continue
    // Non-self-issued intermediates strictly between this CA and the leaf.
    const between = all.slice(1, ca).filter((c) => !isSelfIssued(c)).length
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

/** Returns how far a path gets through the path checks (validity, name constraints, path length, critical extensions) at time `at` (first failure wins). */
export function evaluatePath(path: CertPath, at: Date): PathOutcome {
  const all = [...path.certs, path.anchor]
  const steps = [() => checkValidity(all, at), () => checkNameConstraints(all), () => checkPathLength(all), () => checkCriticalExtensions(all)]
  for (const [i, step] of steps.entries()) {
    const failure = step()
    if (failure) return {path, reached: i, failure}
  }
  return {path, reached: steps.length}
}
