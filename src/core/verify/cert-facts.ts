/**
 * What path validation reads from a certificate beyond ParsedCertificate: the raw serial,
 * the algorithm fields, the public key's parameters and the extension values. Read once
 * per certificate (on demand, cached) with the same strict DER reader as the parse.
 */
import type {ParsedCertificate} from '../x509/certificate.js'
import {readCertificate, type RawCertificate} from '../x509/certificate-read.js'
import {CERT_LIMITS} from '../x509/certificate.js'
import {namesMatch} from './name-match.js'

const facts = new WeakMap<ParsedCertificate, RawCertificate>()

/** Returns the raw fields of a parsed certificate (read once, then cached). */
export function rawFacts(c: ParsedCertificate): RawCertificate {
  let f = facts.get(c)
  if (!f) {
    f = readCertificate(c.der, {nodes: CERT_LIMITS.maxAsn1Nodes})
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
