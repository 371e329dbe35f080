/** JWT bundle binding (never pooled) and the library's seeded JWT-SVID, without the CLI. */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {createJwtKey, jwtBundleEntry, loadJwtBundles, signJwtSvid, verifyJwtSvid} from '../../src/index.js'
import {tmpDir} from '../helpers/tmp.js'

const AT = new Date('2026-05-01T00:00:00Z') // a fixed instant; tokens are issued a minute earlier

describe('JWT bundles', () => {
  it('binds a sole unlabelled JWKS to the token trust domain with a warning, refuses two unlabelled ones, and never falls back to another trust domain', (ctx) => {
    const dir = tmpDir(ctx)
    const key = createJwtKey()
    const file = join(dir, 'jwks.json')
    writeFileSync(file, JSON.stringify({keys: [jwtBundleEntry(key)]}))
    const token = signJwtSvid({
      spiffeId: 'spiffe://example.org/web',
      audience: ['db'],
      signer: key,
      now: new Date(AT.getTime() - 60_000),
      ttlMs: 300_000,
    })
    const sole = verifyJwtSvid(token, {audience: ['db'], bundles: loadJwtBundles([file]), at: AT})
    expect(sole.valid).toBe(true)
    expect(sole.warnings.join('\n')).toMatch(/no trust-domain label; used for "example.org"/)
    expect(() => loadJwtBundles([file, file])).toThrow(/cannot tell which trust domain/)
    const other = verifyJwtSvid(token, {audience: ['db'], bundles: loadJwtBundles([`other.test=${file}`]), at: AT})
    expect(other.errors[0].code).toBe('bundle-not-found')
  })

  it('a bundle map binds its own trust domains; duplicate kids make the bundle invalid', (ctx) => {
    const dir = tmpDir(ctx)
    const key = createJwtKey()
    const map = join(dir, 'map.json')
    writeFileSync(map, JSON.stringify({trust_domains: {'spiffe://example.org': {keys: [jwtBundleEntry(key)]}}}))
    const token = signJwtSvid({
      spiffeId: 'spiffe://example.org/web',
      audience: ['db'],
      signer: key,
      now: new Date(AT.getTime() - 60_000),
      ttlMs: 300_000,
    })
    expect(verifyJwtSvid(token, {audience: ['db'], bundles: loadJwtBundles([map]), at: AT}).valid).toBe(true)
    const dup = join(dir, 'dup.json')
    writeFileSync(
      dup,
      JSON.stringify({keys: [jwtBundleEntry(key), jwtBundleEntry(createJwtKey())].map((e) => ({...e, kid: 'same'}))}),
    )
    expect(() => loadJwtBundles([`example.org=${dup}`])).toThrow(/duplicate kid "same"/)
  })

  it('a deterministic signature gives the same token twice; the default one does not', () => {
    const key = createJwtKey()
    const o = {spiffeId: 'spiffe://example.org/web', audience: ['db'], signer: key, now: AT, ttlMs: 300_000}
    expect(signJwtSvid({...o, deterministic: true})).toBe(signJwtSvid({...o, deterministic: true}))
    expect(signJwtSvid(o)).not.toBe(signJwtSvid(o))
  })
})
