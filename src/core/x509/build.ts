import {AsnConvert} from '@peculiar/asn1-schema'
import {GeneralName as AsnGeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints as AsnNameConstraints} from '@peculiar/asn1-x509'
import {randomBytes} from 'node:crypto'
import {x509} from './provider.js'
import {KEY_USAGE_BITS, parseCertificateDer, type KeyUsageName, type ParsedCertificate} from './certificate.js'
import {signingAlgorithm, type KeyType} from './key-type.js'

/** What goes into one certificate. Profiles (ca/, svid/) fill this; build only encodes and signs. */
export interface CertificateTemplate {
  /** Hex serial; default: 16 random bytes, positive (spiffe-rules.md §2: ≥ 64 random bits, ≤ 20 bytes). */
  serial?: string
  /** Subject DN in RFC 4514 text; `''` gives an empty subject. */
  subject: string
  /** Subject name as DER, used instead of `subject` when given (re-certifying a CA under the same name). */
  subjectName?: Uint8Array
  /** DER of the issuer's subject name; default: the subject (self-issued). */
  issuerName?: Uint8Array
  notBefore: Date
  notAfter: Date
  /** The subject's public key: a WebCrypto key or SPKI DER (e.g. from a CSR). */
  publicKey: CryptoKey | Uint8Array
  signingKey: CryptoKey
  /** Type of the signing key, which picks the signature algorithm. */
  signingKeyType: KeyType
  /** Hex SKI of the issuer, written as AKI; omitted when undefined. */
  authorityKeyId?: string
  basicConstraints?: {ca: boolean; pathLen?: number; critical: boolean}
  keyUsage?: {names: KeyUsageName[]; critical: boolean}
  extKeyUsage?: {oids: string[]; critical: boolean}
  san?: {uris: string[]; dns?: string[]; critical: boolean}
  /** URI/DNS subtrees; URI bases are bare host names (spiffe-rules.md §2, §3.2). */
  nameConstraints?: {permitted: {type: 'uri' | 'dns'; value: string}[]; excluded?: {type: 'uri' | 'dns'; value: string}[]; critical: boolean}
  /** Extra raw extensions (used by defects). */
  extra?: {oid: string; critical: boolean; value: Uint8Array}[]
  /** Omit the SKI extension (default false: every certificate gets one). */
  omitSki?: boolean
}

/** Returns a random positive serial of 16 bytes as hex. */
export function randomSerial(): string {
  const b = randomBytes(16)
  b[0] = (b[0] & 0x7f) | 0x01 // positive and no leading zero byte, so it stays 16 bytes
  return b.toString('hex')
}

function subtrees(names: {type: 'uri' | 'dns'; value: string}[]): GeneralSubtrees {
  return new GeneralSubtrees(
    names.map(
      (n) =>
        new GeneralSubtree({
          base: new AsnGeneralName(n.type === 'uri' ? {uniformResourceIdentifier: n.value} : {dNSName: n.value}),
        }),
    ),
  )
}

/** Returns the DER of a nameConstraints extension value. */
export function nameConstraintsDer(permitted: {type: 'uri' | 'dns'; value: string}[], excluded: {type: 'uri' | 'dns'; value: string}[] = []): Uint8Array {
  const nc = new AsnNameConstraints({
    ...(permitted.length ? {permittedSubtrees: subtrees(permitted)} : {}),
    ...(excluded.length ? {excludedSubtrees: subtrees(excluded)} : {}),
  })
  return new Uint8Array(AsnConvert.serialize(nc))
}

/** Returns the DER name for an RFC 4514 text (empty text → empty name). */
export function nameDer(text: string): Uint8Array {
  return new Uint8Array(new x509.Name(text).toArrayBuffer())
}

/** Returns the signed certificate, parsed. */
export async function buildCertificate(t: CertificateTemplate): Promise<ParsedCertificate> {
  const publicKey = t.publicKey instanceof Uint8Array ? Uint8Array.from(t.publicKey) : t.publicKey
  const extensions: x509.Extension[] = []
  if (t.basicConstraints) {
    extensions.push(new x509.BasicConstraintsExtension(t.basicConstraints.ca, t.basicConstraints.pathLen, t.basicConstraints.critical))
  }
  if (t.keyUsage) {
    const flags = t.keyUsage.names.reduce((acc, n) => acc | KEY_USAGE_BITS[n], 0)
    extensions.push(new x509.KeyUsagesExtension(flags, t.keyUsage.critical))
  }
  if (t.extKeyUsage) extensions.push(new x509.ExtendedKeyUsageExtension(t.extKeyUsage.oids, t.extKeyUsage.critical))
  if (t.san) {
    const names = [...t.san.uris.map((value) => ({type: 'url' as const, value})), ...(t.san.dns ?? []).map((value) => ({type: 'dns' as const, value}))]
    extensions.push(new x509.SubjectAlternativeNameExtension(names, t.san.critical))
  }
  if (t.nameConstraints) {
    const der = nameConstraintsDer(t.nameConstraints.permitted, t.nameConstraints.excluded)
    extensions.push(new x509.Extension('2.5.29.30', t.nameConstraints.critical, Uint8Array.from(der)))
  }
  if (!t.omitSki) extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey))
  if (t.authorityKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(t.authorityKeyId))
  for (const e of t.extra ?? []) extensions.push(new x509.Extension(e.oid, e.critical, Uint8Array.from(e.value)))

  const subject = t.subjectName ? new x509.Name(Uint8Array.from(t.subjectName)) : new x509.Name(t.subject)
  const issuer = t.issuerName ? new x509.Name(Uint8Array.from(t.issuerName)) : subject
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: t.serial ?? randomSerial(),
    subject,
    issuer,
    notBefore: t.notBefore,
    notAfter: t.notAfter,
    publicKey,
    signingKey: t.signingKey,
    signingAlgorithm: signingAlgorithm(t.signingKeyType),
    extensions,
  })
  return parseCertificateDer(new Uint8Array(cert.rawData))
}
