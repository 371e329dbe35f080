/**
 * `verify --bundle` binding through the CLI (spiffe-rules.md §3 step 8, §3.1, §4.3): the
 * leaf's trust domain picks exactly one bound bundle, never a pool and never a fallback
 * to another trust domain's roots; bundle maps name their own trust domains; a sole
 * bundle naming no trust domain is bound to the leaf's with a warning showing `TD=`.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {VerifyResult} from '../../src/index.js'
import {runCli} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {
  issueTo,
  makeCa,
  OTHER_TD,
  plain,
  svidFiles,
  TD,
  writeBundleMap,
  writePlainRootBundle,
  type CaFixture,
} from './fixtures.js'

/** The document `verify --json` prints. */
type Doc = VerifyResult

const base = suiteTmpDir()
let ca: CaFixture
let other: CaFixture
let lookAlike: CaFixture
let web: string
let otherWeb: string
let badId: string
const f: Record<string, string> = {}

beforeAll(async () => {
  const b = base()
  ;[ca, other, lookAlike] = await Promise.all([
    makeCa(join(b, 'ca'), TD),
    makeCa(join(b, 'ca-other'), OTHER_TD),
    makeCa(join(b, 'ca-look-alike'), TD),
  ])
  web = svidFiles(await issueTo(ca, join(b, 'web'))).cert
  otherWeb = svidFiles(await issueTo(other, join(b, 'other-web'), {id: `spiffe://${OTHER_TD}/web`})).cert
  badId = svidFiles(await issueTo(ca, join(b, 'bad-id'), {defects: ['id-uppercase']})).cert
  f.mapBoth = writeBundleMap(join(b, 'map-both.json'), {[TD]: ca.bundleJwks, [OTHER_TD]: other.bundleJwks})
  f.mapOther = writeBundleMap(join(b, 'map-other.json'), {[OTHER_TD]: other.bundleJwks})
  f.mapExample = writeBundleMap(join(b, 'map-example.json'), {[TD]: ca.bundleJwks})
  // Each trust domain's JWKS filed under the other's name.
  f.mapSwapped = writeBundleMap(join(b, 'map-swapped.json'), {[TD]: other.bundleJwks, [OTHER_TD]: ca.bundleJwks})
  f.mapSpiffeKeys = writeBundleMap(join(b, 'map-spiffe-keys.json'), {[`spiffe://${TD}`]: ca.bundleJwks})
  f.mapDuplicate = join(b, 'map-duplicate.json')
  const jwks = readFileSync(ca.bundleJwks, 'utf8')
  writeFileSync(f.mapDuplicate, `{"trust_domains": {"${TD}": ${jwks}, "spiffe://${TD}": ${jwks}}}`)
  f.plainA = await writePlainRootBundle(ca, join(b, 'plain-example.pem'))
  f.plainB = await writePlainRootBundle(other, join(b, 'plain-other.pem'))
})

async function verifyJson(args: string[]): Promise<{exit: number; doc: Doc}> {
  const r = await runCli(['verify', ...args, '--json'])
  return {exit: r.exit, doc: JSON.parse(r.stdout) as Doc}
}

describe('bundle maps: only the leaf trust domain entry is used', () => {
  it('a map holding only other.org: bundle-not-found for an example.org leaf', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', f.mapOther])
    expect(exit).toBe(4)
    expect(doc.errors[0].code).toBe('bundle-not-found')
    expect(doc.errors[0].message).toBe('no X.509 bundle for trust domain "example.org"')
    expect(doc.errors[0].hint).toContain('"other.org"')
  })

  it('a map holding both: valid, anchored in the example.org entry', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', f.mapBoth])
    expect(exit, JSON.stringify(doc.errors)).toBe(0)
    expect(doc.trustDomain).toBe(TD)
    expect(doc.bundle?.trustDomain).toBe(TD)
    expect(doc.bundle?.sources).toEqual([{path: expect.stringContaining('map-both.json'), binding: 'map'}])
    expect(doc.bundle?.anchor).toBe('O=svidkit, OU=example.org, CN=root CA 1')
  })

  it('the same map serves an other.org leaf from its own entry', async () => {
    const {exit, doc} = await verifyJson([otherWeb, '--bundle', f.mapBoth])
    expect(exit).toBe(0)
    expect(doc.bundle?.trustDomain).toBe(OTHER_TD)
    expect(doc.bundle?.anchor).toBe('O=svidkit, OU=other.org, CN=root CA 1')
  })

  it('entries filed under the wrong names: untrusted-chain, the right root under another name is never pooled', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', f.mapSwapped])
    expect(exit).toBe(4)
    expect(doc.errors[0].code).toBe('untrusted-chain')
    expect(doc.bundle?.trustDomain).toBe(TD)
  })

  it('a map beside a PEM bundle of another trust domain: each serves its own', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', other.bundlePem, '--bundle', f.mapExample])
    expect(exit).toBe(0)
    expect(doc.bundle?.sources.map((s) => s.binding)).toEqual(['map'])
  })

  it('spiffe://name keys are normalised to the bare name', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', f.mapSpiffeKeys])
    expect(exit).toBe(0)
    expect(doc.bundle?.trustDomain).toBe(TD)
  })

  it('duplicate keys after normalisation: bundle-invalid (exit 3)', async () => {
    const r = await runCli(['verify', web, '--bundle', f.mapDuplicate, '--json'])
    expect(r.exit).toBe(3)
    expect(r.stdout).toContain('bundle-invalid')
  })
})

