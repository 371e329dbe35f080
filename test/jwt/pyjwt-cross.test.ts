/**
 * Cross-check with PyJWT (Debian python3-jwt), both ways: PyJWT accepts svidkit's valid
 * JWT-SVIDs and rejects the defects a generic JWT library can judge; svidkit accepts
 * tokens PyJWT made with RSA, RSA-PSS and EC keys.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {createAuthority} from '../../src/core/ca/create.js'
import {jwtBundleEntry} from '../../src/core/jwt/jwt-key.js'
import {JWT_DEFECTS} from '../../src/core/jwt/defects.js'
import {planJwtSvid, signPlan, signJwtSvid} from '../../src/core/jwt/sign.js'
import {verifyJwtSvid} from '../../src/core/jwt/verify.js'
import {loadJwtBundles} from '../../src/core/jwt/jwt-bundle.js'
import {jwkThumbprint} from '../../src/core/jwt/jwt-key.js'
import {tmpDir} from '../helpers/tmp.js'

const PYTHON = '/usr/bin/python3'
const TOOL = join(import.meta.dirname, 'pyjwt-tool.py')
const hasPyJwt = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import jwt']).status === 0
const NOW = new Date('2026-03-01T12:00:00Z') // svidkit's evaluation time for the PyJWT-made tokens

function py(mode: string, req: object): Record<string, unknown> {
  const r = spawnSync(PYTHON, [TOOL, mode], {input: JSON.stringify(req), encoding: 'utf8', timeout: 30_000})
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout) as Record<string, unknown>
}

/** Defects PyJWT judges on its own (alg list, kid lookup among jwt-svid keys, aud, exp, nbf, iat). */
const PYJWT_JUDGES = new Set([
  'alg-none',
  'alg-hs256-public-key',
  'kid-unknown',
  'key-x509-entry',
  'aud-missing',
  'aud-empty',
  'aud-mismatch',
  'exp-missing',
  'expired',
  'nbf-future',
  'iat-future',
])

describe.skipIf(!hasPyJwt)('PyJWT cross-check (skipped: /usr/bin/python3 with python3-jwt is absent)', () => {
  it('PyJWT accepts svidkit tokens and rejects every defect it can judge', async () => {
    const {authority: a} = await createAuthority({trustDomain: 'example.org', intermediates: 0})
    const jwt = a.jwt!
    const root = a.roots[0]
    // PyJWT checks exp/nbf/iat against the real clock: issue at the real now.
    const now = new Date()
    const jwks = {
      keys: [
        {
          use: 'x509-svid',
          kid: jwkThumbprint(root.cert.node.publicKey),
          ...root.cert.node.publicKey.export({format: 'jwk'}),
        },
        jwtBundleEntry(jwt),
      ],
    }
    const good = signJwtSvid({spiffeId: 'spiffe://example.org/web', audience: ['db'], signer: jwt, now, ttlMs: 300_000})
    expect(py('verify', {token: good, jwks, audience: 'db'})).toEqual({ok: true, error: ''})
    for (const d of JWT_DEFECTS.filter((x) => PYJWT_JUDGES.has(x.name))) {
      const plan = planJwtSvid({
        spiffeId: 'spiffe://example.org/web',
        audience: ['db'],
        signer: jwt,
        now,
        ttlMs: 300_000,
      })
      d.apply(plan, {
        trustDomain: 'example.org',
        x509Key: {key: root.key, thumbprint: jwkThumbprint(root.cert.node.publicKey)},
      })
      const r = py('verify', {token: signPlan(plan), jwks, audience: 'db'})
      expect(r.ok, `${d.name}: PyJWT accepted it`).toBe(false)
    }
  })

  it('svidkit accepts PyJWT tokens (ES256, ES384, RS256, RS512, PS256) and refuses them for another audience', (ctx) => {
    const iat = Math.floor(NOW.getTime() / 1000)
    const made = py('make', {sub: 'spiffe://example.org/web', aud: ['db'], iat, exp: iat + 300}) as {
      jwks: object
      tokens: Record<string, string>
    }
    const file = join(tmpDir(ctx), 'jwks.json')
    writeFileSync(file, JSON.stringify(made.jwks))
    const bundles = loadJwtBundles([`example.org=${file}`])
    expect(Object.keys(made.tokens).sort()).toEqual(['ES256', 'ES384', 'PS256', 'RS256', 'RS512'])
    for (const [alg, token] of Object.entries(made.tokens)) {
      const ok = verifyJwtSvid(token, {audience: ['db'], bundles, at: NOW})
      expect(ok.errors, alg).toEqual([])
      expect(ok.valid).toBe(true)
      expect(verifyJwtSvid(token, {audience: ['web'], bundles, at: NOW}).errors[0].code).toBe('jwt-aud-mismatch')
    }
  })
})
