/** Binding bundles to trust domains (spiffe-rules.md §3.1), in memory and from `--bundle` values. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  bindBundles,
  loadBundleSpecs,
  lookupBundle,
  parseBundleSpec,
  toJwks,
  toPemBundle,
  type LoadedBundle,
  type X509Bundle,
} from '../../../src/core/bundle/index.js'
import {TrustDomain} from '../../../src/core/spiffe-id/index.js'
import type {ParsedCertificate} from '../../../src/core/x509/certificate.js'
import {INTERMEDIATE_EXAMPLE, PEMUTIL_1, PEMUTIL_2, ROOT_LOCAL, makeCa, tempDir, thrown} from './helpers.js'

/** Returns an in-memory PEM bundle file. */
function single(path: string, certs: ParsedCertificate[], label?: string, warnings: string[] = []): LoadedBundle {
  const bundle: X509Bundle = {authorities: certs, format: 'pem', source: path, warnings}
  return {path, label, file: {kind: 'single', bundle}}
}

/** Returns an in-memory bundle map file. */
function map(path: string, entries: Record<string, ParsedCertificate[]>, label?: string): LoadedBundle {
  const bundles = new Map<string, X509Bundle>(
    Object.entries(entries).map(([td, certs]) => [
      td,
      {authorities: certs, format: 'jwks', source: `${path}#/trust_domains/${td}`, warnings: []},
    ]),
  )
  return {path, label, file: {kind: 'map', bundles}}
}

let badUriCa: ParsedCertificate
let httpsAndPartnerCa: ParsedCertificate
let partnerCa: ParsedCertificate

beforeAll(async () => {
  badUriCa = await makeCa(['spiffe://Example.org'])
  httpsAndPartnerCa = await makeCa(['https://partner.test/ca', 'spiffe://partner.test'])
  partnerCa = await makeCa(['spiffe://partner.test'])
})

describe('parseBundleSpec', () => {
  it.each([
    {spec: 'example.org=b.pem', label: 'example.org', path: 'b.pem'},
    {spec: 'b.pem', label: undefined, path: 'b.pem'},
    {spec: 'a=b=c.pem', label: 'a', path: 'b=c.pem'},
    {spec: './a=b.pem', label: undefined, path: './a=b.pem'},
    {spec: 'dir/td=x.pem', label: undefined, path: 'dir/td=x.pem'},
    {spec: 'C:\\certs\\a=b.pem', label: undefined, path: 'C:\\certs\\a=b.pem'},
    {spec: '/etc/b=1.pem', label: undefined, path: '/etc/b=1.pem'},
    // Has a "/" before "=", so it is a path (loadBundleSpecs hints at the bare form when it is missing)
    {spec: 'spiffe://example.org=b.pem', label: undefined, path: 'spiffe://example.org=b.pem'},
  ])('reads $spec', ({spec, label, path}) => {
    expect(parseBundleSpec(spec)).toEqual({spec, path, ...(label === undefined ? {} : {label})})
  })

  it.each([
    {
      spec: 'Example.org=b.pem',
      message:
        'invalid trust domain label in --bundle "Example.org=b.pem": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores: "Example.org"',
    },
    {
      spec: 'example.org:443=b.pem',
      message:
        'invalid trust domain label in --bundle "example.org:443=b.pem": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores: "example.org:443"',
    },
    {spec: '=b.pem', message: 'invalid trust domain label in --bundle "=b.pem": trust domain is missing: ""'},
    {spec: 'example.org=', message: '--bundle "example.org=" names no file after "="'},
    {spec: '', message: '--bundle needs a file: [TD=]FILE'},
  ])('refuses $spec with a usage error (exit 2)', ({spec, message}) => {
    const err = thrown(() => parseBundleSpec(spec))
    expect(err.code).toBe('usage')
    expect(err.exit).toBe(2)
    expect(err.message).toBe(message)
  })
})

