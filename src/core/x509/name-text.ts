/**
 * RFC 4514 text of a DER distinguished name, written the way @peculiar/x509's `Name`
 * writes it (same short names, escaping, separators and string decoding), without loading
 * that library or an ASN.1 decoder: reading a certificate must not pay their start-up cost
 * (docs/benchmarks.md, start-up). test/structure/name-text.test.ts checks the two agree.
 */
import {childrenOf, contentOf, elementOf, expectTag, oidOf, readWhole, type DerBudget, type Tlv} from './der-read.js'

/** Short names of RFC 4514 §3 and the ones @peculiar/x509 adds (E, G, I, SN, T). */
const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
  '2.5.4.42': 'G',
  '2.5.4.43': 'I',
  '2.5.4.4': 'SN',
  '2.5.4.12': 'T',
}

function escapeValue(text: string): string {
  return text
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/([ ]$)/, '\\$1')
    .replace(/([\r\n\t])/, (c) => `\\${Buffer.from(c, 'utf8').toString('hex').toUpperCase()}`)
}

const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/**
 * The text of an AttributeValue (RFC 5280 §4.1.2.4, DirectoryString and IA5String) as
 * @peculiar/x509 decodes it: UTF8String as UTF-8 (its bytes as Latin-1 when they are not
 * UTF-8), BMPString as UTF-16BE, UniversalString as the low 16 bits of each 32-bit
 * character, the single-byte types as Latin-1, NULL as "", and any other type as `#` and
 * the hex of the whole element, unescaped (RFC 4514 §2.4).
 */
function valueText(der: Uint8Array, t: Tlv): string {
  const b = contentOf(der, t)
  const latin1 = () => Buffer.from(b).toString('latin1')
  switch (t.tag) {
    case 0x0c: // UTF8String
      try {
        return escapeValue(utf8.decode(b))
      } catch {
        return escapeValue(latin1())
      }
    case 0x13: // PrintableString
    case 0x14: // TeletexString
    case 0x16: // IA5String
      return escapeValue(latin1())
    case 0x1e: {
      // BMPString
      if (b.length % 2) throw new Error('Name: BMPString of odd length')
      let s = ''
      for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1])
      return escapeValue(s)
    }
    case 0x1c: {
      // UniversalString
      if (b.length % 4) throw new Error('Name: UniversalString length is not a multiple of 4')
      let s = ''
      for (let i = 0; i < b.length; i += 4) s += String.fromCharCode((b[i + 2] << 8) | b[i + 3])
      return escapeValue(s)
    }
    case 0x05: // NULL (its content, if any, ignored as BER decoders do)
      return ''
    default:
      return `#${Buffer.from(elementOf(der, t)).toString('hex')}`
  }
}

/** Elements one name may hold: a Name is small, and this bounds the work on hostile input. */
const NAME_NODES = 100_000

/**
 * Returns the RFC 4514 text of a DER Name ("O=svidkit, CN=root CA 1"; "" for an empty
 * name); throws an Error when the DER is not exactly one Name (RFC 5280 §4.1.2.4:
 * SEQUENCE OF SET OF SEQUENCE { type OBJECT IDENTIFIER, value ANY }).
 */
export function nameText(der: Uint8Array, budget: DerBudget = {nodes: NAME_NODES}): string {
  return childrenOf(der, readWhole(der, 0x30, 'Name'), 'Name', budget)
    .map((rdn) =>
      childrenOf(der, expectTag(rdn, 0x31, 'Name RDN'), 'Name RDN', budget)
        .map((atv) => {
          const parts = childrenOf(der, expectTag(atv, 0x30, 'Name attribute'), 'Name attribute', budget)
          if (parts.length !== 2) throw new Error('Name: an attribute holds a type and a value')
          const type = oidOf(der, parts[0], 'Name attribute type')
          return `${SHORT[type] ?? type}=${valueText(der, parts[1])}`
        })
        .join('+'),
    )
    .join(', ')
}
