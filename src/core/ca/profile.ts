import type {CertificateTemplate} from '../x509/build.js'

/** Clock skew absorbed by backdating notBefore (as SPIRE does). */
export const BACKDATE_MS = 10_000

/**
 * Returns the extensions of a signing (CA) certificate (X509-SVID §3.2, §4):
 * critical CA:TRUE with an optional pathLen, critical keyCertSign+cRLSign, no EKU, the
 * trust domain's URI SAN without path, and optionally critical URI name constraints
 * whose permitted subtree is the bare trust-domain name.
 */
export function caProfile(opts: {
  trustDomain: string
  pathLen?: number
  nameConstraints: boolean
}): Pick<CertificateTemplate, 'basicConstraints' | 'keyUsage' | 'san' | 'nameConstraints'> {
  return {
    basicConstraints: {ca: true, pathLen: opts.pathLen, critical: true},
    keyUsage: {names: ['keyCertSign', 'cRLSign'], critical: true},
    san: {uris: [`spiffe://${opts.trustDomain}`], critical: false},
    ...(opts.nameConstraints
      ? {nameConstraints: {permitted: [{type: 'uri' as const, value: opts.trustDomain}], critical: true}}
      : {}),
  }
}
