/**
 * build.ts writes the nameConstraints extension with svidkit's DER writer (issuing loads
 * no ASN.1 schemas); its bytes are exactly what @peculiar/asn1-x509 wrote before.
 */
import {AsnConvert} from '@peculiar/asn1-schema'
import {GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints} from '@peculiar/asn1-x509'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {nameConstraintsDer} from '../../../src/core/x509/build.js'

type Base = {type: 'uri' | 'dns'; value: string}

/** The former implementation, through the ASN.1 schemas. */
function asn1Der(permitted: Base[], excluded: Base[] = []): Uint8Array {
  const subtrees = (names: Base[]) =>
    new GeneralSubtrees(
      names.map(
        (n) =>
          new GeneralSubtree({
            base: new GeneralName(n.type === 'uri' ? {uniformResourceIdentifier: n.value} : {dNSName: n.value}),
          }),
      ),
    )
  const nc = new NameConstraints({
    ...(permitted.length ? {permittedSubtrees: subtrees(permitted)} : {}),
    ...(excluded.length ? {excludedSubtrees: subtrees(excluded)} : {}),
  })
  return new Uint8Array(AsnConvert.serialize(nc))
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('nameConstraintsDer writes the bytes @peculiar/asn1-x509 wrote', () => {
  const long = 'a'.repeat(200)
  const table: {name: string; permitted: Base[]; excluded?: Base[]; want?: string}[] = [
    {
      name: 'the trust domain, permitted (ca init)',
      permitted: [{type: 'uri', value: 'example.org'}],
      want: '3011a00f300d860b6578616d706c652e6f7267',
    },
    {name: 'nothing at all', permitted: [], excluded: [], want: '3000'},
    {name: 'excluded only', permitted: [], excluded: [{type: 'dns', value: 'evil.example'}]},
    {
      name: 'both, several of each kind',
      permitted: [
        {type: 'uri', value: 'a.example'},
        {type: 'dns', value: '.b.example'},
      ],
      excluded: [
        {type: 'uri', value: 'c'},
        {type: 'dns', value: ''},
      ],
    },
    {name: 'a long name (two-byte lengths)', permitted: [{type: 'dns', value: long}]},
    {
      name: 'lengths across 128 and 256 bytes',
      permitted: Array.from({length: 30}, (_, i) => ({type: 'uri' as const, value: `host-${i}.example`})),
    },
    {
      name: 'Latin-1 and wider characters (low byte written, as IA5String did)',
      permitted: [{type: 'dns', value: 'é\u0100x'}],
    },
  ]
  it.each(table)('$name', ({permitted, excluded, want}) => {
    const ours = hex(nameConstraintsDer(permitted, excluded))
    expect(ours).toBe(hex(asn1Der(permitted, excluded)))
    if (want) expect(ours).toBe(want)
  })

  it('for any lists of URI and DNS bases (property)', () => {
    const base = fc.record({
      type: fc.constantFrom('uri' as const, 'dns' as const),
      value: fc.string({unit: 'binary', maxLength: 70}),
    })
    fc.assert(
      fc.property(fc.array(base, {maxLength: 6}), fc.array(base, {maxLength: 6}), (permitted, excluded) => {
        expect(hex(nameConstraintsDer(permitted, excluded))).toBe(hex(asn1Der(permitted, excluded)))
      }),
      {numRuns: 300},
    )
  })
})
