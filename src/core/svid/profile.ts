import type {CertificateTemplate} from '../x509/build.js'
import {OID} from '../x509/oids.js'

/** Options of the leaf profile. */
interface LeafProfileOptions {
  spiffeId: string
  /** Extra DNS SANs (only for SPIFFE-unaware peers). Default none. */
  dns?: string[]
  /** IP SANs, canonical text. Default none. */
  ips?: string[]
  /** Subject DN, already checked; `''` (empty) makes the SAN extension critical. */
  subject: string
  /** Add keyEncipherment (RSA keys used with TLS 1.2 RSA key exchange). Default false. */
  keyEncipherment?: boolean
}

/**
 * Returns the extensions of an X509-SVID leaf (X509-SVID §4): one URI
 * SAN (critical when the subject is empty), critical CA:FALSE, critical digitalSignature
 * (plus keyEncipherment on request), EKU serverAuth + clientAuth.
 */
export function leafProfile(
  o: LeafProfileOptions,
): Pick<CertificateTemplate, 'basicConstraints' | 'keyUsage' | 'extKeyUsage' | 'san'> {
  return {
    basicConstraints: {ca: false, critical: true},
    keyUsage: {
      names: o.keyEncipherment ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
      critical: true,
    },
    extKeyUsage: {oids: [OID.serverAuth, OID.clientAuth], critical: false},
    san: {uris: [o.spiffeId], dns: o.dns ?? [], ...(o.ips?.length ? {ips: o.ips} : {}), critical: o.subject === ''},
  }
}
