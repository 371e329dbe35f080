/**
 * Hand-built certificates for path-building tests: names, keys and issuers chosen freely
 * (look-alike names, shared keys, cross-signatures), signed with svidkit's DER builder.
 * Times are fixed: everything is valid from 2026-01-01 to 2027-01-01 (UTC).
 */
import {generateKeyPairSync, type KeyObject} from 'node:crypto'
import {buildCertificate} from '../../src/core/x509/build.js'
import {nameDer} from '../../src/core/x509/build.js'
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
