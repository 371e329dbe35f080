/**
 * The fields of a Certificate (RFC 5280 §4.1) read straight from its DER with the strict
 * reader of der-read.ts: loading a general ASN.1 decoder and its schemas cost a one-shot
 * command more time than the rest of its work. The reader follows the fixed schema, so
 * its nesting depth is bounded by the schema itself; a node budget bounds the elements.
 * This is svidkit's one certificate reader: verification, inspection and issuance's
 * self-check of each new leaf all read with it (the extension values with extension-read.ts).
 */
import {
  booleanOf,
  bufferOf,
  childrenOf,
  contentOf,
  elementOf,
  expectTag,
  integerOf,
  oidOf,
  readWhole,
  type DerBudget,
  type Tlv,
} from './der-read.js'

const SEQUENCE = 0x30
const INTEGER = 0x02
const BIT_STRING = 0x03
const OCTET_STRING = 0x04
const BOOLEAN = 0x01
const UTC_TIME = 0x17
const GENERALIZED_TIME = 0x18

/** One extension as written: its OID, criticality and the DER inside its OCTET STRING. */
export interface RawExtension {
  oid: string
  critical: boolean
  value: Uint8Array
}

/** A Certificate's fields as DER views, before any extension is decoded. */
export interface RawCertificate {
  /** The version field's value (0 for v1, the DEFAULT when absent). */
  version: number
  /** The serialNumber INTEGER's content bytes, as written. */
  serial: Uint8Array
  issuerDer: Uint8Array
  subjectDer: Uint8Array
  notBefore: {tag: number; text: string}
  notAfter: {tag: number; text: string}
  /** signatureAlgorithm of the outer Certificate (RFC 5280 §4.1.1.2). */
  signatureOid: string
  /** The outer signatureAlgorithm and the TBS `signature` field as DER (§4.1.1.2: they MUST be identical). */
  signatureAlgorithmDer: Uint8Array
  tbsSignatureDer: Uint8Array
  /** The subjectPublicKeyInfo algorithm: its OID and the DER of its parameters (absent: undefined). */
  spkiAlgorithm: {oid: string; params?: Uint8Array}
  /** The subjectPublicKey BIT STRING's content after the unused-bits byte. */
  spkiKey: Uint8Array
  /** The whole subjectPublicKeyInfo element (header included). */
  spki: Uint8Array
  /** The whole tbsCertificate element: the bytes the signature covers. */
  tbs: Uint8Array
  /** The signatureValue BIT STRING's content after the unused-bits byte. */
  signature: Uint8Array
  extensions: RawExtension[]
}

/** AlgorithmIdentifier (RFC 5280 §4.1.1.2): SEQUENCE { OBJECT IDENTIFIER, parameters ANY OPTIONAL }; returns the OID. */
function algorithmOid(der: Uint8Array, t: Tlv, what: string, budget: DerBudget): string {
  const parts = childrenOf(der, expectTag(t, SEQUENCE, what), what, budget)
  if (parts.length < 1 || parts.length > 2)
    throw new Error(`${what}: an AlgorithmIdentifier holds an OID and optional parameters`)
  return oidOf(der, parts[0], `${what} algorithm`)
}

function bitString(der: Uint8Array, t: Tlv, what: string): void {
  // X.690 §8.6.2: the first content byte counts the unused bits (0-7) of the last byte.
  if (t.end === t.start || der[t.start] > 7 || (t.end - t.start === 1 && der[t.start] !== 0))
    throw new Error(`${what}: malformed BIT STRING`)
}

function time(der: Uint8Array, t: Tlv, what: string): {tag: number; text: string} {
  if (t.tag !== UTC_TIME && t.tag !== GENERALIZED_TIME)
    throw new Error(`${what}: expected UTCTime or GeneralizedTime, found tag 0x${t.tag.toString(16)}`)
  return {tag: t.tag, text: bufferOf(contentOf(der, t)).toString('latin1')}
}

/** Extension (RFC 5280 §4.1): SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function extension(der: Uint8Array, t: Tlv, budget: DerBudget): RawExtension {
  const parts = childrenOf(der, expectTag(t, SEQUENCE, 'extension'), 'extension', budget)
  if (parts.length < 2 || parts.length > 3)
    throw new Error('extension: expected extnID, optional critical and extnValue')
  const oid = oidOf(der, parts[0], 'extension extnID')
  const critical =
    parts.length === 3
      ? booleanOf(der, expectTag(parts[1], BOOLEAN, `extension ${oid} critical`), `extension ${oid} critical`)
      : false
  const value = expectTag(parts[parts.length - 1], OCTET_STRING, `extension ${oid} extnValue`)
  return {oid, critical, value: contentOf(der, value)}
}

/**
 * Returns the fields of a DER Certificate; throws an Error when it is not exactly one
 * Certificate with the TBSCertificate layout of RFC 5280 §4.1 (fields in order, the
 * optional ones only where they may appear, nothing after the last).
 */
