/**
 * Distinguished-name comparison for path building and directoryName constraints
 * (RFC 5280 §7.1, the comparison rules of RFC 4518 reduced to what certificates use).
 *
 * Two names match when they have the same RDNs in the same order, each RDN the same set of
 * attributes, and each attribute the same type and an equal value: string values are
 * compared after decoding (PrintableString, UTF8String, IA5String, TeletexString,
 * BMPString, UniversalString alike), Unicode NFKC normalisation, case folding, removing
 * leading and trailing white space and collapsing inner runs of white space to one space;
 * any other value is compared byte for byte. OpenSSL compares names the same way (its
 * canonical encoding); Go's crypto/x509 compares the DER bytes, so a chain that only
 * matches here is accepted by default with a warning and refused by `--strict`
 * (RFC 5280 §4.1.2.6: a CA MUST encode its subject as its certificates encode their issuer).
 */
import {readChildren, readTlv, type Tlv} from '../x509/der-read.js'

const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/** Returns the Unicode text of a string AttributeValue, or undefined for a non-string type. */
function stringValue(der: Uint8Array, t: Tlv): string | undefined {
  const b = der.subarray(t.start, t.end)
  switch (t.tag) {
    case 0x0c: // UTF8String
      try {
        return utf8.decode(b)
      } catch {
        return undefined
      }
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString (read as Latin-1, as OpenSSL does)
      return Buffer.from(b).toString('latin1')
    case 0x1e: {
      // BMPString: UTF-16BE
      if (b.length % 2) return undefined
      let s = ''
      for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1])
      return s
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      if (b.length % 4) return undefined
      let s = ''
      for (let i = 0; i < b.length; i += 4) {
        const cp = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0
        if (cp > 0x10ffff) return undefined
        s += String.fromCodePoint(cp)
      }
      return s
    }
    default:
      return undefined
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

/** Returns the canonical text of one AttributeTypeAndValue: its type's DER and its normalised value. */
function attribute(der: Uint8Array, atv: Tlv): string {
  const parts = readChildren(der, atv, 3, true)
  if (!parts || parts.length !== 2) return `raw:${hex(der.subarray(atv.start, atv.end))}`
  const type = hex(der.subarray(parts[0].start, parts[0].end))
  const text = stringValue(der, parts[1])
  if (text === undefined)
    return `${type}=#${parts[1].tag.toString(16)}:${hex(der.subarray(parts[1].start, parts[1].end))}`
  const folded = text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim()
  return `${type}=${JSON.stringify(folded)}`
}

const cache = new Map<string, string[]>()
const CACHE_MAX = 4096

/**
 * Returns the canonical form of each RDN of a DER Name, in order (RFC 5280 §7.1). A name
 * that does not decode is one opaque RDN made of its bytes, so it only matches itself.
 */
export function canonicalRdns(name: Uint8Array): string[] {
  const key = hex(name)
  const known = cache.get(key)
  if (known) return known
  let out: string[]
  const outer = readTlv(name, 0, name.length)
  const rdns =
    outer && outer.tag === 0x30 && outer.end === name.length ? readChildren(name, outer, 1024, true) : undefined
  if (!rdns || rdns.length === 1024) out = [`raw:${key}`]
  else {
    out = rdns.map((rdn) => {
      const atvs = rdn.tag === 0x31 ? readChildren(name, rdn, 64, true) : undefined
      if (!atvs) return `raw:${hex(name.subarray(rdn.start, rdn.end))}`
      return atvs
        .map((a) => attribute(name, a))
        .sort()
        .join('+')
    })
  }
  if (cache.size >= CACHE_MAX) cache.clear()
  cache.set(key, out)
  return out
}

/** Returns the canonical text of a whole DER Name: equal texts mean matching names (RFC 5280 §7.1). */
export function canonicalName(name: Uint8Array): string {
  return canonicalRdns(name).join(',')
}

/** Returns true when two DER names match by RFC 5280 §7.1 (see the module comment). */
export function namesMatch(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b) || canonicalName(a) === canonicalName(b)
}

/** Returns true when two byte arrays are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
  )
}
