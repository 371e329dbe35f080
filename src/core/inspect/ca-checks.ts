import {SpiffeId} from '../spiffe-id/index.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {WEAK_SIGNATURE_OIDS} from '../x509/oids.js'
import {isMalformedUriConstraint} from '../verify/name-constraints.js'
import type {Report} from '../verify/result.js'

/**
 * Records the static checks of a signing (CA) certificate against the profile of
 * X509-SVID §4.3: keyCertSign (a violation), then warnings for what the
 * profile recommends (critical flags, URI SAN without path, no EKU, well-formed name
 * constraints).
 */
export function checkCaProfile(c: ParsedCertificate, r: Report): void {
  if (!c.basicConstraints?.ca) {
    r.fail(6, 'ca-flag', {
      code: 'signing-cert-not-ca',
      message: 'signing certificate must have CA flag set to true',
      hint: 'reissue the CA with critical basicConstraints CA:TRUE',
    })
  }
  if (!c.keyUsage?.names.includes('keyCertSign')) {
    r.fail(6, 'ca-key-usage', {
      code: 'signing-cert-no-key-cert-sign',
      message: "signing certificate must have 'keyCertSign' set as key usage",
      hint: 'reissue the CA with keyCertSign and cRLSign',
    })
  } else r.pass('ca-key-usage', 'keyCertSign is set')
  if (c.basicConstraints && !c.basicConstraints.critical) r.warn('ca-profile', 'basicConstraints is not critical')
  if (c.keyUsage && !c.keyUsage.critical) r.warn('ca-profile', 'key usage is not critical')
  if (c.extKeyUsage)
    r.warn('ca-profile', 'a CA carries an EKU: OpenSSL, Go and others apply it to every certificate below')
  const uris = c.san?.uris ?? []
  if (uris.length === 0)
    r.warn('ca-profile', 'no URI SAN: the SPIFFE profile recommends spiffe://<trust-domain> on CA certificates')
  for (const u of uris) {
    try {
      const id = SpiffeId.parse(u)
      if (!id.isRoot()) r.warn('ca-profile', `CA URI SAN "${u}" has a path; it should name the trust domain only`)
    } catch (err) {
      r.warn('ca-profile', `CA URI SAN is not a valid SPIFFE ID: ${(err as Error).message}`)
    }
  }
  for (const n of c.nameConstraints?.permitted ?? []) {
    if (n.type !== 'uri') continue
    if (isMalformedUriConstraint(n.value))
      r.warn(
        'name-constraints',
        `URI constraint "${n.value}" is written as a URI or with a path and matches nothing: use the bare trust-domain name`,
      )
    else if (n.value.startsWith('.'))
      r.warn(
        'name-constraints',
        `URI constraint "${n.value}" admits only sub-domains, not the trust domain "${n.value.slice(1)}" itself`,
      )
  }
  if (WEAK_SIGNATURE_OIDS.has(c.signatureOid))
    r.warn('signature', 'signed with SHA-1 or MD5: svidkit refuses such links')
}
