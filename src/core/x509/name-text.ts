/**
 * RFC 4514 text of a DER distinguished name, written the way @peculiar/x509's `Name`
 * writes it (same short names, escaping and separators), without loading that library:
 * reading a certificate must not pay its start-up cost (docs/benchmarks.md, start-up).
 * test/structure/name-text.test.ts checks the two agree.
 */
import {AsnConvert} from '@peculiar/asn1-schema'
import {Name} from '@peculiar/asn1-x509'

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

/** Returns the RFC 4514 text of a DER Name ("O=svidkit, CN=root CA 1"; "" for an empty name). */
export function nameText(der: Uint8Array): string {
  const name = AsnConvert.parse(der, Name)
  return name
    .map((rdn) =>
      rdn
        .map((atv) => {
          const type = SHORT[atv.type] ?? atv.type
          const value = atv.value.anyValue ? `#${Buffer.from(atv.value.anyValue).toString('hex')}` : escapeValue(atv.value.toString())
          return `${type}=${value}`
        })
        .join('+'),
    )
    .join(', ')
}
