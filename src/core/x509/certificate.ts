import {X509Certificate as NodeX509Certificate, createHash} from 'node:crypto'
import {nameText} from './name-text.js'
import {OID, EXTENSION_NAMES} from './oids.js'
import {keyTypeOfKeyObject} from './keys.js'
import {SvidkitError} from '../errors.js'
import {parseCertificateTime, rawValidity} from './validity.js'
import {parseGeneralNames} from './general-names.js'
import {readCertificate, type RawExtension} from './certificate-read.js'
import {
  readAuthorityKeyId,
  readBasicConstraints,
  readExtKeyUsage,
  readKeyUsageBits,
  readNameConstraints,
  readSubjectKeyId,
  type ConstraintName,
} from './extension-read.js'
import type {DerBudget} from './der-read.js'

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

export type {ConstraintName}

/** The parsed nameConstraints extension. */
export interface NameConstraintsInfo {
  permitted: ConstraintName[]
  excluded: ConstraintName[]
  critical: boolean
  /** A subtree list is present but empty (RFC 5280 §4.2.1.10: SIZE (1..MAX)). */
  emptyList?: boolean
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
 * Reader limits for one certificate (docs/security.md "Read and verify limits"). The
 * reader follows the certificate's fixed schema, so nesting never goes deeper than that
 * schema (about ten levels); the node limit bounds the elements read. A SAN list of
 * 10,000 names is about 20,000 nodes; the input size limit (8 MiB) already bounds the
 * work, and this bound keeps reading one certificate under a fraction of a second.
 */
export const CERT_LIMITS = {maxAsn1Nodes: 100_000} as const

/** Returns lowercase hex without separators or leading zeros (docs/errors.md). */
export function serialHex(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex').replace(/^0+/, '')
  return hex === '' ? '0' : hex
}

/**
 * Returns the parsed certificate; throws an Error (the caller maps it to `pem-invalid`)
 * when the DER is malformed, has bytes after the outer SEQUENCE, or Node refuses it,
 * and a SvidkitError `time-invalid` for a validity time RFC 5280 §4.1.2.5 does not
 * allow or `duplicate-extension` for two extensions with one OID (RFC 5280 SPIFFE Trust Domain and Bundle §4).
 */
export function parseCertificateDer(der: Uint8Array): ParsedCertificate {
  // Times first: a time RFC 5280 does not allow is `time-invalid`, whatever else is wrong.
  const raw = rawValidity(der)
  const early = raw && {
    notBefore: parseCertificateTime(raw.notBefore.tag, raw.notBefore.text, 'notBefore'),
    notAfter: parseCertificateTime(raw.notAfter.tag, raw.notAfter.text, 'notAfter'),
  }
  const node = new NodeX509Certificate(der)
  const budget: DerBudget = {nodes: CERT_LIMITS.maxAsn1Nodes}
  const tbs = readCertificate(der, budget)
  const seen = new Set<string>()
  for (const ext of tbs.extensions) {
    if (seen.has(ext.oid)) {
      const name = EXTENSION_NAMES[ext.oid]
      throw new SvidkitError(
        'duplicate-extension',
        `duplicate extension "${ext.oid}"${name ? ` (${name})` : ''}: RFC 5280 section 4.2 allows one instance per OID`,
      )
    }
    seen.add(ext.oid)
  }
  const cert: ParsedCertificate = {
    der,
    node,
    version: tbs.version + 1,
    serial: serialHex(tbs.serial),
    subject: nameText(tbs.subjectDer, budget),
    issuer: nameText(tbs.issuerDer, budget),
    subjectDer: tbs.subjectDer,
    issuerDer: tbs.issuerDer,
    notBefore: early?.notBefore ?? parseCertificateTime(tbs.notBefore.tag, tbs.notBefore.text, 'notBefore'),
    notAfter: early?.notAfter ?? parseCertificateTime(tbs.notAfter.tag, tbs.notAfter.text, 'notAfter'),
    signatureOid: tbs.signatureOid,
    publicKeyType: keyTypeOfKeyObject(node.publicKey),
    extensions: [],
    sha256: createHash('sha256').update(der).digest('hex'),
  }
  decodeExtensions(cert, tbs.extensions, budget)
  return cert
}

/**
 * Adds each extension to `cert`: its OID and criticality to `extensions`, and the decoded
 * value of the ones svidkit reads (RFC 5280 §4.2.1), one decoder per extension. Throws an
 * Error when a value is not of its extension's syntax.
 */
export function decodeExtensions(cert: ParsedCertificate, extensions: RawExtension[], budget: DerBudget): void {
  for (const {oid, critical, value} of extensions) {
    cert.extensions.push({oid, critical})
    switch (oid) {
      case OID.basicConstraints:
        cert.basicConstraints = {...readBasicConstraints(value, budget), critical}
        break
      case OID.keyUsage: {
        const bits = readKeyUsageBits(value)
        cert.keyUsage = {
          names: (Object.keys(KEY_USAGE_BITS) as KeyUsageName[]).filter((n) => bits & KEY_USAGE_BITS[n]),
          critical,
        }
        break
      }
      case OID.extKeyUsage:
        cert.extKeyUsage = {oids: readExtKeyUsage(value, budget), critical}
        break
      case OID.subjectAltName:
        cert.san = {...parseGeneralNames(value), critical}
        break
      case OID.subjectKeyIdentifier:
        cert.ski = readSubjectKeyId(value)
        break
      case OID.authorityKeyIdentifier: {
        const aki = readAuthorityKeyId(value, budget)
        if (aki !== undefined) cert.aki = aki
        break
      }
      case OID.nameConstraints:
        cert.nameConstraints = {...readNameConstraints(value, budget), critical}
        break
      default:
        break
    }
  }
}

/** Returns true when subject and issuer names are byte-equal (self-issued). */
export function isSelfIssued(cert: ParsedCertificate): boolean {
  return Buffer.from(cert.subjectDer).equals(Buffer.from(cert.issuerDer))
}

/** Returns the certificate as PEM text. */
export function certificatePem(cert: ParsedCertificate): string {
  return cert.node.toString()
}
