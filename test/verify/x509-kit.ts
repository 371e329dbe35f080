/**
 * Certificates for RFC 5280 path-validation tests (issue 19): any subject, issuer, key,
 * serial, SAN form and raw extension, signed with svidkit's DER builder. Times are fixed:
 * valid from 2026-01-01 to 2027-01-01 (UTC); evaluate at X509_AT.
 */
import {generateKeyPairSync, type KeyObject} from 'node:crypto'
import {buildCertificate, nameDer} from '../../src/core/x509/build.js'
import {oid, seq, tlv} from '../../src/core/x509/der.js'
import type {KeyUsageName, ParsedCertificate} from '../../src/core/x509/certificate.js'
import {OID} from '../../src/core/x509/oids.js'

/** 2026-06-01T00:00:00Z: inside every validity period of the kit. */
export const X509_AT = new Date('2026-06-01T00:00:00Z')

/** A key pair. */
export interface Kp {
  privateKey: KeyObject
  publicKey: KeyObject
}

/** Returns a new P-256 key pair. */
export function ecKey(): Kp {
  return generateKeyPairSync('ec', {namedCurve: 'P-256'})
}

/** One GeneralName: [tag, content]. Tags: 0x81 email, 0x82 DNS, 0x86 URI, 0x87 IP, 0xa4 directoryName, 0xa0 otherName, 0x88 registeredID. */
export type Gn = [number, Uint8Array]

export const dns = (s: string): Gn => [0x82, Buffer.from(s, 'latin1')]
export const email = (s: string): Gn => [0x81, Buffer.from(s, 'latin1')]
export const uri = (s: string): Gn => [0x86, Buffer.from(s, 'latin1')]
export const ip = (...bytes: number[]): Gn => [0x87, Buffer.from(bytes)]
export const dirName = (text: string): Gn => [0xa4, Buffer.from(nameDer(text))]
export const otherName = (): Gn => [
  0xa0,
  Buffer.concat([oid('1.3.6.1.4.1.311.20.2.3'), tlv(0xa0, tlv(0x0c, Buffer.from('u@x')))]),
]

/** Returns the DER of GeneralNames. */
export function generalNames(names: Gn[]): Uint8Array {
  return seq(...names.map(([tag, body]) => tlv(tag, body)))
}

/** Returns the DER of a nameConstraints value; an empty list is written as an empty [0]/[1] when given as []. */
export function nameConstraints(permitted?: Gn[], excluded?: Gn[]): Uint8Array {
  const list = (tag: number, names: Gn[]) => tlv(tag, ...names.map(([t, b]) => seq(tlv(t, b))))
  return seq(...(permitted ? [list(0xa0, permitted)] : []), ...(excluded ? [list(0xa1, excluded)] : []))
}

/** What a kit certificate looks like. */
export interface KitCert {
  subject: string
  /** Issuer name text (default: the subject, self-issued). */
  issuer?: string
  /** Issuer name DER instead of `issuer`. */
  issuerDer?: Uint8Array
  subjectDer?: Uint8Array
  key: Kp | {publicKey: KeyObject | Uint8Array}
  signer: Kp
  ca?: boolean
  pathLen?: number
  /** basicConstraints critical (default true); `null` omits the extension. */
  bcCritical?: boolean | null
  ku?: KeyUsageName[] | null
  san?: Gn[]
  sanCritical?: boolean
  nc?: Uint8Array
  ncCritical?: boolean
  serial?: string
  /** AKI keyIdentifier hex (omitted by default). */
  aki?: string
  omitSki?: boolean
  extra?: {oid: string; critical: boolean; value: Uint8Array}[]
}

/** Returns the certificate. CAs get cA=TRUE and keyCertSign/cRLSign, leaves digitalSignature, unless told otherwise. */
export async function cert(o: KitCert): Promise<ParsedCertificate> {
  const ca = o.ca ?? false
  const extra = [...(o.extra ?? [])]
  if (o.san) extra.push({oid: OID.subjectAltName, critical: o.sanCritical ?? false, value: generalNames(o.san)})
  if (o.nc) extra.push({oid: OID.nameConstraints, critical: o.ncCritical ?? true, value: o.nc})
  const ku =
    o.ku === null
      ? undefined
      : (o.ku ?? (ca ? (['keyCertSign', 'cRLSign'] as KeyUsageName[]) : (['digitalSignature'] as KeyUsageName[])))
  return buildCertificate({
    subject: o.subject,
    ...(o.subjectDer ? {subjectName: o.subjectDer} : {}),
    issuerName: o.issuerDer ?? nameDer(o.issuer ?? o.subject),
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    publicKey: o.key.publicKey,
    signingKey: o.signer.privateKey,
    ...(o.bcCritical === null ? {} : {basicConstraints: {ca, pathLen: o.pathLen, critical: o.bcCritical ?? true}}),
    ...(ku ? {keyUsage: {names: ku, critical: true}} : {}),
    ...(o.serial ? {serial: o.serial} : {}),
    ...(o.aki ? {authorityKeyId: o.aki} : {}),
    ...(o.omitSki ? {omitSki: true} : {}),
    extra,
  })
}

/** A root, an intermediate and a leaf, each with its key, ready for variations. */
export async function baseChain(o: {leaf?: Partial<KitCert>; inter?: Partial<KitCert>; root?: Partial<KitCert>} = {}) {
  const rk = ecKey()
  const ik = ecKey()
  const lk = ecKey()
  const root = await cert({subject: 'CN=Root,O=kit', key: rk, signer: rk, ca: true, ...o.root})
  const inter = await cert({
    subject: 'CN=Inter,O=kit',
    issuer: 'CN=Root,O=kit',
    key: ik,
    signer: rk,
    ca: true,
    aki: root.ski,
    ...o.inter,
  })
  const leaf = await cert({
    subject: 'CN=leaf,O=kit',
    issuer: 'CN=Inter,O=kit',
    key: lk,
    signer: ik,
    aki: inter.ski,
    san: [dns('leaf.example.com')],
    ...o.leaf,
  })
  return {root, inter, leaf, keys: {rk, ik, lk}}
}