describe('bindBundles (§3.1)', () => {
  it('rule 1: a label wins, with a warning when the authorities name another trust domain', () => {
    const set = bindBundles([single('b.pem', [ROOT_LOCAL], 'example.org')])
    expect(lookupBundle(set, 'example.org')?.sources).toEqual([{path: 'b.pem', binding: 'label'}])
    expect(lookupBundle(set, 'local')).toBeUndefined()
    expect(set.warnings).toEqual([
      'bundle "b.pem" is labelled "example.org" but its authorities name trust domain "local"',
    ])
  })

  it('rule 1: a label matching the authorities warns about nothing', () => {
    const set = bindBundles([single('b.pem', [INTERMEDIATE_EXAMPLE], 'example.org')])
    expect(set.warnings).toEqual([])
  })

  it('rule 1: a label binds even a file whose authorities name several trust domains', () => {
    const set = bindBundles([single('mixed.pem', [ROOT_LOCAL, INTERMEDIATE_EXAMPLE], 'example.org')])
    expect(lookupBundle(set, 'example.org')?.authorities).toHaveLength(2)
    expect(set.warnings).toEqual([
      'bundle "mixed.pem" is labelled "example.org" but its authorities name trust domain "local"',
    ])
  })

  it("rule 2: the one trust domain of the authorities' URI SANs", () => {
    const set = bindBundles([single('b.pem', [ROOT_LOCAL, PEMUTIL_1])], {
      expectedTrustDomain: 'example.org',
      leafTrustDomain: 'example.org',
    })
    expect([...set.byTrustDomain.keys()]).toEqual(['local'])
    expect(lookupBundle(set, 'local')).toEqual({
      trustDomain: 'local',
      authorities: [ROOT_LOCAL, PEMUTIL_1],
      sources: [{path: 'b.pem', binding: 'san'}],
    })
  })

  it('rule 2: URIs that are not SPIFFE IDs are ignored, with a warning', () => {
    const set = bindBundles([single('b.pem', [badUriCa, httpsAndPartnerCa])])
    expect(lookupBundle(set, 'partner.test')?.sources[0].binding).toBe('san')
    expect(set.warnings).toEqual([
      'bundle "b.pem": authority URI SAN "spiffe://Example.org" is not a valid SPIFFE ID; ignored for binding',
      'bundle "b.pem": authority URI SAN "https://partner.test/ca" is not a valid SPIFFE ID; ignored for binding',
    ])
  })

  it('rule 2: several trust domains → usage error, refusing to guess', () => {
    const err = thrown(() =>
      bindBundles([single('ca.pem', [ROOT_LOCAL, INTERMEDIATE_EXAMPLE])], {expectedTrustDomain: 'example.org'}),
    )
    expect(err.code).toBe('usage')
    expect(err.exit).toBe(2)
    expect(err.message).toBe(
      'bundle "ca.pem" holds authorities of several trust domains ("local", "example.org"): refusing to guess which one it serves',
    )
    expect(err.hint).toBe(
      'split it into one labelled file per trust domain (--bundle <trust-domain>=FILE), or pass a bundle map',
    )
  })

  it('rule 3: the expected trust domain, for a bundle naming none', () => {
    const set = bindBundles([single('a.pem', [PEMUTIL_1]), single('b.pem', [PEMUTIL_2])], {
      expectedTrustDomain: 'example.org',
      leafTrustDomain: 'other.test',
    })
    expect(lookupBundle(set, 'example.org')?.sources).toEqual([
      {path: 'a.pem', binding: 'expected'},
      {path: 'b.pem', binding: 'expected'},
    ])
    expect(set.warnings).toEqual([])
  })

  it("rule 4: the sole bundle takes the leaf's trust domain, with a warning showing TD=", () => {
    const set = bindBundles([single('b.pem', [PEMUTIL_1])], {leafTrustDomain: 'example.org'})
    expect(lookupBundle(set, 'example.org')?.sources).toEqual([{path: 'b.pem', binding: 'leaf-assumed'}])
    expect(set.warnings).toEqual([
      'bundle "b.pem" names no trust domain; assuming the leaf\'s trust domain "example.org" (say so with --bundle example.org=b.pem)',
    ])
  })

  it('rule 4 applies to an empty bundle too', () => {
    const set = bindBundles([single('empty.pem', [])], {leafTrustDomain: 'example.org'})
    expect(lookupBundle(set, 'example.org')?.authorities).toEqual([])
  })

  it('rule 4: with no leaf trust domain known, the sole bundle stays unbound and unused', () => {
    const set = bindBundles([single('b.pem', [PEMUTIL_1])])
    expect(set.byTrustDomain.size).toBe(0)
    expect(set.unbound).toEqual(['b.pem'])
    expect(set.warnings).toEqual([
      'bundle "b.pem" names no trust domain and the leaf\'s trust domain is unknown; it is not used',
    ])
  })

  it('rule 4: two unbound bundles → usage error', () => {
    const err = thrown(() =>
      bindBundles([single('a.pem', [PEMUTIL_1]), single('b.pem', [])], {leafTrustDomain: 'example.org'}),
    )
    expect(err.code).toBe('usage')
    expect(err.exit).toBe(2)
    expect(err.message).toBe(
      'cannot tell which trust domain bundles "a.pem", "b.pem" serve: their authorities name none',
    )
    expect(err.hint).toContain('--bundle <trust-domain>=FILE')
  })

  it('rule 4: an unbound bundle next to a bound one is not the sole bundle → usage error', () => {
    const err = thrown(() =>
      bindBundles([single('a.pem', [ROOT_LOCAL]), single('b.pem', [PEMUTIL_1])], {leafTrustDomain: 'example.org'}),
    )
    expect(err.code).toBe('usage')
    expect(err.message).toBe(
      'cannot tell which trust domain bundle "b.pem" serves: its authorities name none and it is not the only bundle',
    )
  })

  it('a label on a bundle map → usage error', () => {
    const err = thrown(() => bindBundles([map('m.json', {'example.org': [ROOT_LOCAL]}, 'example.org')]))
    expect(err.code).toBe('usage')
    expect(err.exit).toBe(2)
    expect(err.message).toBe('a trust domain label cannot be used on bundle map "m.json" (--bundle example.org=m.json)')
    expect(err.hint).toBe('a bundle map names its own trust domains: pass it as --bundle m.json')
  })

  it('a bundle map binds each entry to its own trust domain, whatever its authorities say', () => {
    const set = bindBundles([map('m.json', {'example.org': [ROOT_LOCAL], 'partner.test': [partnerCa]})])
    expect(lookupBundle(set, 'example.org')).toEqual({
      trustDomain: 'example.org',
      authorities: [ROOT_LOCAL],
      sources: [{path: 'm.json', binding: 'map'}],
    })
    expect(lookupBundle(set, 'partner.test')?.authorities).toEqual([partnerCa])
    expect(lookupBundle(set, 'local')).toBeUndefined()
    expect(set.warnings).toEqual([])
  })

  it('warns about an empty bundle map', () => {
    expect(bindBundles([map('m.json', {})]).warnings).toEqual(['bundle map "m.json" holds no trust domain'])
  })

  it('merges files bound to one trust domain (old and new roots), duplicates dropped', () => {
    const set = bindBundles([
      single('old.pem', [PEMUTIL_1], 'example.org'),
      single('new.pem', [INTERMEDIATE_EXAMPLE, PEMUTIL_1]),
      map('m.json', {'example.org': [PEMUTIL_2], 'partner.test': [partnerCa]}),
    ])
    const bound = lookupBundle(set, 'example.org')!
    expect(bound.authorities).toEqual([PEMUTIL_1, INTERMEDIATE_EXAMPLE, PEMUTIL_2])
    expect(bound.sources).toEqual([
      {path: 'old.pem', binding: 'label'},
      {path: 'new.pem', binding: 'san'},
      {path: 'm.json', binding: 'map'},
    ])
    expect(lookupBundle(set, 'partner.test')?.authorities).toEqual([partnerCa])
  })

  it('passes on the warnings of the bundles themselves', () => {
    const set = bindBundles([single('b.pem', [ROOT_LOCAL], undefined, ['bundle "b.pem": something odd'])])
    expect(set.warnings).toEqual(['bundle "b.pem": something odd'])
  })

  it("never returns another trust domain's bundle", () => {
    const set = bindBundles([single('local.pem', [ROOT_LOCAL]), single('partner.pem', [partnerCa])], {
      expectedTrustDomain: 'example.org',
    })
    expect(lookupBundle(set, 'example.org')).toBeUndefined()
    for (const td of ['local.', 'loca', 'LOCAL', 'spiffe://local', 'partner', 'test', ''])
      expect(lookupBundle(set, td), td).toBeUndefined()
    expect(lookupBundle(set, TrustDomain.parse('spiffe://local'))?.authorities).toEqual([ROOT_LOCAL])
    expect(lookupBundle(set, 'partner.test')?.authorities).toEqual([partnerCa])
  })
})

