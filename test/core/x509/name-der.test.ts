/**
 * name-der.ts writes plain RFC 4514 names without @peculiar/x509 (start-up of ca init and
 * issue); these are the bytes @peculiar/x509's Name writes, and anything not plain is left to it.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {nameDer} from '../../../src/core/x509/build.js'
import {plainNameDer} from '../../../src/core/x509/name-der.js'
import {x509} from '../../../src/core/x509/provider.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const peculiar = (text: string) => hex(new Uint8Array(new x509.Name(text).toArrayBuffer()))

describe('plainNameDer writes what @peculiar/x509 writes', () => {
  const plain = [
    '',
    'O=svidkit',
    'O=svidkit, OU=example.org, CN=root CA 1',
    'O=svidkit, OU=my_domain.example, CN=intermediate CA 2',
    'O=svidkit,OU=a,CN=b',
    '  CN=x',
    'C=DE, ST=Berlin, L=Mitte, O=o, OU=u, CN=c, DC=d, E=a@b.c, G=g, I=i, SN=s, T=t',
    "CN=it's (a) test: 1/2?",
    'CN=a*b@c_d~e|f{g}h[i]j^k`l!m$n%o&p',
    'DC=example, DC=org',
    'E=me@example.org',
  ]
  it.each(plain)('%j is plain and written as @peculiar/x509 writes it', (text) => {
    const ours = plainNameDer(text)
    expect(ours).toBeDefined()
    expect(hex(ours!)).toBe(peculiar(text))
  })

  const other = [
    'CN=a+O=b',
    'CN=a\\,b',
    'CN="quoted"',
    'CN=#0c0178',
    'CN= leading',
    'CN=trailing ',
    'CN=a=b',
    'CN=a;b',
    'CN=ü',
    'cn=lower',
    'UID=x',
    '2.5.4.3=oid',
    'CN=a,,O=b',
    'CN=',
    'CN=a, garbage O=b',
  ]
  it.each(other)('%j is left to @peculiar/x509', (text) => {
    expect(plainNameDer(text)).toBeUndefined()
  })

  it('for any name of short names and printable ASCII values (property)', () => {
    const type = fc.constantFrom('CN', 'L', 'ST', 'O', 'OU', 'C', 'DC', 'E', 'G', 'I', 'SN', 'T')
    const value = fc.string({
      unit: fc.integer({min: 0x20, max: 0x7e}).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 12,
    })
    const sep = fc.constantFrom(',', ', ', ',  ')
    fc.assert(
      fc.property(fc.array(fc.tuple(type, value), {minLength: 1, maxLength: 4}), sep, (attrs, s) => {
        const text = attrs.map(([t, v]) => `${t}=${v}`).join(s)
        const ours = plainNameDer(text)
        // Plain or not, nameDer (what build.ts uses) writes exactly @peculiar/x509's bytes.
        if (ours) expect(hex(ours)).toBe(peculiar(text))
        let theirs: string | undefined
        try {
          theirs = peculiar(text)
        } catch {
          theirs = undefined
        }
        if (theirs !== undefined) expect(hex(nameDer(text))).toBe(theirs)
      }),
      {numRuns: 500},
    )
  })

  it('the plain subset is most of such names (the property above exercises it)', () => {
    const texts = ['CN=abc', 'O=x y z', 'OU=a.b-c_d', 'CN=a b, O=c']
    expect(texts.filter((t) => plainNameDer(t) !== undefined)).toEqual(texts)
  })
})
