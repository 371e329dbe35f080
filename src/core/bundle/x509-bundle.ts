/**
 * X509Bundle: the X.509 authorities of one trust domain as read from one file
 * (SPIFFE Trust Domain and Bundle §4), and the facts about them that binding needs.
 */
import {SvidkitError} from '../errors.js'
import {SpiffeId} from '../spiffe-id/index.js'
import type {ParsedCertificate} from '../x509/certificate.js'

/** The X.509 authorities read from one bundle file (or one entry of a bundle map). */
export interface X509Bundle {
  /** The trust anchors, in file order, duplicates dropped. Empty = the trust domain trusts nothing. */
  authorities: ParsedCertificate[]
  /** How the file was written: PEM (or DER) certificates, or a SPIFFE JWKS. */
  format: 'pem' | 'jwks'
  /** Where it came from: a path, or `path#/trust_domains/<td>` for a bundle-map entry. */
  source: string
  /** `spiffe_sequence` of a JWKS, when present and valid. */
  sequence?: number
  /** `spiffe_refresh_hint` of a JWKS in seconds, when present and valid (never set for map entries). */
  refreshHint?: number
  /** What was odd but not fatal, each naming the bundle. */
  warnings: string[]
}

/** Returns the certificates without repeats (same DER), first occurrence kept, order preserved. */
export function dedupeAuthorities(certs: readonly ParsedCertificate[]): ParsedCertificate[] {
  const seen = new Set<string>()
  const out: ParsedCertificate[] = []
  for (const cert of certs) {
    // sha256 is computed over the DER, so equal digests mean equal DER
    if (seen.has(cert.sha256)) continue
    seen.add(cert.sha256)
    out.push(cert)
  }
  return out
}

/**
 * Returns the trust domains named by the URI SANs of the bundle's authorities, in order
 * of first appearance, and the URIs that are not valid SPIFFE IDs (binding ignores
 * them, with a warning).
 */
export function authorityTrustDomains(bundle: Pick<X509Bundle, 'authorities'>): {
  trustDomains: string[]
  invalidUris: string[]
} {
  const trustDomains: string[] = []
  const invalidUris: string[] = []
  for (const cert of bundle.authorities) {
    for (const uri of cert.san?.uris ?? []) {
      let td: string
      try {
        td = SpiffeId.parse(uri).trustDomain.name
      } catch (err) {
        if (!(err instanceof SvidkitError)) throw err
        if (!invalidUris.includes(uri)) invalidUris.push(uri)
        continue
      }
      if (!trustDomains.includes(td)) trustDomains.push(td)
    }
  }
  return {trustDomains, invalidUris}
}

/**
 * Returns the warnings about one authority as a trust anchor: not a CA, a key usage
 * without keyCertSign (accepted with a warning) or no SPIFFE ID.
 */
export function authorityWarnings(cert: ParsedCertificate, source: string): string[] {
  const who = `bundle "${source}": authority "${cert.subject}"`
  const warnings: string[] = []
  if (cert.basicConstraints?.ca !== true) warnings.push(`${who} is not a CA certificate (no basicConstraints cA=true)`)
  // An absent key-usage extension allows every usage; only a present one can lack keyCertSign
  if (cert.keyUsage && !cert.keyUsage.names.includes('keyCertSign')) {
    warnings.push(`${who} does not have 'keyCertSign' set as key usage`)
  }
  if (!(cert.san?.uris ?? []).some((u) => u.startsWith('spiffe://'))) {
    warnings.push(`${who} has no SPIFFE ID URI SAN, so it does not name its trust domain`)
  }
  return warnings
}

/** Returns the warning for a bundle with no authority: its trust domain trusts nothing. */
export function emptyBundleWarning(source: string): string {
  return `bundle "${source}" holds no X.509 authority: every SVID of its trust domain will be untrusted`
}