describe('PEM and JWKS bundles', () => {
  it('ca/bundle.spiffe.json (JWKS) binds by its root SPIFFE ID and verifies', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', ca.bundleJwks])
    expect(exit, JSON.stringify(doc.errors)).toBe(0)
    expect(doc.bundle?.sources).toEqual([{path: ca.bundleJwks, binding: 'san'}])
  })

  it('TD=ca/bundle.spiffe.json binds by label', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', `${TD}=${ca.bundleJwks}`])
    expect(exit).toBe(0)
    expect(doc.bundle?.sources).toEqual([{path: ca.bundleJwks, binding: 'label'}])
  })

  it('the label wins over the roots SPIFFE ID: other.org=<example.org roots> serves no example.org leaf', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', `${OTHER_TD}=${ca.bundlePem}`])
    expect(exit).toBe(4)
    expect(doc.errors[0].code).toBe('bundle-not-found')
    expect(doc.warnings.join('\n')).toMatch(
      /labelled "other\.org" but its authorities name trust domain "example\.org"/,
    )
  })

  it('files bound to the same trust domain merge (rotation): look-alike roots + the real ones', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', lookAlike.bundlePem, '--bundle', `${TD}=${ca.bundleJwks}`])
    expect(exit, JSON.stringify(doc.errors)).toBe(0)
    expect(doc.bundle?.sources.map((s) => s.binding)).toEqual(['san', 'label'])
  })

  it('bundles of both trust domains, one per file: the leaf picks its own', async () => {
    for (const [leaf, td] of [
      [web, TD],
      [otherWeb, OTHER_TD],
    ]) {
      const {exit, doc} = await verifyJson([leaf, '--bundle', other.bundlePem, '--bundle', ca.bundlePem])
      expect(exit).toBe(0)
      expect(doc.bundle?.trustDomain).toBe(td)
      expect(doc.bundle?.sources).toHaveLength(1)
    }
  })
})

describe('bundles whose roots name no trust domain', () => {
  it('the sole bundle binds to the leaf trust domain with a warning showing the TD= form', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', f.plainA])
    expect(exit, JSON.stringify(doc.errors)).toBe(0)
    expect(doc.bundle?.sources).toEqual([{path: f.plainA, binding: 'leaf-assumed'}])
    const w = doc.warnings.join('\n')
    expect(w).toContain(`--bundle ${TD}=${f.plainA}`)
    expect(w).toMatch(/names no trust domain/)
    // Human mode prints the same warning.
    const human = await runCli(['verify', web, '--bundle', f.plainA])
    expect(human.exit).toBe(0)
    expect(plain(human.stdout + human.stderr)).toContain(`--bundle ${TD}=${f.plainA}`)
  })

  it('a leaf-assumed bundle of another CA still does not verify: untrusted-chain', async () => {
    const {exit, doc} = await verifyJson([web, '--bundle', f.plainB])
    expect(exit).toBe(4)
    expect(doc.errors[0].code).toBe('untrusted-chain')
    expect(doc.bundle?.sources[0].binding).toBe('leaf-assumed')
  })

  it('with --expect-trust-domain or --expect-id the expected trust domain binds it, without the warning', async () => {
    for (const extra of [
      ['--expect-trust-domain', TD],
      ['--expect-id', `spiffe://${TD}/web`],
    ]) {
      const {exit, doc} = await verifyJson([web, '--bundle', f.plainA, ...extra])
      expect(exit, extra.join(' ')).toBe(0)
      expect(doc.bundle?.sources).toEqual([{path: f.plainA, binding: 'expected'}])
      expect(doc.warnings.join('\n')).not.toMatch(/names no trust domain/)
    }
  })

  it('two of them: exit 2 without an expected trust domain', async () => {
    const r = await runCli(['verify', web, '--bundle', f.plainA, '--bundle', f.plainB, '--json'])
    expect(r.exit).toBe(2)
    expect(r.stdout).toMatch(/cannot tell which trust domain/)
  })

  it('the leaf ID is invalid: the bundle is not used, spiffe-id-invalid is the reason', async () => {
    const {exit, doc} = await verifyJson([badId, '--bundle', f.plainA])
    expect(exit).toBe(4)
    expect(doc.errors.map((e) => e.code)).toEqual(['spiffe-id-invalid'])
    expect(doc.warnings.join('\n')).toMatch(/not used/)
    expect(doc.bundle).toBeUndefined()
  })
})
