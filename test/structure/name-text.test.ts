/**
 * name-text.ts writes certificate names without loading @peculiar/x509 (start-up); this
 * checks it writes exactly what @peculiar/x509's Name writes, for the same DER.
 */
import {AsnConvert} from '@peculiar/asn1-schema'
import {AttributeTypeAndValue, Name, RelativeDistinguishedName} from '@peculiar/asn1-x509'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {nameText} from '../../src/core/x509/name-text.js'
import {x509} from '../../src/core/x509/provider.js'
import {oid, seq, tlv} from '../../src/core/x509/der.js'
import {oldNameText} from '../core/x509/asn1-oracle.js'

const fromText = (text: string) => new Uint8Array(new x509.Name(text).toArrayBuffer())

const OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  L: '2.5.4.7',
  E: '1.2.840.113549.1.9.1',
  DC: '0.9.2342.19200300.100.1.25',
}

/** A name of one-attribute RDNs, each value a UTF8String (any text, even '#…'), built with the ASN.1 schemas. */
function fromJson(rdns: Record<string, string[]>[]): Uint8Array {
  const name = new Name(
    rdns.map(
      (rdn) =>
        new RelativeDistinguishedName(
          Object.entries(rdn).flatMap(([type, values]) =>
            values.map((v) => {
              const atv = new AttributeTypeAndValue({type: OIDS[type] ?? type})
              atv.value.utf8String = v
              return atv
            }),
          ),
        ),
    ),
  )
  return new Uint8Array(AsnConvert.serialize(name))
}

/** A name holding one attribute whose value is not a string type (written as #hex). */
function anyValueName(): Uint8Array {
  const atv = new AttributeTypeAndValue({type: '1.2.3.4.5'})
  atv.value.anyValue = new Uint8Array([0x02, 0x01, 0x2a]).buffer
  return new Uint8Array(AsnConvert.serialize(new Name([new RelativeDistinguishedName([atv])])))
}

const table: {name: string; der: () => Uint8Array; text: string}[] = [
  {name: 'empty name', der: () => fromText(''), text: ''},
  {
    name: 'svidkit CA subject',
    der: () => fromText('O=svidkit, OU=example.org, CN=root CA 1'),
    text: 'O=svidkit, OU=example.org, CN=root CA 1',
  },
  {
    name: 'every short name',
    der: () => fromText('C=DE, ST=Berlin, L=Mitte, O=o, OU=u, CN=c, DC=d, E=a@b.c, G=g, I=i, SN=s, T=t'),
    text: 'C=DE, ST=Berlin, L=Mitte, O=o, OU=u, CN=c, DC=d, E=a@b.c, G=g, I=i, SN=s, T=t',
  },
  {name: 'multi-valued RDN', der: () => fromText('CN=a+O=b, C=US'), text: 'CN=a+O=b, C=US'},
  {name: 'unknown attribute type', der: () => fromJson([{'2.5.4.97': ['VATDE-123']}]), text: '2.5.4.97=VATDE-123'},
  {
    name: 'specials escaped',
    der: () => fromJson([{CN: ['a,b+c"d\\e<f>g;h']}]),
    text: 'CN=a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h',
  },
  {
    name: 'leading # and space, trailing space',
    der: () => fromJson([{CN: ['#x']}, {O: [' y ']}]),
    text: 'CN=\\#x, O=\\ y\\ ',
  },
  {name: 'control character as hex', der: () => fromJson([{CN: ['a\tb']}]), text: 'CN=a\\09b'},
  {name: 'UTF-8 value', der: () => fromJson([{CN: ['Grüße 東京']}]), text: 'CN=Grüße 東京'},
  {name: 'non-string value as #hex', der: anyValueName, text: '1.2.3.4.5=#02012a'},
]

describe('nameText matches @peculiar/x509 Name.toString()', () => {
  it.each(table)('$name', ({der, text}) => {
    const d = der()
    expect(nameText(d)).toBe(text)
    expect(nameText(d)).toBe(new x509.Name(Uint8Array.from(d)).toString())
  })

  it('for any attribute value (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('CN', 'O', 'OU', 'L', 'E', 'DC'),
        fc.string({unit: 'binary', maxLength: 24}),
        (type, value) => {
          const d = fromJson([{[type]: [value]}])
          expect(nameText(d)).toBe(new x509.Name(Uint8Array.from(d)).toString())
        },
      ),
      {numRuns: 300},
    )
  })
})

