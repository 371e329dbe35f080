/**
 * The recipe seam of issuance (core/svid/recipe.ts) and the recipes core/defects makes:
 * the profile recipe runs no hook, a recipe's hooks run in order with what they need, and
 * `recipeFor` turns catalogue defects into a recipe whose check and notes issuance reports.
 */
import {beforeAll, describe, expect, it} from 'vitest'
import {
  createAuthority,
  fixedClock,
  issueSvid as libraryIssueSvid,
  type Authority,
  type LeafRecipe,
} from '../../src/index.js'
import {issueSvid} from '../../src/core/svid/issue.js'
import {DEFECTS, recipeFor} from '../../src/core/defects/index.js'
import {SvidkitError} from '../../src/core/errors.js'
import {generateKeyPairNow} from '../../src/core/x509/keys.js'
import {verifySvid} from '../../src/core/verify/verify.js'
import {singleBundleSet} from '../../src/core/bundle/single-set.js'
import {svidKeyPkcs8} from '../../src/core/svid/svid.js'

// 2026-06-01T00:00:00Z: a fixed instant inside the authority's validity.
const NOW = new Date('2026-06-01T00:00:00Z')
const clock = fixedClock(NOW)
const ID = 'spiffe://example.org/web'
let authority: Authority

beforeAll(async () => {
  authority = (await createAuthority({trustDomain: 'example.org', clock})).authority
})

describe('issueSvid and its recipe seam', () => {
  it('runs the hooks in order (validity, signer, template, result) with the leaf context, and hands out what they return', async () => {
    const calls: string[] = []
    const other = generateKeyPairNow('ec-p256').privateKey
    const recipe: LeafRecipe = {
      validity: (now) => {
        calls.push('validity')
        return [new Date(now.getTime() - 1000), new Date(now.getTime() + 60_000)]
      },
      signer: async (ctx) => {
        calls.push(
          `signer ${ctx.id} ${ctx.trustDomain} ${ctx.keyType} ${ctx.seed ?? 'unseeded'} ${ctx.now.toISOString()}`,
        )
        return {cert: authority.roots[0].cert, key: authority.roots[0].key, chain: []}
      },
      template: (t) => {
        calls.push('template')
        t.subject = 'O=recipe'
      },
      result: async (r) => {
        calls.push(`result ${r.chain.length}`)
        return {...r, replacementKey: other}
      },
    }
    const {svid} = await issueSvid(authority, {spiffeId: ID, clock, recipe})
    expect(calls).toEqual([
      'validity',
      `signer ${ID} example.org ec-p256 unseeded ${NOW.toISOString()}`,
      'template',
      'result 0',
    ])
    const leaf = svid.certificates[0]
    expect([leaf.notAfter.getTime() - NOW.getTime(), leaf.issuer, leaf.subject, svid.certificates.length]).toEqual([
      60_000,
      authority.roots[0].cert.subject,
      'O=recipe',
      1,
    ])
    expect(svid.privateKey).toBe(other)
  })

  it('the profile recipe ({}) and no recipe issue the same spec-correct SVID', async () => {
    for (const recipe of [undefined, {}]) {
      const {svid, bundle} = await issueSvid(authority, {spiffeId: ID, clock, recipe})
      const r = verifySvid({
        chain: svid.certificates,
        key: svid.privateKey,
        bundles: singleBundleSet('example.org', bundle),
        at: NOW,
        strict: true,
      })
      expect(r.errors).toEqual([])
    }
  })
})

describe('recipeFor', () => {
  it('is undefined without defects: issuance runs the profile', () => {
    expect([recipeFor(undefined), recipeFor([])]).toEqual([undefined, undefined])
  })

  it('takes names or catalogue objects, and its notes are what issue --json reports', () => {
    const byName = recipeFor(['expired', 'leaf-is-ca'])
    const byObject = recipeFor(['expired', 'leaf-is-ca'].map((n) => DEFECTS.find((d) => d.name === n)!))
    const notes = [
      {name: 'expired', code: 'cert-expired', rule: DEFECTS.find((d) => d.name === 'expired')!.rule},
      {name: 'leaf-is-ca', code: 'leaf-is-ca', rule: DEFECTS.find((d) => d.name === 'leaf-is-ca')!.rule},
    ]
    expect([byName?.notes, byObject?.notes]).toEqual([notes, notes])
  })

  it('refuses an unknown name and a clashing pair with the usage errors of issue --defect', () => {
    expect(() => recipeFor(['nope'])).toThrow(/^unknown defect "nope"$/)
    expect(() => recipeFor(['leaf-is-ca', 'leaf-crl-sign'])).toThrow(
      /both change the leaf-flags and cannot be combined/,
    )
  })

  it.each(DEFECTS.map((d) => [d.name, d.code]))(
    '%s: the issued SVID passes its own check and verify reports %s',
    async (name, code) => {
      const recipe = recipeFor([name])!
      const {svid, bundle} = await issueSvid(authority, {spiffeId: ID, clock, recipe})
      expect(() => recipe.check!(svid, bundle, NOW)).not.toThrow()
      const r = verifySvid({
        chain: svid.certificates,
        key: svid.privateKey,
        bundles: singleBundleSet('example.org', bundle),
        at: NOW,
        strict: true,
      })
      expect(r.errors.map((e) => e.code)).toContain(code)
    },
  )

  it('the check throws (exit 1) for an SVID that does not break what the defect names', async () => {
    const {svid, bundle} = await issueSvid(authority, {spiffeId: ID, clock})
    const err = (() => {
      try {
        recipeFor(['leaf-is-ca'])!.check!(svid, bundle, NOW)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(SvidkitError)
    expect((err as SvidkitError).code).toBe('internal')
  })

  it('a seed covers every defect, those making new CA certificates or keys too: the same seed gives the same bytes', async () => {
    for (const name of ['leaf-is-ca', 'untrusted', 'key-mismatch', 'path-length', 'expired-intermediate']) {
      const once = async (seed: string) => {
        const {svid} = await issueSvid(authority, {spiffeId: ID, clock, seed, recipe: recipeFor([name])})
        return {certs: svid.certificates.map((c) => Buffer.from(c.der).toString('hex')), key: svidKeyPkcs8(svid)}
      }
      const a = await once('s')
      expect(await once('s'), name).toEqual(a)
      // Control: another seed gives other bytes.
      expect((await once('t')).certs[0], name).not.toEqual(a.certs[0])
    }
  })

  it('the library issueSvid still takes defects beside the options', async () => {
    const d = DEFECTS.find((x) => x.name === 'missing-intermediate')!
    const {svid} = await libraryIssueSvid(authority, {spiffeId: ID, clock, defects: [d]})
    expect(svid.certificates).toHaveLength(1)
  })
})
