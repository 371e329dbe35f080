/**
 * What path validation reads from a certificate beyond ParsedCertificate: the raw serial,
 * the algorithm fields, the public key's parameters and the extension values. Read once
 * per certificate (on demand, cached) with the same strict DER reader as the parse.
 */
import type {ParsedCertificate} from '../x509/certificate.js'
import {cachedRawCertificate, readCertificate, type RawCertificate} from '../x509/certificate-read.js'
import {CERT_LIMITS} from '../x509/certificate.js'
import {readTlv} from '../x509/der-read.js'
import {namesMatch} from './name-match.js'

const facts = new WeakMap<ParsedCertificate, RawCertificate>()

/** Returns the raw fields of a parsed certificate (read once, then cached). */
export function rawFacts(c: ParsedCertificate): RawCertificate {
  let f = facts.get(c)
  if (!f) {
    f = cachedRawCertificate(c.der) ?? readCertificate(c.der, {nodes: CERT_LIMITS.maxAsn1Nodes})
    facts.set(c, f)
  }
  return f
}

/** Returns the DER value of an extension, or undefined when the certificate has none with that OID. */
export function extensionValue(c: ParsedCertificate, oid: string): Uint8Array | undefined {
  if (!c.extensions.some((e) => e.oid === oid)) return undefined
  return rawFacts(c).extensions.find((e) => e.oid === oid)?.value
}

const selfIssuedMemo = new WeakMap<ParsedCertificate, boolean>()

/** Returns true when subject and issuer match by RFC 5280 §7.1 (self-issued, RFC 5280 §3.2 and §6.1). */
export function selfIssued(c: ParsedCertificate): boolean {
  let v = selfIssuedMemo.get(c)
  if (v === undefined) selfIssuedMemo.set(c, (v = namesMatch(c.subjectDer, c.issuerDer)))
  return v
}

/** Returns how a certificate of a path (leaf first, anchor last) is named in messages: role, subject (or SAN) and serial. */
export function describe(c: ParsedCertificate, i: number, all: ParsedCertificate[]): string {
  const role = i === 0 ? 'leaf' : i === all.length - 1 ? 'trust anchor' : 'intermediate'
  return `${role} "${c.subject || c.san?.uris[0] || c.san?.dns[0] || c.serial}" (serial ${c.serial})`
}

const selfSignedMemo = new WeakMap<ParsedCertificate, boolean>()

/** Returns true when `c` is self-issued and its own key verifies its signature (a root, not a key-rollover certificate). */
export function isSelfSigned(c: ParsedCertificate): boolean {
  let v = selfSignedMemo.get(c)
  if (v === undefined) {
    try {
      v = selfIssued(c) && c.node.verify(c.node.publicKey)
    } catch {
      v = false
    }
    selfSignedMemo.set(c, v)
  }
  return v
}

const keyInfo = new WeakMap<ParsedCertificate, KeyInfo | null>()

/** A public key's type (Node's names), RSA modulus size and EC curve (Node's names). */
interface KeyInfo {
  type?: string
  bits?: number
  curve?: string
}

const KEY_TYPES: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
  '1.2.840.10040.4.1': 'dsa',
}
const CURVES: Record<string, string> = {
  '2a8648ce3d030107': 'prime256v1',
  '2b81040022': 'secp384r1',
  '2b81040023': 'secp521r1',
  '2b81040021': 'secp224r1',
  '2a8648ce3d030101': 'prime192v1',
  '2b8104000a': 'secp256k1',
}

/** Returns the bit length of the modulus of an RSAPublicKey (RFC 8017 A.1.1: SEQUENCE { modulus, publicExponent }), or undefined. */
function rsaBits(key: Uint8Array): number | undefined {
  const outer = readTlv(key, 0, key.length)
  const n = outer && outer.tag === 0x30 ? readTlv(key, outer.start, outer.end) : undefined
  if (!n || n.tag !== 0x02) return undefined
  let i = n.start
  while (i < n.end && key[i] === 0) i++
  if (i === n.end) return 0
  return (n.end - i) * 8 - Math.clz32(key[i]) + 24
}

/**
 * Returns the type and size of the certificate's public key, read from its
 * subjectPublicKeyInfo (once per certificate; no KeyObject is made), or null when the key
 * cannot be read.
 */
export function publicKeyInfo(c: ParsedCertificate): KeyInfo | null {
  let v = keyInfo.get(c)
  if (v === undefined) {
    const raw = rawFacts(c)
    const type = KEY_TYPES[raw.spkiAlgorithm.oid]
    const params = raw.spkiAlgorithm.params
    v = {type: type ?? raw.spkiAlgorithm.oid}
    if (type === 'rsa' || type === 'rsa-pss') {
      v.bits = rsaBits(raw.spkiKey)
      if (v.bits === undefined) v = null
    } else if (type === 'ec' && params?.[0] === 0x06) {
      const oidHex = Buffer.from(params.subarray(2)).toString('hex')
      v.curve = CURVES[oidHex] ?? oidHex
    }
    keyInfo.set(c, v)
  }
  return v
}
