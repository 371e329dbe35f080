/**
 * RFC 4514 text to DER (RFC 5280 §4.1.2.4) for the plain names svidkit writes itself
 * ("O=svidkit, OU=example.org, CN=root CA 1"), byte for byte as @peculiar/x509's `Name`
 * writes them, without loading that library: it costs `ca init` and `issue` about 100 ms
 * (docs/benchmarks.md, start-up). Any other text is left to @peculiar/x509 (build.ts), so
 * escapes, quotes, `#hex` values and multi-valued RDNs keep its exact reading.
 * test/core/x509/name-der.test.ts holds the two to the same bytes.
 */
import {oid, seq, seqOf, tlv} from './der.js'

/** The short names @peculiar/x509 knows (RFC 4514 §3 and E, G, I, SN, T), by OID. */
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

/**
 * One attribute of a plain name: a known short name, `=`, and a value of printable ASCII
 * without RFC 4514's special characters (so no escape, quote or `#hex` form), and without
 * leading or trailing spaces.
 */
const PLAIN =
  /^ *([A-Z]{1,2})=([!$%&'()*./0-9:?@A-Z[\]^_`a-z{|}~-](?:[ !$%&'()*./0-9:?@A-Z[\]^_`a-z{|}~-]*[!$%&'()*./0-9:?@A-Z[\]^_`a-z{|}~-])?)$/

/** X.520 PrintableString characters (RFC 5280 appendix A), the set @peculiar/x509 tests. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/

/**
 * Returns the DER of a plain name (one attribute per RDN, in text order), or undefined
 * when the text is anything else. Values are PrintableString when they can be, IA5String
 * for E and DC, UTF8String otherwise, as @peculiar/x509 chooses.
 */
export function plainNameDer(text: string): Uint8Array | undefined {
  if (text === '') return new Uint8Array(seq())
  const rdns: Uint8Array[] = []
  for (const part of text.split(',')) {
    const m = PLAIN.exec(part)
    const type = m && TYPES[m[1]]
    if (!m || !type) return undefined
    const value = Buffer.from(m[2], 'latin1')
    const tag = m[1] === 'E' || m[1] === 'DC' ? 0x16 : PRINTABLE.test(m[2]) ? 0x13 : 0x0c
    rdns.push(tlv(0x31, seq(oid(type), tlv(tag, value))))
  }
  return new Uint8Array(seqOf(rdns))
}
