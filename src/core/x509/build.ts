import {createHash, randomBytes, sign, type KeyObject} from 'node:crypto'
import {ipBytes} from './general-names.js'
import {x509} from './provider.js'
import {KEY_USAGE_BITS, parseCertificateDer, type KeyUsageName, type ParsedCertificate} from './certificate.js'
import {bitString, bool, explicit, int, namedBits, nul, octets, oid, seq, seqOf, time, tlv, tlvOf, uint} from './der.js'
import {readChildren, readTlv} from './der-read.js'
import {signingKeyType, spkiDer} from './keys.js'
import {deterministicSign} from './seeded.js'
import {plainNameDer} from './name-der.js'
import type {KeyType} from './key-type.js'
import {OID} from './oids.js'
import {boundedCache} from '../memo.js'

/** What goes into one certificate. Profiles (ca/, svid/) fill this; build only encodes and signs. */
export interface CertificateTemplate {
  /** Hex serial; default: 16 random bytes, positive (RFC 5280 §4.1.2.2: at most 20 bytes; CA/B practice: ≥ 64 random bits). */
  serial?: string
  /** Subject DN in RFC 4514 text; `''` gives an empty subject. */
  subject: string
  /** Subject name as DER, used instead of `subject` when given (re-certifying a CA under the same name). */
  subjectName?: Uint8Array
  /** DER of the issuer's subject name; default: the subject (self-issued). */
  issuerName?: Uint8Array
  notBefore: Date
  notAfter: Date
  /** The subject's public key: a key object or SPKI DER (e.g. from a CSR). */
  publicKey: KeyObject | Uint8Array
  /** The issuer's private key (the subject's own for a self-signed certificate). */
  signingKey: KeyObject
  /** Hex SKI of the issuer, written as AKI; omitted when undefined. */
  authorityKeyId?: string
  basicConstraints?: {ca: boolean; pathLen?: number; critical: boolean}
  keyUsage?: {names: KeyUsageName[]; critical: boolean}
  extKeyUsage?: {oids: string[]; critical: boolean}
  /** `ips` are address literals (IPv4 or IPv6), written as 4 or 16 bytes. */
  san?: {uris: string[]; dns?: string[]; ips?: string[]; critical: boolean}
  /** URI/DNS subtrees; URI bases are bare host names (X509-SVID §4.2). */
  nameConstraints?: {
    permitted: {type: 'uri' | 'dns'; value: string}[]
    excluded?: {type: 'uri' | 'dns'; value: string}[]
    critical: boolean
  }
  /** Extra raw extensions (used by defects). */
  extra?: {oid: string; critical: boolean; value: Uint8Array}[]
  /** Omit the SKI extension (default false: every certificate gets one). */
  omitSki?: boolean
  /** Sign deterministically (RFC 6979 for ECDSA; seeded fixtures, x509/seeded.ts). Default false. */
  deterministic?: boolean
}

let pool = Buffer.alloc(0)
let poolAt = 0

/** Returns a random positive serial of 16 bytes as hex. */
function randomSerial(): string {
  // One randomBytes call per 256 serials: each call costs more than the 16 bytes it returns.
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(16 * 256)
    poolAt = 0
  }
  const b = Buffer.from(pool.subarray(poolAt, (poolAt += 16)))
  b[0] = (b[0] & 0x7f) | 0x01 // positive and no leading zero byte, so it stays 16 bytes
  return b.toString('hex')
}

/** GeneralSubtrees (RFC 5280 §4.2.1.10): each base a uniformResourceIdentifier [6] or dNSName [2] IA5String, minimum and maximum left out. */
function subtrees(tag: number, names: {type: 'uri' | 'dns'; value: string}[]): Buffer {
  return tlvOf(
    tag,
    names.map((n) => seq(tlv(n.type === 'uri' ? 0x86 : 0x82, Buffer.from(n.value, 'latin1')))),
  )
}

/** Returns the DER of a nameConstraints extension value: permittedSubtrees [0] and excludedSubtrees [1], each left out when empty. */
export function nameConstraintsDer(
  permitted: {type: 'uri' | 'dns'; value: string}[],
  excluded: {type: 'uri' | 'dns'; value: string}[] = [],
): Uint8Array {
  return new Uint8Array(
    seqOf([
      ...(permitted.length ? [subtrees(0xa0, permitted)] : []),
      ...(excluded.length ? [subtrees(0xa1, excluded)] : []),
    ]),
  )
}

const names = boundedCache<string, Uint8Array>()

/**
 * Returns the DER name for an RFC 4514 text (empty text → empty name), encoded once per text:
 * plain names directly (name-der.ts), any other text by @peculiar/x509, loaded only then.
 */
export function nameDer(text: string): Uint8Array {
  return names(text, (t) => plainNameDer(t) ?? new Uint8Array(new x509.Name(t).toArrayBuffer()))
}

/** The signature algorithm of each signing key type: AlgorithmIdentifier DER and the hash for node's sign(). */
const SIGNATURE: Record<KeyType, {oid: string; algId: Buffer; hash: string | null}> = {
  'ec-p256': {oid: '1.2.840.10045.4.3.2', algId: seq(oid('1.2.840.10045.4.3.2')), hash: 'sha256'},
  'ec-p384': {oid: '1.2.840.10045.4.3.3', algId: seq(oid('1.2.840.10045.4.3.3')), hash: 'sha384'},
  'rsa-2048': {oid: '1.2.840.113549.1.1.11', algId: seq(oid('1.2.840.113549.1.1.11'), nul()), hash: 'sha256'},
  'rsa-3072': {oid: '1.2.840.113549.1.1.11', algId: seq(oid('1.2.840.113549.1.1.11'), nul()), hash: 'sha256'},
  'rsa-4096': {oid: '1.2.840.113549.1.1.11', algId: seq(oid('1.2.840.113549.1.1.11'), nul()), hash: 'sha256'},
  ed25519: {oid: '1.3.101.112', algId: seq(oid('1.3.101.112')), hash: null},
}

