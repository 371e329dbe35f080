/**
 * Name constraints of a path (RFC 5280 §6.1.3 (b), (c), §6.1.4 (g)) and the certificate
 * profile rules of RFC 5280 §4 for conforming CAs. The profile rules that Go or OpenSSL
 * enforce are checked by default; the others only with `--strict` (docs/verification.md).
 */
import type {ParsedCertificate} from '../x509/certificate.js'
import {readChildren, readTlv} from '../x509/der-read.js'
import {describe, extensionValue, rawFacts, selfIssued} from './cert-facts.js'
import {constraintProblems} from './name-constraint-syntax.js'
import {constraintViolation, NameConstraintLimit, NAME_CONSTRAINT_LIMITS} from './name-constraints.js'
import {bytesEqual} from './name-match.js'
import {profileFailure, type PathContext} from './path-context.js'
import type {Failure} from './result.js'

const FORM: Record<string, string> = {
  uri: 'URI',
  dns: 'DNS name',
  email: 'email address',
  ip: 'IP address',
  dn: 'directory name',
  other: 'name',
}
const AIA = '1.3.6.1.5.5.7.1.1'

function violationFailure(all: ParsedCertificate[], ca: number, below: number, ctx: PathContext): Failure | undefined {
  const v = constraintViolation(all[ca], all[below], ctx.budget)
  if (!v) return undefined
  const what = FORM[v.type]
  const verdict = v.unparsable
    ? 'cannot be parsed to check it against the constraints'
    : v.excluded
      ? 'is excluded by a constraint'
      : 'is not permitted by any constraint'
  const of = below === 0 ? '' : ` (in ${describe(all[below], below, all)})`
  return {
    code: 'name-constraint-violation',
    message: `x509: a root or intermediate certificate specifies a constraint that is violated: ${what} "${v.value}"${of} ${verdict} of ${describe(all[ca], ca, all)}`,
    hint: v.malformedBase
      ? `the constraint "${v.malformedBase}" is written as a URI or with a path and matches nothing: URI constraints compare only the host; use the bare trust-domain name`
      : v.type === 'uri'
        ? 'URI name constraints compare only the host (for a SPIFFE ID, the trust domain), exactly: the certificate names a host the CA may not sign for'
        : `the ${what} is outside what the CA may sign for: reissue the certificate within the CA's name constraints, or use a CA without them`,
  }
}

/** Step `name-constraints`: every CA's constraints are usable, and no name below a CA breaks them (self-issued intermediates exempt). */
export function checkNameConstraints(
  all: ParsedCertificate[],
  ctx: PathContext,
  warnings: string[],
): Failure | undefined {
  for (let i = all.length - 1; i >= 0; i--) {
    for (const p of constraintProblems(all[i], i > 0)) {
      if (p.strictOnly && !ctx.strict) {
        warnings.push(`${describe(all[i], i, all)}: ${p.message}; --strict refuses it`)
        continue
      }
      return {
        code: 'name-constraint-invalid',
        message: `${p.message} (${describe(all[i], i, all)})`,
        hint: 'a name constraint a verifier cannot evaluate makes the CA unusable: reissue the CA with DNS, email, URI, IP or directory-name subtrees in a critical extension',
      }
    }
  }
  try {
    // all = leaf, intermediates…, anchor. A CA's constraints apply to every certificate below it.
    for (let ca = all.length - 1; ca >= 1; ca--) {
      if (!all[ca].nameConstraints) continue
      for (let below = ca - 1; below >= 0; below--) {
        if (below > 0 && selfIssued(all[below])) continue
        const f = violationFailure(all, ca, below, ctx)
        if (f) return f
      }
    }
  } catch (err) {
    if (!(err instanceof NameConstraintLimit)) throw err
    return {
      code: 'path-limit',
      message: `name-constraint checking stopped after ${NAME_CONSTRAINT_LIMITS.maxWork} steps: the chain's names and constraints are too many to check`,
      hint: 'the certificates carry an unusual number of names or constraints; the chain is rejected (limits: docs/security.md "Read and verify limits")',
    }
  }
  return undefined
}

/** Returns true when an authorityInfoAccess value is a non-empty SEQUENCE of AccessDescription { OID, GeneralName } (RFC 5280 §4.2.2.1). */
function aiaWellFormed(v: Uint8Array): boolean {
  const outer = readTlv(v, 0, v.length)
  if (!outer || outer.tag !== 0x30 || outer.end !== v.length) return false
  const items = readChildren(v, outer, 1024, true)
  if (!items || items.length === 0) return false
  return items.every((d) => {
    const parts = d.tag === 0x30 ? readChildren(v, d, 3, true) : undefined
    return (
      parts?.length === 2 &&
      parts[0].tag === 0x06 &&
      parts[0].end > parts[0].start &&
      [0xa0, 0x81, 0x82, 0xa3, 0xa4, 0xa5, 0x86, 0x87, 0x88].includes(parts[1].tag)
    )
  })
}

/**
 * Returns the profile rule `c` (at index i of the path) breaks, with its level. `caRules`
 * adds the cA/keyCertSign consistency rules, which the SPIFFE profile checks in its own
 * steps 5 and 6 (leaf flags, signing certificates).
 */
