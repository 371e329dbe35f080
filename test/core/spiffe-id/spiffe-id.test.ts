import {describe, it, expect} from 'vitest'
import {SvidkitError} from '../../../src/core/errors.js'
import {MSG, SpiffeId, TrustDomain, checkIssuable, lengthWarning} from '../../../src/core/spiffe-id/index.js'

/** Returns the error `fn` throws (failing the test when it throws nothing or a foreign error). */
function thrown(fn: () => unknown): SvidkitError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(SvidkitError)
    return err as SvidkitError
  }
  throw new Error('expected an error')
}

function expectInvalid(input: string, message: string): void {
  const err = thrown(() => SpiffeId.parse(input))
  expect(err.code).toBe('spiffe-id-invalid')
  expect(err.message).toBe(`${message}: ${JSON.stringify(input)}`)
}

/** Returns a well-formed ID of exactly `bytes` bytes in trust domain `td`. */
function idOfLength(bytes: number, td = 'example.org'): string {
  let id = `spiffe://${td}/`
  while (id.length < bytes) id += id.length % 100 === 99 && id.length < bytes - 1 ? '/' : 'a'
  expect(id.length).toBe(bytes)
  return id
}

const TD = 'spiffe://trustdomain'

// spiffe-rules.md §1, vector table (go-spiffe spiffeid/id_test.go; * rows derived from the code)
const valid: Array<{name: string; input: string; td: string; path: string}> = [
  {name: 'root', input: TD, td: 'trustdomain', path: ''},
  {name: 'simple path', input: `${TD}/path`, td: 'trustdomain', path: '/path'},
  {name: 'dot-prefixed segment', input: `${TD}/.path`, td: 'trustdomain', path: '/.path'},
  {name: 'dot-dot-prefixed segment', input: `${TD}/..path`, td: 'trustdomain', path: '/..path'},
  {name: 'three dots', input: `${TD}/...`, td: 'trustdomain', path: '/...'},
  {name: 'all allowed kinds', input: 'spiffe://a-b_c.d9/Seg/SEG-2_x.y', td: 'a-b_c.d9', path: '/Seg/SEG-2_x.y'},
]

const invalid: Array<{name: string; input: string; message: string}> = [
  {name: 'empty', input: '', message: MSG.empty},
  ...['s', 'spiffe:/', 'Spiffe://', 'sparfe://td/x', 'SPIFFE://td/x', 'http://td/x'].map((input) => ({
    name: `scheme ${input}`,
    input,
    message: MSG.scheme,
  })),
  ...['spiffe://', 'spiffe:///', 'spiffe:///path'].map((input) => ({
    name: `no trust domain ${input}`,
    input,
    message: MSG.tdMissing,
  })),
  ...[
    'spiffe://%F0%9F%A4%AF/path',
    'spiffe://%62%61%64/path',
    'spiffe://trust$domain',
    'spiffe://TD/x',
    'spiffe://td:8080/x',
    'spiffe://user@td/x',
    'spiffe://[::1]/x',
    'spiffe://td?q',
  ].map((input) => ({name: `trust domain chars ${input}`, input, message: MSG.tdChars})),
  ...[`${TD}//`, `${TD}//path`].map((input) => ({name: `empty segment ${input}`, input, message: MSG.emptySegment})),
  ...['/.', '/..', '/./path', '/path/./other', '/path/..', '/../path', '/path/../other'].map((p) => ({
    name: `dot segment ${p}`,
    input: TD + p,
    message: MSG.dotSegment,
  })),
  ...['/%F0%9F%A4%AF', '/%62%61%64', '/path$', '/p?q', '/p#f', '/a b'].map((p) => ({
    name: `path chars ${p}`,
    input: TD + p,
    message: MSG.pathChars,
  })),
  ...[`${TD}/`, `${TD}/path/`].map((input) => ({name: `trailing slash ${input}`, input, message: MSG.trailingSlash})),
  // left-to-right scanning: the first broken rule wins
  {name: 'empty segment before trailing slash', input: 'spiffe://td//a/', message: MSG.emptySegment},
  {name: 'bad byte before dot segment', input: `${TD}/a$/..`, message: MSG.pathChars},
  {name: 'dot segment before bad byte', input: `${TD}/../a$`, message: MSG.dotSegment},
  {name: 'trust domain before path', input: 'spiffe://T//', message: MSG.tdChars},
  {name: 'non-ASCII trust domain', input: 'spiffe://exämple.org/x', message: MSG.tdChars},
  {name: 'non-ASCII path', input: `${TD}/pä`, message: MSG.pathChars},
  {name: 'control byte is escaped in the message', input: `${TD}/a\nb`, message: MSG.pathChars},
]