/** A name of one-attribute RDNs with raw values: [value tag, value content] each. */
function rawName(values: [number, Uint8Array][]): Uint8Array {
  return new Uint8Array(seq(...values.map(([tag, body]) => tlv(0x31, seq(oid('2.5.4.3'), tlv(tag, body))))))
}

function outcome(f: () => string): {text: string} | {threw: true} {
  try {
    return {text: f()}
  } catch {
    return {threw: true}
  }
}

describe('nameText decodes every attribute value type as the ASN.1 schemas did (oldNameText, the former implementation)', () => {
  const table: {name: string; tag: number; bytes: number[]; text: string}[] = [
    {name: 'UTF8String', tag: 0x0c, bytes: [0xc3, 0xa9], text: 'CN=é'},
    {name: 'UTF8String that is not UTF-8: its bytes as Latin-1', tag: 0x0c, bytes: [0x61, 0x80], text: 'CN=a\u0080'},
    {
      name: 'UTF8String with an encoded surrogate: Latin-1',
      tag: 0x0c,
      bytes: [0xed, 0xa0, 0x80],
      text: 'CN=\u00ed\u00a0\u0080',
    },
    {name: 'UTF8String with an overlong form: Latin-1', tag: 0x0c, bytes: [0xc0, 0x80], text: 'CN=\u00c0\u0080'},
    {name: 'UTF8String with a byte-order mark: kept', tag: 0x0c, bytes: [0xef, 0xbb, 0xbf, 0x41], text: 'CN=\ufeffA'},
    {name: 'UTF8String outside the BMP', tag: 0x0c, bytes: [0xf0, 0x9f, 0x98, 0x80], text: 'CN=😀'},
    {name: 'PrintableString', tag: 0x13, bytes: [0x41, 0x2c], text: 'CN=A\\,'},
    {name: 'TeletexString as Latin-1', tag: 0x14, bytes: [0xe9], text: 'CN=é'},
    {name: 'IA5String', tag: 0x16, bytes: [0x23, 0x61], text: 'CN=\\#a'},
    {name: 'BMPString (UTF-16BE), lone surrogate kept', tag: 0x1e, bytes: [0x00, 0x41, 0xd8, 0x00], text: 'CN=A\ud800'},
    {
      name: 'UniversalString: low 16 bits of each character',
      tag: 0x1c,
      bytes: [0, 0, 0, 0x41, 0, 1, 0xf6, 0x00],
      text: 'CN=A\uf600',
    },
    {name: 'NULL: empty', tag: 0x05, bytes: [], text: 'CN='},
    {name: 'INTEGER: #hex of the element', tag: 0x02, bytes: [1], text: 'CN=#020101'},
    {name: 'NumericString: #hex', tag: 0x12, bytes: [0x31], text: 'CN=#120131'},
    {name: 'constructed UTF8String (BER): #hex', tag: 0x2c, bytes: [0x0c, 1, 0x41], text: 'CN=#2c030c0141'},
    {name: 'empty PrintableString', tag: 0x13, bytes: [], text: 'CN='},
  ]
  it.each(table)('$name', ({tag, bytes, text}) => {
    const d = rawName([[tag, new Uint8Array(bytes)]])
    expect(nameText(d)).toBe(text)
    expect(oldNameText(d)).toBe(text)
  })

  it.each([
    {name: 'BMPString of odd length', tag: 0x1e, bytes: [0x41]},
    {name: 'UniversalString of 5 bytes', tag: 0x1c, bytes: [0, 0, 0, 0x41, 0]},
  ])('both refuse a $name', ({tag, bytes}) => {
    const d = rawName([[tag, new Uint8Array(bytes)]])
    expect(() => nameText(d)).toThrow(Error)
    expect(() => oldNameText(d)).toThrow()
  })

  it('for any raw attribute values (property)', () => {
    const value = fc.tuple(
      fc.constantFrom(0x0c, 0x13, 0x14, 0x16, 0x1e, 0x1c, 0x05, 0x02, 0x04, 0x12, 0x1a, 0x30, 0x80),
      fc.uint8Array({maxLength: 12}),
    )
    fc.assert(
      fc.property(fc.array(value, {maxLength: 4}), (values) => {
        const d = rawName(values.map(([tag, b]) => [tag, tag === 0x30 ? new Uint8Array(seq()) : b]))
        expect(outcome(() => nameText(d))).toEqual(outcome(() => oldNameText(d)))
      }),
      {numRuns: 500},
    )
  })
})
