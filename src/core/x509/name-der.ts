/**
 * The DER of a distinguished name written as RFC 4514 text, for the plain names svidkit
 * and its users write ("O=svidkit, OU=example.org, CN=root CA 1"), without loading
 * @peculiar/x509: issuing one SVID must not pay that library's start-up (docs/benchmarks.md).
 * The bytes are the ones @peculiar/x509's `Name` writes (test/structure/name-der.test.ts
 * compares them); any text outside the plain form (quotes, escapes, `+`, `#hex`, OIDs as
 * types, spaces around values) is left to that library.
 */
import {oid, seq, tlv} from './der.js'

/** The short names @peculiar/x509 knows, with their attribute types (RFC 4514 §3 and its additions). */
const TYPES: Record<string, string> = {
  CN: '2.5.4.3',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  C: '2.5.4.6',
  DC: '0.9.2342.19200300.100.1.25',
  E: '1.2.840.113549.1.9.1',
  G: '2.5.4.42',
  I: '2.5.4.43',
  SN: '2.5.4.4',
  T: '2.5.4.12',
}

/** One attribute in the plain form: a known short name, `=`, and a value with no RFC 4514 special character and no space at either end. */
const PLAIN = /^([A-Z]{1,2})=([^\s"\\+,;<>#=]|[^\s"\\+,;<>#=][^"\\+,;<>=\p{Cc}]*[^\s"\\+,;<>=])$/u
/** PrintableString's alphabet (X.680 §41.4). */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/
const ASCII_VISIBLE = /^[\x20-\x7e]*$/

const TAG = {utf8: 0x0c, printable: 0x13, ia5: 0x16} as const

/**
 * Returns the DER Name for `text` in the plain form, encoded as @peculiar/x509 encodes it
 * (IA5String for E and DC, PrintableString when the value allows it, else UTF8String), or
 * undefined when the text is not in the plain form.
 */
export function plainNameDer(text: string): Buffer | undefined {
  if (text === '') return seq()
  const rdns: Buffer[] = []
  for (const part of text.split(', ')) {
    const m = PLAIN.exec(part)
    const type = m ? TYPES[m[1]] : undefined
    if (!m || type === undefined) return undefined
    const value = m[2]
    if (/[\uD800-\uDFFF]/.test(value)) return undefined
    let tag: number
    if (m[1] === 'E' || m[1] === 'DC') {
      if (!ASCII_VISIBLE.test(value)) return undefined
      tag = TAG.ia5
    } else tag = PRINTABLE.test(value) ? TAG.printable : TAG.utf8
    rdns.push(tlv(0x31, seq(oid(type), tlv(tag, Buffer.from(value, 'utf8')))))
  }
  return seq(...rdns)
}
