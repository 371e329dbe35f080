/**
 * `verifyChain`: RFC 5280 path validation for any X.509 chain, without the SPIFFE leaf
 * rules (docs/verification.md). `svidkit verify --profile x509` runs it; `verifySvid` runs
 * the same path validation after the X509-SVID leaf rules.
 */
import {formatInstant} from '../time/instant.js'
import {parseCertificateDer, type ParsedCertificate} from '../x509/certificate.js'
import {PATH_STEPS} from './path-checks.js'
import {validatePath} from './path-validation.js'
import {Report, summarizeChain, type VerifyResult} from './result.js'
import {minOf} from '../arrays.js'

/** A certificate as a parsed certificate or its DER bytes. */
export type CertificateInput = ParsedCertificate | Uint8Array

/** Options of `verifyChain`. */
export interface VerifyChainOptions {
  /** The end-entity certificate to validate. */
  leaf: CertificateInput
  /** Untrusted certificates that may complete the path, any order, unused ones ignored. Default none. */
  intermediates?: CertificateInput[]
  /** Trust anchors. Their own signatures and validity dates are not checked as signatures; validity, CA flags and keys are. */
  roots: CertificateInput[]
  /** Evaluation time. Default now. */
  at?: Date
  /** Maximum certificates on a path, leaf included, anchor excluded. Default 10. */
  maxDepth?: number
  /** Adds every RFC 5280 MUST for conforming CAs (docs/verification.md). Default false. */
  strict?: boolean
}

function parsed(c: CertificateInput): ParsedCertificate {
  return c instanceof Uint8Array ? parseCertificateDer(c) : c
}

/**
 * Returns the step-by-step verdict of RFC 5280 §6.1 path validation of `leaf` to one of
 * `roots` at `at`: the same checks, reason codes and document as `verify` (`spiffeId` and
 * `trustDomain` are null; `errors[0]` is the primary reason). Throws an Error when a DER
 * input is not a certificate.
 *
 * @example
 * const r = verifyChain({leaf: leafDer, intermediates: [caDer], roots: [rootDer]})
 * if (!r.valid) console.error(r.errors[0].code, r.errors[0].message)
 */
export function verifyChain(o: VerifyChainOptions): VerifyResult {
  const leaf = parsed(o.leaf)
  const intermediates = (o.intermediates ?? []).map(parsed)
  const roots = o.roots.map(parsed)
  const at = o.at ?? new Date()
  const r = new Report()
  r.pass('read', `read ${intermediates.length + 1} certificate(s) and ${roots.length} trust anchor(s)`)
  let best
  if (roots.length === 0) {
    r.fail(8, 'roots', {
      code: 'untrusted-chain',
      message: 'no trust anchor given',
      hint: 'pass the root certificate(s) to trust (--bundle FILE)',
    })
    r.skipped('path', 'no trust anchor')
    for (const name of PATH_STEPS) r.skipped(name, 'no certification path')
  } else {
    best = validatePath(
      {
        leaf,
        intermediates,
        anchors: roots,
        at,
        atGiven: o.at !== undefined,
        strict: o.strict ?? false,
        maxDepth: o.maxDepth,
        intermediateFlags: true,
        anchorWords: 'a trust anchor',
      },
      r,
    )
  }
  const errors = r.sortedErrors()
  const valid = errors.length === 0
  const all = best ? [...best.path.certs, best.path.anchor] : []
  return {
    valid,
    spiffeId: null,
    trustDomain: null,
    errors,
    warnings: r.warnings,
    checks: r.checks,
    chain: summarizeChain([leaf, ...intermediates], best?.path, at),
    at: formatInstant(at),
    ...(valid && best ? {expiresInMs: minOf(all.map((c) => c.notAfter.getTime())) - at.getTime()} : {}),
    profile: 'x509',
  }
}