function profileProblem(
  all: ParsedCertificate[],
  i: number,
  caRules: boolean,
): {message: string; strictOnly: boolean} | undefined {
  const c = all[i]
  const raw = rawFacts(c)
  const who = describe(c, i, all)
  const anchor = i === all.length - 1
  const isCa = c.basicConstraints?.ca === true
  // Go: "x509: inner and outer signature algorithm identifiers don't match".
  if (!bytesEqual(raw.signatureAlgorithmDer, raw.tbsSignatureDer))
    return {
      message: `${who}: signatureAlgorithm differs from the TBS signature field (RFC 5280 §4.1.1.2)`,
      strictOnly: false,
    }
  if (raw.serial.length > 0 && raw.serial[0] & 0x80)
    return {message: `${who}: negative serial number (RFC 5280 §4.1.2.2; Go refuses it)`, strictOnly: false}
  const aia = extensionValue(c, AIA)
  if (aia && !aiaWellFormed(aia))
    return {message: `${who}: malformed authorityInfoAccess (RFC 5280 §4.2.2.1; Go refuses it)`, strictOnly: false}
  if (raw.serial.every((b) => b === 0))
    return {message: `${who}: serial number zero (RFC 5280 §4.1.2.2: a positive integer)`, strictOnly: true}
  if (raw.serial.length > 20)
    return {
      message: `${who}: serial number of ${raw.serial.length} octets (RFC 5280 §4.1.2.2: at most 20)`,
      strictOnly: true,
    }
  if (c.version < 3 && c.extensions.length > 0)
    return {message: `${who}: extensions in a version ${c.version} certificate (RFC 5280 §4.1.2.9)`, strictOnly: true}
  if (c.extKeyUsage && c.extKeyUsage.oids.length === 0)
    return {message: `${who}: empty extendedKeyUsage (RFC 5280 §4.2.1.12: SIZE (1..MAX))`, strictOnly: true}
  if (c.issuerDer.length <= 2) return {message: `${who}: empty issuer name (RFC 5280 §4.1.2.4)`, strictOnly: true}
  const emptySubject = c.subjectDer.length <= 2
  if (emptySubject && (isCa || !c.san))
    return {
      message: `${who}: empty subject name (RFC 5280 §4.1.2.6: CAs and certificates without subjectAltName need one)`,
      strictOnly: true,
    }
  if (emptySubject && c.san && !c.san.critical)
    return {message: `${who}: empty subject with a non-critical subjectAltName (RFC 5280 §4.2.1.6)`, strictOnly: true}
  if (c.san && c.san.uris.length + c.san.dns.length + c.san.ips.length + c.san.emails.length + c.san.other === 0)
    return {message: `${who}: empty subjectAltName (RFC 5280 §4.2.1.6)`, strictOnly: true}
  const crit = (oid: string) => c.extensions.some((e) => e.oid === oid && e.critical)
  if (crit('2.5.29.35'))
    return {
      message: `${who}: critical authorityKeyIdentifier (RFC 5280 §4.2.1.1: MUST NOT be critical)`,
      strictOnly: true,
    }
  if (crit('2.5.29.14'))
    return {
      message: `${who}: critical subjectKeyIdentifier (RFC 5280 §4.2.1.2: MUST NOT be critical)`,
      strictOnly: true,
    }
  if (c.version >= 3 && !anchor && !c.aki)
    return {message: `${who}: no authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1)`, strictOnly: true}
  if (c.version >= 3 && isCa && !c.ski)
    return {message: `${who}: a CA without subjectKeyIdentifier (RFC 5280 §4.2.1.2)`, strictOnly: true}
  if (caRules && c.basicConstraints?.pathLen !== undefined && (!isCa || !c.keyUsage?.names.includes('keyCertSign')))
    return {message: `${who}: pathLenConstraint without cA and keyCertSign (RFC 5280 §4.2.1.9)`, strictOnly: true}
  if (caRules && !isCa && c.keyUsage?.names.includes('keyCertSign'))
    return {message: `${who}: keyCertSign without cA=TRUE (RFC 5280 §4.2.1.3, §4.2.1.9)`, strictOnly: true}
  if (i + 1 < all.length && !bytesEqual(c.issuerDer, all[i + 1].subjectDer))
    return {
      message: `${who}: issuer name is not encoded as the subject of ${describe(all[i + 1], i + 1, all)} (RFC 5280 §4.1.2.6); it matches only by RFC 5280 §7.1 comparison, which Go does not do`,
      strictOnly: true,
    }
  return undefined
}

/** Step `profile`: the RFC 5280 rules for conforming CAs, on every certificate of the path. */
export function checkProfile(all: ParsedCertificate[], ctx: PathContext, warnings: string[]): Failure | undefined {
  for (let i = 0; i < all.length; i++) {
    const p = profileProblem(all, i, ctx.intermediateFlags)
    if (!p) continue
    if (p.strictOnly && !ctx.strict) {
      warnings.push(`${p.message}; --strict refuses it`)
      continue
    }
    return profileFailure(p.message)
  }
  return undefined
}
