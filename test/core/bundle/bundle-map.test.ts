/** Bundle maps (spiffe-rules.md §4.3) and the duplicate-key scanner they rely on. */
import {describe, expect, it} from 'vitest'
import {parseBundleBytes, parseBundleMap} from '../../../src/core/bundle/index.js'
import {objectShape, repeatedNames} from '../../../src/core/bundle/json-duplicates.js'
import {PEMUTIL_1, ROOT_LOCAL, VALID_1_ENTRY, thrown} from './helpers.js'

const SRC = 'map.json'
const ENTRY = JSON.stringify({keys: [VALID_1_ENTRY]})
const OTHER = JSON.stringify({
  keys: [
    {
      use: 'x509-svid',
      ...PEMUTIL_1.node.publicKey.export({format: 'jwk'}),
      x5c: [Buffer.from(PEMUTIL_1.der).toString('base64')],
    },
  ],
})

/** Returns a bundle-map text with the members written exactly as given (so keys can repeat). */
function mapText(members: [string, string][]): string {
  return `{"trust_domains": {${members.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}}`
}

describe('parseBundleMap', () => {
  it('reads every entry as a JWKS, keyed by trust domain', () => {
    const map = parseBundleMap(
      mapText([
        ['example.org', ENTRY],
        ['partner.test', OTHER],
      ]),
      SRC,
    )
    expect([...map.keys()]).toEqual(['example.org', 'partner.test'])
    expect(map.get('example.org')?.authorities[0].sha256).toBe(ROOT_LOCAL.sha256)
    expect(map.get('partner.test')?.authorities[0].sha256).toBe(PEMUTIL_1.sha256)
    expect(map.get('example.org')?.source).toBe('map.json#/trust_domains/example.org')
    expect(map.get('example.org')?.format).toBe('jwks')
  })

  it('accepts an empty trust_domains', () => {
    expect(parseBundleMap('{"trust_domains": {}}', SRC).size).toBe(0)
  })

  it('normalises spiffe:// keys to the bare name', () => {
    const map = parseBundleMap(
      mapText([
        ['spiffe://example.org', ENTRY],
        ['partner.test', OTHER],
      ]),
      SRC,
    )
    expect([...map.keys()]).toEqual(['example.org', 'partner.test'])
  })

  it('ignores refresh hints inside entries, but keeps their sequence', () => {
    const map = parseBundleMap(
      mapText([['example.org', '{"keys": [], "spiffe_refresh_hint": -1, "spiffe_sequence": 4}']]),
      SRC,
      {strict: true},
    )
    expect(map.get('example.org')?.refreshHint).toBeUndefined()
    expect(map.get('example.org')?.sequence).toBe(4)
  })

  it('reads entries in strict mode when asked', () => {
    const withTwo = JSON.stringify({
      keys: [{...VALID_1_ENTRY, x5c: [...(VALID_1_ENTRY.x5c as string[]), ...(VALID_1_ENTRY.x5c as string[])]}],
    })
    expect(parseBundleMap(mapText([['example.org', withTwo]]), SRC).get('example.org')?.authorities).toHaveLength(1)
    expect(thrown(() => parseBundleMap(mapText([['example.org', withTwo]]), SRC, {strict: true})).message).toBe(
      'bundle "map.json#/trust_domains/example.org": expected a single certificate in x509-svid entry 0; got 2',
    )
  })

  it.each([
    {
      name: 'the same key twice',
      text: mapText([
        ['example.org', ENTRY],
        ['example.org', OTHER],
      ]),
      message: 'duplicate trust domain "example.org" in "trust_domains" (key "example.org" appears twice)',
    },
    {
      name: 'a bare and a spiffe:// key for one trust domain',
      text: mapText([
        ['example.org', ENTRY],
        ['partner.test', OTHER],
        ['spiffe://example.org', OTHER],
      ]),
      message:
        'duplicate trust domain "example.org" in "trust_domains" (keys "example.org" and "spiffe://example.org")',
    },
    {
      name: 'a key written with an escape',
      text: '{"trust_domains": {"example.org": {"keys": []}, "example\\u002eorg": {"keys": []}}}',
      message: 'duplicate trust domain "example.org" in "trust_domains" (key "example.org" appears twice)',
    },
    {
      name: 'trust_domains twice',
      text: `{"trust_domains": {"a.test": ${ENTRY}}, "trust_domains": {"b.test": ${ENTRY}}}`,
      message: '"trust_domains" appears more than once',
    },
    {
      name: 'an upper-case key',
      text: mapText([['Example.org', ENTRY]]),
      message:
        'invalid trust domain key in "trust_domains": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores: "Example.org"',
    },
    {
      name: 'a key with a path',
      text: mapText([['spiffe://example.org/ns', ENTRY]]),
      message:
        'invalid trust domain key in "trust_domains": trust domain argument must not contain a path: "spiffe://example.org/ns"',
    },
    {
      name: 'an empty key',
      text: mapText([['', ENTRY]]),
      message: 'invalid trust domain key in "trust_domains": trust domain is missing: ""',
    },
    {
      name: 'one bad entry among good ones',
      text: mapText([
        ['example.org', ENTRY],
        ['partner.test', '{"keys": 5}'],
      ]),
      message: '"keys" must be an array; got number 5',
      source: 'map.json#/trust_domains/partner.test',
    },
    {
      name: 'an entry that is not an object',
      text: mapText([['example.org', '[]']]),
      message: 'a SPIFFE bundle must be a JSON object with a "keys" array; got an array',
      source: 'map.json#/trust_domains/example.org',
    },
    {
      name: 'trust_domains an array',
      text: '{"trust_domains": []}',
      message: '"trust_domains" must be an object; got an array',
    },
    {
      name: 'trust_domains null',
      text: '{"trust_domains": null}',
      message: '"trust_domains" must be an object; got null',
    },
    {name: 'no trust_domains', text: '{"keys": []}', message: '"trust_domains" is missing'},
    {
      name: 'not an object',
      text: '[{"trust_domains": {}}]',
      message: 'a bundle map must be a JSON object; got an array',
    },
    {name: 'not JSON', text: '{"trust_domains": {', message: 'not valid JSON', prefix: true},
  ])('refuses $name with bundle-invalid', ({text, message, source, prefix}) => {
    const err = thrown(() => parseBundleMap(text, SRC))
    expect(err.code).toBe('bundle-invalid')
    const expected = `bundle "${source ?? SRC}": ${message}`
    if (prefix) expect(err.message.startsWith(expected)).toBe(true)
    else expect(err.message).toBe(expected)
  })

  it('is what parseBundleBytes returns for a JSON object with trust_domains', () => {
    const file = parseBundleBytes(Buffer.from(`\ufeff  ${mapText([['spiffe://example.org', ENTRY]])}\n`), SRC)
    expect(file.kind).toBe('map')
    if (file.kind === 'map') expect([...file.bundles.keys()]).toEqual(['example.org'])
  })
})

describe('objectShape', () => {
  it('lists member names as written, repeats and escapes included, with nested objects', () => {
    const shape = objectShape(' {"a": 1, "b": {"x": [1, {"y": 2}, "}"], "x": null}, "a": "s\\"}", "c": [], "d": {}} ')!
    expect(shape.names).toEqual(['a', 'b', 'a', 'c', 'd'])
    expect(repeatedNames(shape)).toEqual(['a'])
    expect(shape.values[1]?.names).toEqual(['x', 'x'])
    expect(shape.values[4]).toEqual({names: [], values: []})
    expect(shape.values[0]).toBeUndefined()
  })

  it('returns undefined when the top-level value is not an object', () => {
    expect(objectShape('[{"a": 1}]')).toBeUndefined()
    expect(objectShape('"x"')).toBeUndefined()
  })
})