describe('loadBundleSpecs', () => {
  const tmp = tempDir()
  afterAll(() => tmp.cleanup())

  it('reads, binds and merges files of every format', async () => {
    const oldRoot = tmp.write('old.pem', toPemBundle([PEMUTIL_1]))
    const newRoot = tmp.write('new.spiffe.json', toJwks([INTERMEDIATE_EXAMPLE], {sequence: 2}))
    const fed = tmp.write(
      'federation.json',
      JSON.stringify({trust_domains: {'spiffe://partner.test': JSON.parse(toJwks([partnerCa]))}}),
    )
    const set = loadBundleSpecs([`example.org=${oldRoot}`, newRoot, fed], {leafTrustDomain: 'example.org'})
    expect(lookupBundle(set, 'example.org')?.authorities.map((c) => c.sha256)).toEqual([
      PEMUTIL_1.sha256,
      INTERMEDIATE_EXAMPLE.sha256,
    ])
    expect(lookupBundle(set, 'example.org')?.sources).toEqual([
      {path: oldRoot, binding: 'label'},
      {path: newRoot, binding: 'san'},
    ])
    expect(lookupBundle(set, 'partner.test')?.sources).toEqual([{path: fed, binding: 'map'}])
  })

  it('refuses a label on a bundle-map file with a usage error', () => {
    const fed = tmp.write('map2.json', '{"trust_domains": {}}')
    const err = thrown(() => loadBundleSpecs([`example.org=${fed}`]))
    expect(err.code).toBe('usage')
    expect(err.exit).toBe(2)
  })

  it('refuses a PEM file naming two trust domains with a usage error', () => {
    const mixed = tmp.write('mixed.pem', toPemBundle([ROOT_LOCAL, INTERMEDIATE_EXAMPLE]))
    expect(thrown(() => loadBundleSpecs([mixed], {leafTrustDomain: 'example.org'})).code).toBe('usage')
  })

  it('checks every spec before reading any file', () => {
    expect(thrown(() => loadBundleSpecs([tmp.dir + '/missing.pem', 'Bad=x.pem'])).code).toBe('usage')
  })

  it('reports a missing file as file-not-found', () => {
    const err = thrown(() => loadBundleSpecs([`example.org=${tmp.dir}/missing.pem`]))
    expect(err.code).toBe('file-not-found')
    expect(err.exit).toBe(3)
    expect(err.message).toBe(`no such file "${tmp.dir}/missing.pem"`)
  })

  it('hints at the bare label when spiffe://td=FILE was taken as a path', () => {
    const err = thrown(() => loadBundleSpecs(['spiffe://example.org=bundle.pem']))
    expect(err.code).toBe('file-not-found')
    expect(err.hint).toBe('a label is a bare trust-domain name: --bundle example.org=bundle.pem')
  })

  it('passes strict mode on to the files', () => {
    const twoX5c = tmp.write(
      'two.json',
      JSON.stringify({
        keys: [
          {
            ...JSON.parse(toJwks([ROOT_LOCAL])).keys[0],
            x5c: [Buffer.from(ROOT_LOCAL.der).toString('base64'), Buffer.from(ROOT_LOCAL.der).toString('base64')],
          },
        ],
      }),
    )
    expect(lookupBundle(loadBundleSpecs([`example.org=${twoX5c}`]), 'example.org')?.authorities).toHaveLength(1)
    expect(thrown(() => loadBundleSpecs([`example.org=${twoX5c}`], {strict: true})).code).toBe('bundle-invalid')
  })
})
