import type {ParsedCertificate} from '../x509/certificate.js'
import type {BundleSet} from '../bundle/index.js'

/** Returns a bundle set holding one trust domain's authorities (for in-memory verification). */
export function singleBundleSet(
  trustDomain: string,
  authorities: ParsedCertificate[],
  source = '(in memory)',
): BundleSet {
  return {
    byTrustDomain: new Map([[trustDomain, {trustDomain, authorities, sources: [{path: source, binding: 'label'}]}]]),
    warnings: [],
    unbound: [],
  }
}
