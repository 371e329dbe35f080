import {AsnConvert} from '@peculiar/asn1-schema'
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate as AsnCertificate,
  ExtendedKeyUsage,
  GeneralName,
  KeyUsage,
  NameConstraints as AsnNameConstraints,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509'
import {X509Certificate as NodeX509Certificate, createHash} from 'node:crypto'
import {nameText} from './name-text.js'
import {OID, EXTENSION_NAMES} from './oids.js'
import {keyTypeOfKeyObject} from './keys.js'
import {SvidkitError} from '../errors.js'
import {parseCertificateTime, rawValidity} from './validity.js'
import {parseGeneralNames} from './general-names.js'

/** The key-usage bits of RFC 5280 SPIFFE Trust Domain and Bundle §4.1.3, by name. */
export const KEY_USAGE_BITS = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const

/** A key-usage bit name. */
export type KeyUsageName = keyof typeof KEY_USAGE_BITS

/** One name in a name-constraints subtree, reduced to its type and text. */
export interface ConstraintName {
  type: 'uri' | 'dns' | 'email' | 'ip' | 'other'
  value: string
}

/** The parsed nameConstraints extension. */
export interface NameConstraintsInfo {
  permitted: ConstraintName[]
  excluded: ConstraintName[]
  critical: boolean
}

/** One extension: its OID and criticality. */
export interface ExtensionInfo {
  oid: string
  critical: boolean
}

/**
 * A parsed X.509 certificate: the facts svidkit's rules read, decoded once from DER.
 * Build with `parseCertificateDer`; every field is plain data.
 */
export interface ParsedCertificate {
  der: Uint8Array
  /** Node's view, used for signatures, key matching and fingerprints. */
  node: NodeX509Certificate
  version: number
  serial: string
  subject: string
  issuer: string
  subjectDer: Uint8Array
  issuerDer: Uint8Array
  notBefore: Date
  notAfter: Date
  signatureOid: string
  publicKeyType: string
  extensions: ExtensionInfo[]
  basicConstraints?: {ca: boolean; pathLen?: number; critical: boolean}
  keyUsage?: {names: KeyUsageName[]; critical: boolean}
  extKeyUsage?: {oids: string[]; critical: boolean}
  san?: {uris: string[]; dns: string[]; ips: string[]; emails: string[]; other: number; critical: boolean}
  ski?: string
  aki?: string
  nameConstraints?: NameConstraintsInfo
  sha256: string
}

/**
 * Decoder limits for one certificate (docs/security.md "Read and verify limits"). The ASN.1 decoder's
 * default of 10,000 nodes rejects real certificates (a SAN list of 10,000 names has
 * about 20,000 nodes); the input size limit (8 MiB) already bounds the work, and this
 * bound keeps decoding under a fraction of a second.
 */
export const CERT_LIMITS = {maxAsn1Nodes: 100_000, maxAsn1Depth: 64} as const

const ASN1_OPTIONS = {berOptions: {maxNodes: CERT_LIMITS.maxAsn1Nodes, maxDepth: CERT_LIMITS.maxAsn1Depth}}

/** Returns lowercase hex without separators or leading zeros (docs/errors.md). */
export function serialHex(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex').replace(/^0+/, '')
  return hex === '' ? '0' : hex
}

function hex(buf: ArrayBuffer | Uint8Array): string {
  return Buffer.from(buf instanceof Uint8Array ? buf : new Uint8Array(buf)).toString('hex')
}

function generalName(n: GeneralName): ConstraintName {
  if (n.uniformResourceIdentifier !== undefined) return {type: 'uri', value: n.uniformResourceIdentifier}
  if (n.dNSName !== undefined) return {type: 'dns', value: n.dNSName}
  if (n.rfc822Name !== undefined) return {type: 'email', value: n.rfc822Name}
  if (n.iPAddress !== undefined) return {type: 'ip', value: n.iPAddress}
  return {type: 'other', value: ''}
}

/**
 * Returns the parsed certificate; throws an Error (the caller maps it to `pem-invalid`)
 * when the DER is malformed, has bytes after the outer SEQUENCE, or Node refuses it,
 * and a SvidkitError `time-invalid` for a validity time RFC 5280 §4.1.2.5 does not
 * allow or `duplicate-extension` for two extensions with one OID (RFC 5280 SPIFFE Trust Domain and Bundle §4).
 */
