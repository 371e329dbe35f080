import {describe, it, expect} from 'vitest'
import {SvidkitError} from '../../../src/core/errors.js'
import {MSG, TrustDomain} from '../../../src/core/spiffe-id/index.js'

/** Returns the error `TrustDomain.parse(input)` throws. */
function parseError(input: string): SvidkitError {
  try {
    TrustDomain.parse(input)
  } catch (err) {
    expect(err).toBeInstanceOf(SvidkitError)
    return err as SvidkitError
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`)
}

describe('TrustDomain.parse', () => {
  it.each([
    {name: 'bare name', input: 'example.org', td: 'example.org'},
    {name: 'prefixed', input: 'spiffe://example.org', td: 'example.org'},
    {name: 'all allowed kinds', input: 'a-b_c.d9', td: 'a-b_c.d9'},
    {name: 'IPv4-looking name', input: '10.0.0.1', td: '10.0.0.1'},
  ])('accepts $name', ({input, td}) => {
    const parsed = TrustDomain.parse(input)
    expect(parsed.name).toBe(td)
    expect(parsed.toString()).toBe(td)
    expect(parsed.idString()).toBe(`spiffe://${td}`)
  })

  it.each([
    // spiffe-rules.md §1 vectors for a trust-domain argument
    {name: 'empty', input: '', message: MSG.tdMissing},
    {name: 'one-slash scheme', input: 'spiffe:/trustdomain/path', message: MSG.scheme},
    {name: 'no name', input: 'spiffe:///path', message: MSG.tdMissing},
    // svidkit refuses the path go-spiffe would drop
    {name: 'full ID', input: 'spiffe://example.org/x', message: MSG.tdPath},
    {name: 'trailing slash', input: 'spiffe://example.org/', message: MSG.tdPath},
    {name: 'bad path', input: 'spiffe://example.org//..', message: MSG.tdPath},
    {name: 'prefix alone', input: 'spiffe://', message: MSG.tdMissing},
    {name: 'other scheme', input: 'https://example.org', message: MSG.scheme},
    {name: 'upper-case scheme', input: 'SPIFFE://example.org', message: MSG.scheme},
    {name: 'upper-case name', input: 'Example.org', message: MSG.tdChars},
    {name: 'upper-case prefixed name', input: 'spiffe://Example.org', message: MSG.tdChars},
    {name: 'port', input: 'example.org:8443', message: MSG.tdChars},
    {name: 'bare name with a slash', input: 'example.org/x', message: MSG.tdChars},
    {name: 'non-ASCII', input: 'exämple.org', message: MSG.tdChars},
  ])('refuses $name', ({input, message}) => {
    const err = parseError(input)
    expect(err.code).toBe('spiffe-id-invalid')
    expect(err.message).toBe(`${message}: ${JSON.stringify(input)}`)
  })

  it('words the path refusal as documented', () => {
    expect(parseError('spiffe://example.org/x').message).toBe(
      'trust domain argument must not contain a path: "spiffe://example.org/x"',
    )
  })

  it('equals compares names', () => {
    expect(TrustDomain.parse('example.org').equals(TrustDomain.parse('spiffe://example.org'))).toBe(true)
    expect(TrustDomain.parse('example.org').equals(TrustDomain.parse('example.com'))).toBe(false)
  })
})

describe('every byte appended to a bare name', () => {
  const allowed = /^[a-z0-9._-]$/
  const cases = Array.from({length: 256}, (_, b) => ({
    c: String.fromCharCode(b),
    name: `0x${b.toString(16).padStart(2, '0')}`,
  }))
  it.each(cases)('trustdomain<$name>', ({c}) => {
    const input = `trustdomain${c}`
    if (allowed.test(c)) {
      expect(TrustDomain.parse(input).name).toBe(input)
    } else {
      const err = parseError(input)
      expect(err.code).toBe('spiffe-id-invalid')
      expect(err.message).toBe(`${MSG.tdChars}: ${JSON.stringify(input)}`)
    }
  })
})