describe('SpiffeId.parse', () => {
  it.each(valid)('accepts $name', ({input, td, path}) => {
    const id = SpiffeId.parse(input)
    expect(id.trustDomain.name).toBe(td)
    expect(id.path).toBe(path)
    expect(id.toString()).toBe(input)
  })

  it.each(invalid)('refuses $name', ({input, message}) => expectInvalid(input, message))

  it('quotes the value with escapes', () => {
    expect(thrown(() => SpiffeId.parse('http://td/x')).message).toBe('scheme is missing or invalid: "http://td/x"')
    expect(thrown(() => SpiffeId.parse(`${TD}/a\u0000`)).message).toBe(
      `${MSG.pathChars}: "spiffe://trustdomain/a\\u0000"`,
    )
  })

  it('is a verification failure (exit 4)', () => {
    expect(thrown(() => SpiffeId.parse('')).exit).toBe(4)
  })
})

const bytes = Array.from({length: 256}, (_, b) => b).filter((b) => b !== 0x2f)
const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`

describe('every byte in the trust domain', () => {
  const tdAllowed = /^[a-z0-9._-]$/
  it.each(bytes.map((b) => ({b, c: String.fromCharCode(b), name: hex(b)})))(
    'spiffe://trustdomain<$name>/path',
    ({c}) => {
      const input = `${TD}${c}/path`
      if (tdAllowed.test(c)) expect(SpiffeId.parse(input).trustDomain.name).toBe(`trustdomain${c}`)
      else expectInvalid(input, MSG.tdChars)
    },
  )
})

describe('every byte in the path', () => {
  const pathAllowed = /^[a-zA-Z0-9._-]$/
  it.each(bytes.map((b) => ({b, c: String.fromCharCode(b), name: hex(b)})))(
    'spiffe://trustdomain/path<$name>',
    ({c}) => {
      const input = `${TD}/path${c}`
      if (pathAllowed.test(c)) expect(SpiffeId.parse(input).path).toBe(`/path${c}`)
      else expectInvalid(input, MSG.pathChars)
    },
  )
})

describe('SpiffeId.fromParts', () => {
  const td = TrustDomain.parse('example.org')

  it.each([
    {name: 'root', path: ''},
    {name: 'one segment', path: '/web'},
    {name: 'several segments', path: '/ns/default/sa/Web-1_x.y'},
    {name: 'dot-prefixed', path: '/.a/..b/...'},
  ])('builds $name', ({path}) => {
    const id = SpiffeId.fromParts(td, path)
    expect(id.toString()).toBe(`spiffe://example.org${path}`)
    expect(id.equals(SpiffeId.parse(`spiffe://example.org${path}`))).toBe(true)
  })

  it('takes the trust domain as a string, bare or prefixed', () => {
    expect(SpiffeId.fromParts('example.org', '/a').toString()).toBe('spiffe://example.org/a')
    expect(SpiffeId.fromParts('spiffe://example.org', '/a').toString()).toBe('spiffe://example.org/a')
  })

  it.each([
    {name: 'no leading slash', path: 'a/b', message: MSG.leadingSlash},
    {name: 'no leading slash, one segment', path: 'a', message: MSG.leadingSlash},
    {name: 'leading slash checked first', path: 'a//', message: MSG.leadingSlash},
    {name: 'empty segment', path: '//a', message: MSG.emptySegment},
    {name: 'dot segment', path: '/a/./b', message: MSG.dotSegment},
    {name: 'dot-dot segment at the end', path: '/a/..', message: MSG.dotSegment},
    {name: 'bad byte', path: '/a%20b', message: MSG.pathChars},
    {name: 'trailing slash', path: '/a/', message: MSG.trailingSlash},
    {name: 'lone slash', path: '/', message: MSG.trailingSlash},
  ])('refuses $name', ({path, message}) => {
    const err = thrown(() => SpiffeId.fromParts(td, path))
    expect(err.code).toBe('spiffe-id-invalid')
    expect(err.message).toBe(`${message}: ${JSON.stringify(path)}`)
  })

  it('refuses a bad trust-domain string', () => {
    expect(thrown(() => SpiffeId.fromParts('Example.org', '/a')).message).toBe(`${MSG.tdChars}: "Example.org"`)
    expect(thrown(() => SpiffeId.fromParts('', '/a')).message).toBe(`${MSG.tdMissing}: ""`)
  })
})