export function parseCertificateDer(der: Uint8Array): ParsedCertificate {
  const raw = rawValidity(der)
  const notBefore = raw ? parseCertificateTime(raw.notBefore.tag, raw.notBefore.text, 'notBefore') : undefined
  const notAfter = raw ? parseCertificateTime(raw.notAfter.tag, raw.notAfter.text, 'notAfter') : undefined
  const node = new NodeX509Certificate(der)
  const asn = AsnConvert.parse(der, AsnCertificate, ASN1_OPTIONS)
  const tbs = asn.tbsCertificate
  const seen = new Set<string>()
  for (const ext of tbs.extensions ?? []) {
    if (seen.has(ext.extnID)) {
      const name = EXTENSION_NAMES[ext.extnID]
      throw new SvidkitError(
        'duplicate-extension',
        `duplicate extension "${ext.extnID}"${name ? ` (${name})` : ''}: RFC 5280 section 4.2 allows one instance per OID`,
      )
    }
    seen.add(ext.extnID)
  }
  const subjectDer = new Uint8Array(AsnConvert.serialize(tbs.subject))
  const issuerDer = new Uint8Array(AsnConvert.serialize(tbs.issuer))
  const cert: ParsedCertificate = {
    der,
    node,
    version: tbs.version + 1,
    serial: serialHex(new Uint8Array(tbs.serialNumber)),
    subject: nameText(subjectDer),
    issuer: nameText(issuerDer),
    subjectDer,
    issuerDer,
    notBefore: notBefore ?? tbs.validity.notBefore.getTime(),
    notAfter: notAfter ?? tbs.validity.notAfter.getTime(),
    signatureOid: asn.signatureAlgorithm.algorithm,
    publicKeyType: keyTypeOfKeyObject(node.publicKey),
    extensions: [],
    sha256: createHash('sha256').update(der).digest('hex'),
  }
  for (const ext of tbs.extensions ?? []) {
    const critical = ext.critical
    const value = ext.extnValue.buffer
    cert.extensions.push({oid: ext.extnID, critical})
    switch (ext.extnID) {
      case OID.basicConstraints: {
        const bc = AsnConvert.parse(value, BasicConstraints, ASN1_OPTIONS)
        cert.basicConstraints = {ca: bc.cA, pathLen: bc.pathLenConstraint, critical}
        break
      }
      case OID.keyUsage: {
        const bits = AsnConvert.parse(value, KeyUsage, ASN1_OPTIONS).toNumber()
        const names = (Object.keys(KEY_USAGE_BITS) as KeyUsageName[]).filter((n) => bits & KEY_USAGE_BITS[n])
        cert.keyUsage = {names, critical}
        break
      }
      case OID.extKeyUsage:
        cert.extKeyUsage = {oids: [...AsnConvert.parse(value, ExtendedKeyUsage, ASN1_OPTIONS)], critical}
        break
      case OID.subjectAltName:
        cert.san = {...parseGeneralNames(new Uint8Array(value)), critical}
        break
      case OID.subjectKeyIdentifier:
        cert.ski = hex(AsnConvert.parse(value, SubjectKeyIdentifier, ASN1_OPTIONS).buffer)
        break
      case OID.authorityKeyIdentifier: {
        const aki = AsnConvert.parse(value, AuthorityKeyIdentifier, ASN1_OPTIONS)
        if (aki.keyIdentifier) cert.aki = hex(aki.keyIdentifier.buffer)
        break
      }
      case OID.nameConstraints: {
        const nc = AsnConvert.parse(value, AsnNameConstraints, ASN1_OPTIONS)
        cert.nameConstraints = {
          permitted: (nc.permittedSubtrees ?? []).map((s) => generalName(s.base)),
          excluded: (nc.excludedSubtrees ?? []).map((s) => generalName(s.base)),
          critical,
        }
        break
      }
      default:
        break
    }
  }
  return cert
}

/** Returns true when subject and issuer names are byte-equal (self-issued). */
export function isSelfIssued(cert: ParsedCertificate): boolean {
  return Buffer.from(cert.subjectDer).equals(Buffer.from(cert.issuerDer))
}

/** Returns the certificate as PEM text. */
export function certificatePem(cert: ParsedCertificate): string {
  return cert.node.toString()
}
