import {SvidkitError} from '../errors.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {verifySvid} from '../verify/verify.js'
import type {BundleSet} from '../bundle/index.js'
import type {X509Svid} from './svid.js'

/** Returns a bundle set holding one trust domain's authorities (for in-memory verification). */
export function singleBundleSet(trustDomain: string, authorities: ParsedCertificate[], source = '(in memory)'): BundleSet {
  return {
    byTrustDomain: new Map([[trustDomain, {trustDomain, authorities, sources: [{path: source, binding: 'label'}]}]]),
    warnings: [],
    unbound: [],
  }
}

/**
 * Runs the verification algorithm on a freshly issued SVID against its bundle
 * at the current time (spiffe-rules.md §2: a failure there is a bug, exit 1). When the
 * validity was asked to exclude now (an expired or not-yet-valid SVID on purpose), the
 * validity failure is the expected outcome and only it is allowed.
 */
export function selfCheck(svid: X509Svid, bundle: ParsedCertificate[], now: Date): void {
  const leaf = svid.certificates[0]
  const t = now.getTime()
  const inside = t >= leaf.notBefore.getTime() && t <= leaf.notAfter.getTime()
  const allowed = new Set<string>(inside ? [] : ['cert-expired', 'cert-not-yet-valid'])
  const result = verifySvid({
    chain: svid.certificates,
    key: svid.privateKey,
    bundles: singleBundleSet(svid.id.trustDomain.name, bundle),
    at: now,
    expectIds: [svid.id],
    strict: true,
  })
  const e = result.errors.find((err) => !allowed.has(err.code))
  if (e) {
    throw new SvidkitError('internal', `self-check of the issued SVID failed: ${e.code}: ${e.message}`)
  }
}