function extension(id: string, critical: boolean, value: Uint8Array): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value))
}

/**
 * Extensions whose DER depends only on a few template values (basicConstraints, keyUsage,
 * extKeyUsage, AKI), encoded once per distinct value: every leaf of a bulk run repeats them.
 * Each is copied into the certificate, never handed out.
 */
const constantExtension = boundedCache<string, Buffer>()

/** Returns the SKI of a public key: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1). */
function subjectKeyId(spki: Uint8Array): Buffer {
  // SubjectPublicKeyInfo = SEQUENCE { AlgorithmIdentifier, BIT STRING }: hash the BIT STRING's content after its unused-bits byte.
  const outer = readTlv(spki, 0, spki.length)
  const bits = outer && readChildren(spki, outer, 2)?.[1]
  if (!bits) throw new Error('subjectPublicKeyInfo: malformed DER')
  return createHash('sha1')
    .update(spki.subarray(bits.start + 1, bits.end))
    .digest()
}

function extensions(t: CertificateTemplate, ski: Buffer | undefined): Buffer[] {
  const out: Buffer[] = []
  const bc = t.basicConstraints
  if (bc)
    out.push(
      constantExtension(`bc ${bc.critical} ${bc.ca} ${bc.pathLen}`, () =>
        extension(
          OID.basicConstraints,
          bc.critical,
          seqOf([...(bc.ca ? [bool(true)] : []), ...(bc.pathLen !== undefined ? [int(bc.pathLen)] : [])]),
        ),
      ),
    )
  const ku = t.keyUsage
  if (ku)
    out.push(
      constantExtension(`ku ${ku.critical} ${ku.names.join()}`, () =>
        extension(OID.keyUsage, ku.critical, namedBits(ku.names.map((n) => Math.log2(KEY_USAGE_BITS[n])))),
      ),
    )
  const eku = t.extKeyUsage
  if (eku)
    out.push(
      constantExtension(`eku ${eku.critical} ${eku.oids.join()}`, () =>
        extension(OID.extKeyUsage, eku.critical, seqOf(eku.oids.map(oid))),
      ),
    )
  if (t.san) {
    const general = [
      ...t.san.uris.map((u) => tlv(0x86, Buffer.from(u, 'latin1'))),
      ...(t.san.dns ?? []).map((d) => tlv(0x82, Buffer.from(d, 'latin1'))),
      ...(t.san.ips ?? []).map((ip) => tlv(0x87, ipBytes(ip) ?? Buffer.alloc(0))),
    ]
    out.push(extension(OID.subjectAltName, t.san.critical, seqOf(general)))
  }
  if (t.nameConstraints)
    out.push(
      extension(
        OID.nameConstraints,
        t.nameConstraints.critical,
        nameConstraintsDer(t.nameConstraints.permitted, t.nameConstraints.excluded),
      ),
    )
  if (ski) out.push(extension(OID.subjectKeyIdentifier, false, octets(ski)))
  const aki = t.authorityKeyId
  if (aki)
    out.push(
      constantExtension(`aki ${aki}`, () =>
        extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, Buffer.from(aki, 'hex')))),
      ),
    )
  for (const e of t.extra ?? []) out.push(extension(e.oid, e.critical, e.value))
  return out
}

/**
 * Returns the signed certificate, parsed by the full parser. The DER is written directly (X.690) and signed
 * with Node's crypto: no WebCrypto round trips, so a leaf takes about a millisecond.
 */
export async function buildCertificate(t: CertificateTemplate): Promise<ParsedCertificate> {
  return parseCertificateDer(buildCertificateDer(t))
}

/** A certificate just built: its DER and the values chosen while building it. */
export interface BuiltCertificate {
  der: Uint8Array
  /** Hex serial as written. */
  serial: string
  /** The subject's SubjectPublicKeyInfo DER. */
  spki: Uint8Array
  /** Hex SKI written, when one was. */
  ski?: string
  /** Signature algorithm OID. */
  signatureOid: string
}

/** Returns the DER of the signed certificate (X.690 written directly, signed with Node's crypto). */
export function buildCertificateDer(t: CertificateTemplate): Uint8Array {
  return buildCertificateParts(t).der
}

/** Returns the signed certificate's DER with the serial, SPKI and SKI it was built with. */
export function buildCertificateParts(t: CertificateTemplate): BuiltCertificate {
  const spki = t.publicKey instanceof Uint8Array ? t.publicKey : spkiDer(t.publicKey)
  const alg = SIGNATURE[signingKeyType(t.signingKey)]
  const subject = t.subjectName ?? nameDer(t.subject)
  const serial = t.serial ?? randomSerial()
  const ski = t.omitSki ? undefined : subjectKeyId(spki)
  const tbs = seq(
    explicit(0, int(2)),
    uint(Buffer.from(serial, 'hex')),
    alg.algId,
    t.issuerName ?? subject,
    seq(time(t.notBefore), time(t.notAfter)),
    subject,
    spki,
    explicit(3, seqOf(extensions(t, ski))),
  )
  const signature = t.deterministic ? deterministicSign(alg.hash, tbs, t.signingKey) : sign(alg.hash, tbs, t.signingKey)
  return {
    der: new Uint8Array(seq(tbs, alg.algId, bitString(signature))),
    serial,
    spki,
    ski: ski?.toString('hex'),
    signatureOid: alg.oid,
  }
}
