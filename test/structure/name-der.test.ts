/**
 * name-der.ts encodes plain RFC 4514 names without loading @peculiar/x509 (start-up); this
 * checks its bytes are @peculiar/x509's for every name it accepts, and that it leaves the
 * rest to that library.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {plainNameDer} from '../../src/core/x509/name-der.js'
import {x509} from '../../src/core/x509/provider.js'

const peculiar = (text: string) => Buffer.from(new x509.Name(text).toArrayBuffer())

describe('plainNameDer writes what @peculiar/x509 writes', () => {
  it.each([
    '',
    'O=svidkit, OU=example.org, CN=root CA 1',
    'O=svidkit, OU=example.org, CN=intermediate CA 2',
    'C=DE, ST=Berlin, L=Mitte, O=o, OU=u, CN=c, DC=d, E=a@b.c, G=g, I=i, SN=s, T=t',
    'CN=spiffe://example.org/ns/default/sa/web',
    'CN=Grüße 東京, O=a_b*c',
    'E=first.last@example.org, DC=example, DC=org',
    'CN=x',
  ])('%j', (text) => {
    const der = plainNameDer(text)
    expect(der, 'plain form taken').toBeDefined()
    expect(der!.toString('hex')).toBe(peculiar(text).toString('hex'))
  })

  it.each(['CN=a+O=b', 'CN="quoted"', 'CN=a\\,b', 'CN=#0101', '2.5.4.3=x', 'CN= x', 'CN=x ', 'X=y', 'cn=x', 'CN=a,O=b', 'CN=', 'E=ü@x'])(
    '%j is left to @peculiar/x509',
    (text) => {
      expect(plainNameDer(text)).toBeUndefined()
    },
  )

  it('for any name in the plain form (property)', () => {
    const types = fc.constantFrom('CN', 'L', 'ST', 'O', 'OU', 'C', 'DC', 'E', 'G', 'I', 'SN', 'T')
    const value = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 '()\-./:=?_@*&!]{0,20}[A-Za-z0-9]$/),
      fc.string({unit: 'grapheme', minLength: 1, maxLength: 12}),
    )
    let taken = 0
    fc.assert(
      fc.property(fc.array(fc.tuple(types, value), {minLength: 1, maxLength: 5}), (parts) => {
        const text = parts.map(([t, v]) => `${t}=${v}`).join(', ')
        const der = plainNameDer(text)
        if (der === undefined) return
        taken++
        expect(der.toString('hex'), text).toBe(peculiar(text).toString('hex'))
      }),
      {seed: 4514, numRuns: 2000},
    )
    expect(taken).toBeGreaterThan(250)
  })
})
