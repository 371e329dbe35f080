/**
 * Every bundle fixture of /work/shared/conformance (expectations.json kinds `bundle` and
 * `spiffe-bundle`), read as `--bundle example.org=FILE` in default and strict mode.
 */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {loadBundleFile, loadBundleSpecs, lookupBundle} from '../../../src/core/bundle/index.js'
import {thrown} from './helpers.js'
import {fx as fixture} from '../../conformance/fixtures.js'
import {requireConformance} from '../../helpers/shared.js'

requireConformance()

interface Expectation {
  file: string
  kind: string
  expect: string
  note: string
}

const ALL = JSON.parse(readFileSync(fixture('expectations.json'), 'utf8')) as Expectation[]
const BUNDLE_FIXTURES = ALL.filter((e) => e.kind === 'bundle' || e.kind === 'spiffe-bundle')

/** The `--strict` outcome where conformance/README.md says it differs from the default. */
const STRICT_OUTCOME: Record<string, string> = {
  'spiffebundle_missing_kid.json': 'bundle-invalid',
  'spiffebundle_multiple_x509.json': 'bundle-invalid',
}

/** What a successful read holds, from conformance/README.md. */
const LOADED: Record<string, {authorities: number; sequence?: number; refreshHint?: number}> = {
  'cert.pem': {authorities: 1},
  'certs.pem': {authorities: 2},
  'empty.pem': {authorities: 0},
  'spiffebundle_valid_1.json': {authorities: 1},
  'spiffebundle_valid_2.json': {authorities: 1, sequence: 1, refreshHint: 60},
  'spiffebundle_valid_with_wit.json': {authorities: 1, sequence: 1, refreshHint: 60},
  'spiffebundle_missing_kid.json': {authorities: 1},
  'spiffebundle_multiple_x509.json': {authorities: 1},
}

const cases = BUNDLE_FIXTURES.flatMap((e) => {
  const name = e.file.split('/').pop()!
  return [
    {name, mode: 'default', strict: false, file: e.file, kind: e.kind, expected: e.expect},
    {name, mode: 'strict', strict: true, file: e.file, kind: e.kind, expected: STRICT_OUTCOME[name] ?? e.expect},
  ]
})

describe('conformance bundle fixtures', () => {
  it('covers all 12 bundle fixtures', () => {
    expect(BUNDLE_FIXTURES).toHaveLength(12)
    // The strict outcomes above are the ones the notes announce
    for (const e of BUNDLE_FIXTURES) {
      const name = e.file.split('/').pop()!
      expect(e.note.includes('--strict: bundle-invalid'), name).toBe(name in STRICT_OUTCOME)
    }
  })

  it.each(cases)('$name ($mode) → $expected', ({file, kind, strict, expected, name}) => {
    const spec = `example.org=${fixture(file)}`
    if (expected !== 'ok') {
      const err = thrown(() => loadBundleSpecs([spec], {strict}))
      expect(err.code).toBe(expected)
      expect(err.exit).toBe(3)
      return
    }
    const set = loadBundleSpecs([spec], {strict})
    const bound = lookupBundle(set, 'example.org')!
    expect(bound.authorities).toHaveLength(LOADED[name].authorities)
    expect(bound.sources).toEqual([{path: fixture(file), binding: 'label'}])
    const read = loadBundleFile(fixture(file), {strict})
    expect(read.kind).toBe('single')
    if (read.kind !== 'single') return
    expect(read.bundle.format).toBe(kind === 'bundle' ? 'pem' : 'jwks')
    expect(read.bundle.sequence).toBe(LOADED[name].sequence)
    expect(read.bundle.refreshHint).toBe(LOADED[name].refreshHint)
  })

  it.each([
    {
      name: 'cert.pem',
      file: 'go-spiffe/bundle/x509bundle/testdata/cert.pem',
      warnings: ['is not a CA certificate', 'has no SPIFFE ID URI SAN'],
    },
    {name: 'empty.pem', file: 'go-spiffe/bundle/x509bundle/testdata/empty.pem', warnings: ['holds no X.509 authority']},
    {
      name: 'spiffebundle_missing_kid.json',
      file: 'go-spiffe/bundle/spiffebundle/testdata/spiffebundle_missing_kid.json',
      warnings: ['jwt-svid entry 1 has no "kid"'],
    },
    {
      name: 'spiffebundle_multiple_x509.json',
      file: 'go-spiffe/bundle/spiffebundle/testdata/spiffebundle_multiple_x509.json',
      warnings: ['expected a single certificate in x509-svid entry 0; got 2: the first is used'],
    },
  ])('$name loads with the documented warnings', ({file, warnings}) => {
    const set = loadBundleSpecs([`example.org=${fixture(file)}`])
    for (const w of warnings)
      expect(
        set.warnings.some((s) => s.includes(w)),
        w,
      ).toBe(true)
  })

  it.each([
    {name: 'spiffebundle_missing_kid.json', message: 'error adding authority 1 of JWKS: keyID cannot be empty'},
    {name: 'spiffebundle_multiple_x509.json', message: 'expected a single certificate in x509-svid entry 0; got 2'},
    {name: 'spiffebundle_no_keys.json', message: 'no authorities found ("keys" is missing)'},
  ])('$name in strict mode says what go-spiffe says', ({name, message}) => {
    const file = fixture(`go-spiffe/bundle/spiffebundle/testdata/${name}`)
    expect(thrown(() => loadBundleFile(file, {strict: true})).message).toBe(`bundle "${file}": ${message}`)
  })

  it('binds the valid JWKS to "local" by its CA URI SAN when unlabelled (README recipe "verify C --bundle B")', () => {
    const set = loadBundleSpecs([fixture('go-spiffe/bundle/spiffebundle/testdata/spiffebundle_valid_1.json')], {
      leafTrustDomain: 'example.org',
    })
    expect(lookupBundle(set, 'example.org')).toBeUndefined()
    expect(lookupBundle(set, 'local')?.sources[0].binding).toBe('san')
  })

  it('warns when a label names another trust domain than the CA (README recipe "--bundle example.org=B")', () => {
    const set = loadBundleSpecs([
      `example.org=${fixture('go-spiffe/bundle/spiffebundle/testdata/spiffebundle_valid_1.json')}`,
    ])
    expect(
      set.warnings.some((w) => w.includes('is labelled "example.org" but its authorities name trust domain "local"')),
    ).toBe(true)
  })
})