describe('SpiffeId methods', () => {
  it('isRoot is true only for the empty path', () => {
    expect(SpiffeId.parse('spiffe://example.org').isRoot()).toBe(true)
    expect(SpiffeId.parse('spiffe://example.org/a').isRoot()).toBe(false)
  })

  it('memberOf compares the trust-domain name', () => {
    const id = SpiffeId.parse('spiffe://example.org/a')
    expect(id.memberOf(TrustDomain.parse('example.org'))).toBe(true)
    expect(id.memberOf(TrustDomain.parse('spiffe://example.org'))).toBe(true)
    expect(id.memberOf(TrustDomain.parse('example.org.'))).toBe(false)
    expect(id.memberOf(TrustDomain.parse('prod.example.org'))).toBe(false)
  })

  it('equals is byte equality', () => {
    const a = SpiffeId.parse('spiffe://example.org/a/B')
    expect(a.equals(SpiffeId.parse('spiffe://example.org/a/B'))).toBe(true)
    expect(a.equals(SpiffeId.parse('spiffe://example.org/a/b'))).toBe(false)
    expect(a.equals(SpiffeId.parse('spiffe://example.org/a'))).toBe(false)
    expect(a.equals(SpiffeId.parse('spiffe://example.com/a/B'))).toBe(false)
  })

  it('toString round-trips the exact input', () => {
    for (const {input} of valid) expect(SpiffeId.parse(SpiffeId.parse(input).toString()).toString()).toBe(input)
    expect(String(SpiffeId.parse('spiffe://1.2.3.4/x'))).toBe('spiffe://1.2.3.4/x')
  })
})

describe('length limits (§1 "Length")', () => {
  it('accepts a well-formed 3000-byte ID with a warning, and refuses to issue it', () => {
    const id = SpiffeId.parse(idOfLength(3000))
    expect(id.toString().length).toBe(3000)
    expect(lengthWarning(id)).toMatch(/^SPIFFE ID is longer than 2048 bytes \(3000\)/)
    const err = thrown(() => checkIssuable(id))
    expect(err.code).toBe('usage')
    expect(err.exit).toBe(2)
    expect(err.message).toBe('SPIFFE ID is longer than 2048 bytes (3000): refused for issuance')
  })

  it('issues an ID of exactly 2048 bytes, not 2049', () => {
    const at = SpiffeId.parse(idOfLength(2048))
    expect(() => checkIssuable(at)).not.toThrow()
    expect(lengthWarning(at)).toBeUndefined()
    expect(() => checkIssuable(SpiffeId.parse(idOfLength(2049)))).toThrow(/longer than 2048 bytes \(2049\)/)
  })

  it('a trust domain over 255 bytes is invalid (SPIFFE-ID §2.3), 255 is fine', () => {
    for (const text of [`spiffe://${'a'.repeat(256)}/w`, `spiffe://${'b'.repeat(300)}`]) {
      const err = thrown(() => SpiffeId.parse(text))
      expect({code: err.code, message: err.message}).toEqual({
        code: 'spiffe-id-invalid',
        message: `${MSG.tdTooLong}: ${JSON.stringify(text)}`,
      })
    }
    expect(thrown(() => TrustDomain.parse('c'.repeat(256))).message).toMatch(
      /^trust domain cannot be longer than 255 bytes/,
    )
    expect(TrustDomain.parse('c'.repeat(255)).name).toHaveLength(255)
    const ok = SpiffeId.parse(`spiffe://${'a'.repeat(255)}/w`)
    expect(() => checkIssuable(ok)).not.toThrow()
    expect(lengthWarning(ok)).toBeUndefined()
  })
})
