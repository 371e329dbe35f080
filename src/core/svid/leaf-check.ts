import {verify, type KeyObject} from 'node:crypto'
import {SvidkitError} from '../errors.js'
import {OID} from '../x509/oids.js'
import {CERT_LIMITS, type ParsedCertificate} from '../x509/certificate.js'
import {readCertificate, type RawCertificate} from '../x509/certificate-read.js'
import {readAuthorityKeyId, readBasicConstraints, readExtKeyUsage, readKeyUsageBits} from '../x509/extension-read.js'
import {parseGeneralNames} from '../x509/general-names.js'
import {parseCertificateTime} from '../x509/validity.js'

/** What a freshly issued leaf must be, and what it is checked against. */
export interface LeafExpectation {
  spiffeId: string
  /** The CA certificate that signed it. */
  issuer: ParsedCertificate
  /** SubjectPublicKeyInfo DER of the private key written beside it, or of the CSR's key. */
  keySpki: Uint8Array
  /** The earliest notAfter of the signing chain. */
  chainNotAfter: Date
  /** Evaluation time. */
  at: Date
}

const HASH: Record<string, string | null> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.3.101.112': null,
}

const CRITICAL_OK = new Set<string>([OID.subjectAltName, OID.basicConstraints, OID.keyUsage])

const issuerKeys = new WeakMap<ParsedCertificate, KeyObject>()

function issuerKey(c: ParsedCertificate): KeyObject {
  let k = issuerKeys.get(c)
  if (!k) {
    k = c.node.publicKey
    issuerKeys.set(c, k)
  }
  return k
}

/**
 * Checks a just-issued leaf from one read of its DER: the issuer's signature, the key
 * written beside it, and the X509-SVID leaf profile (X509-SVID §4, §5: one URI SAN that is
 * the SPIFFE ID, critical CA:FALSE, critical digitalSignature without keyCertSign and
 * cRLSign, EKU serverAuth+clientAuth, AKI = issuer SKI, issuer name = CA subject, validity
 * inside the chain's). The CA chain above was checked when the CA was loaded. A failure is
 * a bug in svidkit (exit 1). Returns the fields read.
 */
export function checkIssuedLeaf(der: Uint8Array, e: LeafExpectation, allowOutsideValidity: boolean): RawCertificate {
  const fail = (rule: string): never => {
    throw new SvidkitError('internal', `self-check of the issued SVID "${e.spiffeId}" failed: ${rule}`)
  }
  const budget = {nodes: CERT_LIMITS.maxAsn1Nodes}
  const f = readCertificate(der, budget)
  if (Buffer.compare(f.signatureAlgorithmDer, f.tbsSignatureDer) !== 0)
    fail('signature algorithms differ inside and outside tbsCertificate')
  const notBefore = parseCertificateTime(f.notBefore.tag, f.notBefore.text, 'notBefore').getTime()
  const notAfter = parseCertificateTime(f.notAfter.tag, f.notAfter.text, 'notAfter').getTime()
  const hash = HASH[f.signatureOid]
  if (hash === undefined) fail(`unexpected signature algorithm ${f.signatureOid}`)
  if (!verify(hash ?? null, f.tbs, issuerKey(e.issuer), f.signature))
    fail('the signature does not verify with the issuing CA key')
  if (f.version !== 2) fail('not a v3 certificate')
  if (Buffer.compare(f.issuerDer, e.issuer.subjectDer) !== 0) fail('issuer name differs from the CA subject')
  if (Buffer.compare(e.keySpki, f.spki) !== 0) fail('the key written does not belong to the certificate')
  const ext = new Map(f.extensions.map((x) => [x.oid, x]))
  if (ext.size !== f.extensions.length) fail('an extension appears twice')
  const san = ext.get(OID.subjectAltName)
  const names = san ? parseGeneralNames(san.value) : undefined
  if (!names || names.uris.length !== 1 || names.uris[0] !== e.spiffeId)
    fail(`the URI SANs are not exactly "${e.spiffeId}"`)
  const emptySubject = f.subjectDer.length === 2
  if (emptySubject && !san?.critical) fail('the SAN is not critical although the subject is empty')
  const bc = ext.get(OID.basicConstraints)
  if (!bc?.critical || readBasicConstraints(bc.value, budget).ca) fail('basicConstraints is not critical CA:FALSE')
  const ku = ext.get(OID.keyUsage)
  const bits = ku ? readKeyUsageBits(ku.value) : 0
  if (!ku?.critical || !(bits & 1) || bits & (32 | 64))
    fail('keyUsage is not critical digitalSignature without keyCertSign and cRLSign')
  const eku = ext.get(OID.extKeyUsage)
  const purposes = eku ? readExtKeyUsage(eku.value, budget) : []
  if (!purposes.includes(OID.serverAuth) || !purposes.includes(OID.clientAuth))
    fail('extKeyUsage lacks serverAuth or clientAuth')
  const aki = ext.get(OID.authorityKeyIdentifier)
  if (e.issuer.ski && (!aki || readAuthorityKeyId(aki.value, budget) !== e.issuer.ski))
    fail("the AKI is not the issuer's SKI")
  if (!ext.has(OID.subjectKeyIdentifier)) fail('no SKI')
  for (const x of f.extensions)
    if (x.critical && !CRITICAL_OK.has(x.oid)) fail(`unexpected critical extension ${x.oid}`)
  if (notAfter <= notBefore) fail('notAfter is not after notBefore')
  if (notAfter > e.chainNotAfter.getTime()) fail('notAfter is past the signing chain notAfter')
  const t = e.at.getTime()
  if (!allowOutsideValidity && (t < notBefore || t > notAfter)) fail('not valid now')
  return f
}