export function readCertificate(der: Uint8Array, budget: DerBudget): RawCertificate {
  const raw = readFields(der, budget)
  lastRead.set(der, raw)
  return raw
}

/** The fields last read from each DER buffer, so that path validation does not read a parsed certificate twice. */
const lastRead = new WeakMap<Uint8Array, RawCertificate>()

/** Returns the fields read from `der` by an earlier `readCertificate` of the same buffer, if any. */
export function cachedRawCertificate(der: Uint8Array): RawCertificate | undefined {
  return lastRead.get(der)
}

function readFields(der: Uint8Array, budget: DerBudget): RawCertificate {
  const cert = childrenOf(der, readWhole(der, SEQUENCE, 'Certificate'), 'Certificate', budget)
  if (cert.length !== 3)
    throw new Error(
      `Certificate: expected tbsCertificate, signatureAlgorithm and signatureValue, found ${cert.length} elements`,
    )
  const signatureOid = algorithmOid(der, cert[1], 'signatureAlgorithm', budget)
  bitString(der, expectTag(cert[2], BIT_STRING, 'signatureValue'), 'signatureValue')

  const f = childrenOf(der, expectTag(cert[0], SEQUENCE, 'tbsCertificate'), 'tbsCertificate', budget)
  let i = 0
  let version = 0
  // version [0] EXPLICIT Version DEFAULT v1 (RFC 5280 §4.1.2.1).
  if (f[i]?.tag === 0xa0) {
    const v = childrenOf(der, f[i], 'version', budget)
    if (v.length !== 1) throw new Error('version: [0] holds exactly one INTEGER')
    version = integerOf(der, expectTag(v[0], INTEGER, 'version'), 'version')
    i++
  }
  const serial = contentOf(der, expectTag(f[i++], INTEGER, 'serialNumber'))
  const tbsSignature = f[i]
  algorithmOid(der, f[i++], 'signature', budget)
  const issuer = expectTag(f[i++], SEQUENCE, 'issuer')
  const validity = childrenOf(der, expectTag(f[i++], SEQUENCE, 'validity'), 'validity', budget)
  if (validity.length !== 2) throw new Error('validity: expected notBefore and notAfter')
  const subject = expectTag(f[i++], SEQUENCE, 'subject')
  const spkiT = expectTag(f[i++], SEQUENCE, 'subjectPublicKeyInfo')
  const spki = childrenOf(der, spkiT, 'subjectPublicKeyInfo', budget)
  if (spki.length !== 2) throw new Error('subjectPublicKeyInfo: expected algorithm and subjectPublicKey')
  const spkiAlgorithm = childrenOf(
    der,
    expectTag(spki[0], SEQUENCE, 'subjectPublicKeyInfo algorithm'),
    'subjectPublicKeyInfo algorithm',
    budget,
  )
  const spkiOid = algorithmOid(der, spki[0], 'subjectPublicKeyInfo algorithm', budget)
  bitString(der, expectTag(spki[1], BIT_STRING, 'subjectPublicKey'), 'subjectPublicKey')
  // issuerUniqueID [1] and subjectUniqueID [2] IMPLICIT BIT STRING (§4.1.2.8), then extensions [3] EXPLICIT (§4.1.2.9).
  if (f[i]?.tag === 0x81) bitString(der, f[i++], 'issuerUniqueID')
  if (f[i]?.tag === 0x82) bitString(der, f[i++], 'subjectUniqueID')
  const extensions: RawExtension[] = []
  if (f[i]?.tag === 0xa3) {
    const wrapped = childrenOf(der, f[i++], 'extensions', budget)
    if (wrapped.length !== 1) throw new Error('extensions: [3] holds exactly one SEQUENCE')
    for (const e of childrenOf(der, expectTag(wrapped[0], SEQUENCE, 'extensions'), 'extensions', budget))
      extensions.push(extension(der, e, budget))
  }
  if (i !== f.length)
    throw new Error(`tbsCertificate: unexpected element with tag 0x${f[i].tag.toString(16)} after its fields`)
  return {
    version,
    serial,
    issuerDer: new Uint8Array(elementOf(der, issuer)),
    subjectDer: new Uint8Array(elementOf(der, subject)),
    notBefore: time(der, validity[0], 'notBefore'),
    notAfter: time(der, validity[1], 'notAfter'),
    signatureOid,
    signatureAlgorithmDer: elementOf(der, cert[1]),
    tbsSignatureDer: elementOf(der, tbsSignature),
    spkiAlgorithm: {oid: spkiOid, ...(spkiAlgorithm[1] ? {params: elementOf(der, spkiAlgorithm[1])} : {})},
    spkiKey: contentOf(der, spki[1]).subarray(1),
    spki: elementOf(der, spkiT),
    tbs: elementOf(der, cert[0]),
    signature: contentOf(der, cert[2]).subarray(1),
    extensions,
  }
}
