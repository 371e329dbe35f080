/**
 * Hand-built certificates for path-building tests: names, keys and issuers chosen freely
 * (look-alike names, shared keys, cross-signatures), signed with svidkit's DER builder.
 * Times are fixed: everything is valid from 2026-01-01 to 2027-01-01 (UTC).
 */
import {generateKeyPairSync, sign, type KeyObject} from 'node:crypto'
import {buildCertificate, nameDer} from '../../src/core/x509/build.js'
import {bitString, seq, tlv} from '../../src/core/x509/der.js'
import {readChildren, readTlv, type Tlv} from '../../src/core/x509/der-read.js'
import type {ParsedCertificate} from '../../src/core/x509/certificate.js'

/** 2026-06-01T00:00:00Z: inside every validity period below. */
export const KIT_AT = new Date('2026-06-01T00:00:00Z')
const NOT_BEFORE = new Date('2026-01-01T00:00:00Z')
const NOT_AFTER = new Date('2027-01-01T00:00:00Z')

/** A key pair of the kit (P-256). */
export interface Kp {
  privateKey: KeyObject
  publicKey: KeyObject
}

/** Returns a new P-256 key pair. */
export function newKey(): Kp {
  return generateKeyPairSync('ec', {namedCurve: 'P-256'})
}

/** Returns a CA certificate `subject` with key `key`, issued by `issuer` (name) and signed by `signer`. */
export async function caCert(
  subject: string,
  key: Kp,
  issuer: string,
  signer: Kp,
  o: {td?: string; ski?: string; aki?: string} = {},
): Promise<ParsedCertificate> {
  return buildCertificate({
    subject,
    issuerName: nameDer(issuer),
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    publicKey: key.publicKey,
    signingKey: signer.privateKey,
    basicConstraints: {ca: true, critical: true},
    keyUsage: {names: ['keyCertSign', 'cRLSign'], critical: true},
    san: {uris: [`spiffe://${o.td ?? 'example.org'}`], critical: false},
    ...(o.aki ? {authorityKeyId: o.aki} : {}),
  })
}

/** Returns an X509-SVID leaf for `spiffe://example.org/web` issued by `issuer`, signed by `signer`. */
export async function leafCert(issuer: string, signer: Kp, key: Kp = newKey()): Promise<ParsedCertificate> {
  return buildCertificate({
    subject: 'O=kit',
    issuerName: nameDer(issuer),
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    publicKey: key.publicKey,
    signingKey: signer.privateKey,
    basicConstraints: {ca: false, critical: true},
    keyUsage: {names: ['digitalSignature'], critical: true},
    extKeyUsage: {oids: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], critical: false},
    san: {uris: ['spiffe://example.org/web'], critical: true},
  })
}

/** Returns the DER elements of a certificate: TBS, signature algorithm and signature (raw TLV bytes). */
export function certParts(der: Uint8Array): {tbs: Buffer; alg: Buffer; fields: Buffer[]} {
  const outer = readTlv(der, 0, der.length)
  if (!outer) throw new Error('not DER')
  const parts = readChildren(der, outer, 3, true)
  if (!parts || parts.length !== 3) throw new Error('not a certificate')
  const raw = (t: Tlv) => Buffer.from(der.subarray(headerStart(der, t), t.end))
  const tbsTlv = parts[0]
  const fields = (readChildren(der, tbsTlv, 20, true) ?? []).map(raw)
  return {tbs: raw(tbsTlv), alg: raw(parts[1]), fields}
}

/** Returns where the header of `t` starts (its content start minus the header length). */
function headerStart(der: Uint8Array, t: Tlv): number {
  for (let h = 2; h <= 6; h++) {
    const at = t.start - h
    const back = at >= 0 ? readTlv(der, at, der.length) : undefined
    if (back && back.start === t.start && back.end === t.end) return at
  }
  throw new Error('cannot find the element header')
}

/**
 * Returns a P-256-signed certificate whose TBS fields are `fields` (raw TLVs, as from
 * certParts), signed again by `signer`: a mutated certificate with a valid signature.
 */
export function resign(fields: Uint8Array[], alg: Uint8Array, signer: Kp): Uint8Array {
  const tbs = seq(...fields)
  return new Uint8Array(seq(tbs, alg, bitString(sign('sha256', tbs, signer.privateKey))))
}

/** Index of the validity field among TBS fields (after the optional [0] version). */
export function validityIndex(fields: Buffer[]): number {
  return fields[0][0] === 0xa0 ? 4 : 3
}

/** Returns a raw time TLV: UTCTime (0x17) or GeneralizedTime (0x18) holding `text` as is. */
export function rawTime(tag: 0x17 | 0x18, text: string): Buffer {
  return tlv(tag, Buffer.from(text, 'latin1'))
}
