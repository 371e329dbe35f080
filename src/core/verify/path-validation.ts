/**
 * RFC 5280 §6.1 path validation as a sequence of recorded checks: build the paths
 * (path.ts), run every path check on each (path-checks.ts), keep the path that got
 * furthest. Both profiles use it: `verifySvid` (X509-SVID §5, after the SPIFFE leaf rules)
 * and `verifyChain` (plain X.509).
 */
import type {ParsedCertificate} from '../x509/certificate.js'
import {EKU_NAMES} from '../x509/oids.js'
import {nameConstraintBudget} from './name-constraints.js'
import {buildPaths, PATH_LIMITS, type PathSearch} from './path.js'
import {evaluatePath, PATH_STEPS, type PathOutcome} from './path-checks.js'
import type {Report} from './result.js'

/** What path validation needs. */
interface PathInput {
  leaf: ParsedCertificate
  /** Untrusted certificates that may be on the path, any order. */
  intermediates: ParsedCertificate[]
  /** Trust anchors. */
  anchors: ParsedCertificate[]
  at: Date
  /** The caller chose `at` (messages say "evaluation time"). */
  atGiven: boolean
  strict: boolean
  /** Chain certificates on a path at most (leaf included; default PATH_LIMITS.maxDepth). */
  maxDepth?: number
  /** Check cA/keyCertSign of intermediates on the path (the SPIFFE profile does it in its step 6 instead). */
  intermediateFlags: boolean
  /** Words for hints: what the anchors are ("a root of the bundle", "a root given"). */
  anchorWords: string
}

function untrustedHint(search: PathSearch, input: PathInput): string {
  const leaf = input.leaf
  const issuer = `"${leaf.issuer}"${leaf.aki ? ` (AKI ${leaf.aki})` : ''}`
  if (search.weakSignature)
    return 'a link in the chain is signed with SHA-1 or MD5, which svidkit refuses; reissue with SHA-256 or better'
  if (search.badSignature) {
    return `a certificate named like the issuer is there, but its key did not sign the certificate below it: a look-alike CA, or a CA that was recreated; the leaf's issuer is ${issuer}`
  }
  if (input.intermediates.length === 0) {
    return `the chain holds only the leaf, issued by ${issuer}, and there is no such root among the trust anchors: append the intermediate(s) after the leaf (cat svid.pem intermediate.pem); for openssl verify pass them with -untrusted`
  }
  return `no path from the leaf's issuer ${issuer} through the ${input.intermediates.length} intermediate(s) given to ${input.anchorWords}: the trust anchors may belong to another CA or be out of date`
}

const PASS_TEXT: Record<(typeof PATH_STEPS)[number], string> = {
  keys: 'every key on the path is supported and strong enough',
  validity: 'every certificate on the path is within its validity period',
  'name-constraints': 'no name constraint on the path excludes a name below it',
  'ca-flags': 'every CA on the path may sign certificates (cA=TRUE, keyCertSign)',
  'path-length': 'every pathLenConstraint on the path holds',
  'critical-extensions': 'no unhandled critical extension on the path',
  profile: 'every certificate on the path follows the RFC 5280 profile rules checked at this level',
}

/**
 * Adds a warning for each CA on the path that carries an extended key usage: Go and
 * OpenSSL intersect EKUs down the chain, so such a CA silently limits what its leaves
 * may be used for.
 */
function warnCaEku(cas: ParsedCertificate[], r: Report): void {
  for (const ca of cas) {
    if (!ca.extKeyUsage) continue
    const purposes = ca.extKeyUsage.oids.map((o) => EKU_NAMES[o] ?? o).join(', ')
    r.note(
      `CA "${ca.subject}" on the path carries an extended key usage (${purposes}): verifiers that intersect EKUs along the chain (Go, OpenSSL) limit its leaves to these purposes`,
    )
  }
}

/**
 * Runs path validation and records the `path` check and one check per PATH_STEPS entry
 * (steps 9 and 10 of the X509-SVID algorithm). Returns the path that got furthest, or
 * undefined when none was found.
 */
export function validatePath(input: PathInput, r: Report): PathOutcome | undefined {
  const search = buildPaths(input.leaf, input.intermediates, input.anchors, input.maxDepth ?? PATH_LIMITS.maxDepth)
  if (search.paths.length === 0) {
    r.fail(
      9,
      'path',
      search.limited
        ? {
            code: 'path-limit',
            message: `path search stopped after ${search.signatureChecks} signature checks and ${search.steps} steps without reaching a trust anchor`,
            hint: `the chain holds ${input.intermediates.length + 1} certificates with look-alike names; send only the leaf and its intermediates, in order (limits: docs/security.md "Read and verify limits")`,
          }
        : search.unsupportedKey && !search.badSignature
          ? {
              code: 'weak-key',
              message: `x509: cannot verify signature: algorithm unimplemented (${search.unsupportedKey})`,
              hint: 'svidkit verifies RSA, ECDSA (P-224 to P-521) and Ed25519 signatures only; reissue the CA with one of those keys',
            }
          : {
              code: 'untrusted-chain',
              message: 'x509svid: could not verify leaf certificate: x509: certificate signed by unknown authority',
              hint: untrustedHint(search, input),
            },
    )
    for (const name of PATH_STEPS) r.skipped(name, 'no certification path')
    return undefined
  }
  if (search.limited)
    r.note(
      `the path search stopped at its limit after ${search.signatureChecks} signature checks; only the paths found so far were evaluated`,
    )
  const ctx = {
    at: input.at,
    atGiven: input.atGiven,
    strict: input.strict,
    intermediateFlags: input.intermediateFlags,
    budget: nameConstraintBudget(),
  }
  let best: PathOutcome | undefined
  for (const p of search.paths) {
    const o = evaluatePath(p, ctx)
    if (!best || o.reached > best.reached) best = o
    if (o.reached === PATH_STEPS.length) break
  }
  const chosen = best as PathOutcome
  const names = [
    ...chosen.path.certs.map((c, i) => (i === 0 && c.san?.uris[0]) || c.subject || c.serial),
    chosen.path.anchor.subject,
  ].map((s) => `"${s}"`)
  r.pass('path', `path of ${chosen.path.certs.length + 1} certificates: ${names.join(' -> ')}`)
  warnCaEku([...chosen.path.certs.slice(1), chosen.path.anchor], r)
  for (const w of chosen.warnings) r.note(w)
  PATH_STEPS.forEach((name, i) => {
    if (i < chosen.reached) r.pass(name, PASS_TEXT[name])
    else if (i === chosen.reached && chosen.failure) r.fail(10, name, chosen.failure)
    else r.skipped(name, 'an earlier path check failed')
  })
  return chosen
}
