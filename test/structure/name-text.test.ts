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

const fromText = (text: string) => new Uint8Array(new x509.Name(text).toArrayBuffer())

const OIDS: Record<string, string> = {CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', L: '2.5.4.7', E: '1.2.840.113549.1.9.1', DC: '0.9.2342.19200300.100.1.25'}

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
  {name: 'svidkit CA subject', der: () => fromText('O=svidkit, OU=example.org, CN=root CA 1'), text: 'O=svidkit, OU=example.org, CN=root CA 1'},
  {
    name: 'every short name',
    der: () => fromText('C=DE, ST=Berlin, L=Mitte, O=o, OU=u, CN=c, DC=d, E=a@b.c, G=g, I=i, SN=s, T=t'),
    text: 'C=DE, ST=Berlin, L=Mitte, O=o, OU=u, CN=c, DC=d, E=a@b.c, G=g, I=i, SN=s, T=t',
  },
  {name: 'multi-valued RDN', der: () => fromText('CN=a+O=b, C=US'), text: 'CN=a+O=b, C=US'},
  {name: 'unknown attribute type', der: () => fromJson([{'2.5.4.97': ['VATDE-123']}]), text: '2.5.4.97=VATDE-123'},
  {name: 'specials escaped', der: () => fromJson([{CN: ['a,b+c"d\\e<f>g;h']}]), text: 'CN=a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h'},
  {name: 'leading # and space, trailing space', der: () => fromJson([{CN: ['#x']}, {O: [' y ']}]), text: 'CN=\\#x, O=\\ y\\ '},
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
      fc.property(fc.constantFrom('CN', 'O', 'OU', 'L', 'E', 'DC'), fc.string({unit: 'binary', maxLength: 24}), (type, value) => {
        const d = fromJson([{[type]: [value]}])
        expect(nameText(d)).toBe(new x509.Name(Uint8Array.from(d)).toString())
      }),
      {numRuns: 300},
    )
  })
})
