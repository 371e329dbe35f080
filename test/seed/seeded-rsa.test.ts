/**
 * Seeded RSA keys and deterministic RSA-PSS (x509/seeded-rsa.ts, x509/pss.ts): the prime search
 * gives a key OpenSSL's consistency checks accept, of the asked size, one per (seed, label); a
 * PS256/384/512 signature with the derived salt is the same bytes every time and verifies with
 * node:crypto's PSS verifier and with PyJWT. Cross-process byte stability: byte-stable.test.ts.
 */
import {spawnSync} from 'node:child_process'
import {constants, createHash, createPublicKey, verify} from 'node:crypto'
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {seededKeyPair} from '../../src/core/x509/seeded.js'
import {deterministicPssSign} from '../../src/core/x509/pss.js'
import {jwtBundleEntry, jwtKeyOf} from '../../src/core/jwt/jwt-key.js'
import {planJwtSvid, signPlan} from '../../src/core/jwt/sign.js'
import {tmpDir} from '../helpers/tmp.js'

const PYTHON = '/usr/bin/python3'
const TOOL = join(import.meta.dirname, '../jwt/pyjwt-tool.py')
const hasPyJwt = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import jwt']).status === 0

const pkcs8 = (k: ReturnType<typeof seededKeyPair>) => k.privateKey.export({format: 'der', type: 'pkcs8'})

describe('seeded RSA keys', () => {
  it('are 2048-bit keys with e = 65537 that openssl pkey -check and openssl rsa -check accept; one key per (seed, label)', (ctx) => {
    const k = seededKeyPair('rsa-test', 'root', 'rsa-2048')
    expect(k.privateKey.asymmetricKeyDetails).toMatchObject({modulusLength: 2048, publicExponent: 65537n})
    const d = tmpDir(ctx)
    const file = join(d, 'key.pem')
    writeFileSync(file, k.privateKey.export({format: 'pem', type: 'pkcs8'}), {mode: 0o600})
    const pkey = spawnSync('openssl', ['pkey', '-in', file, '-check', '-noout'], {encoding: 'utf8'})
    expect([pkey.status, pkey.stdout.trim()], pkey.stderr).toEqual([0, 'Key is valid'])
    const rsa = spawnSync('openssl', ['rsa', '-in', file, '-check', '-noout'], {encoding: 'utf8'})
    expect([rsa.status, rsa.stdout.trim()], rsa.stderr).toEqual([0, 'RSA key ok'])
    // Another label or seed gives another key (the search is not stuck on one prime pair).
    const other = [
      seededKeyPair('rsa-test', 'intermediate', 'rsa-2048'),
      seededKeyPair('rsa-test-2', 'root', 'rsa-2048'),
    ]
    for (const o of other) expect(pkcs8(o).equals(pkcs8(k))).toBe(false)
  })
})

describe('seeded bytes on any machine', () => {
  it('a seeded RSA-2048 key and a seeded PS256 signature have the pinned SHA-256 (the same on Node 20 / OpenSSL 3.0 and Node 24 / OpenSSL 3.5)', () => {
    // If this changes, every user's seeded RSA fixtures change: it is a breaking change of --seed.
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
    const k = seededKeyPair('svidkit-pin', 'root', 'rsa-2048')
    expect(sha(k.privateKey.export({format: 'der', type: 'pkcs8'}))).toBe(
      'd668f90659e9abda11367c01816977f94ab070849a5552f148e331fdb8c71028',
    )
    expect(sha(deterministicPssSign('sha256', Buffer.from('svidkit'), k.privateKey))).toBe(
      'de22cdf2b9878cc712bcd6d33c529647aba6c8825a2af598e002266a6f6875bd',
    )
  })
})

describe('deterministic RSA-PSS', () => {
  const key = seededKeyPair('rsa-test', 'jwt', 'rsa-2048').privateKey
  const data = Buffer.from('header.payload')

  it.each(['sha256', 'sha384', 'sha512'] as const)(
    '%s: the same bytes twice, verified by node:crypto as PSS with a salt of the hash length',
    (hash) => {
      const a = deterministicPssSign(hash, data, key)
      expect(a.equals(deterministicPssSign(hash, data, key))).toBe(true)
      const saltLength = {sha256: 32, sha384: 48, sha512: 64}[hash]
      const pub = createPublicKey(key)
      expect(verify(hash, data, {key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength}, a)).toBe(true)
      expect(
        verify(
          hash,
          Buffer.from('header.payloaD'),
          {key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength},
          a,
        ),
      ).toBe(false)
      // A signature of other data takes another salt (derived from the message), so it differs beyond the hash.
      expect(deterministicPssSign(hash, Buffer.from('other'), key).equals(a)).toBe(false)
    },
  )

  it('seeded PS256 JWT-SVIDs repeat byte for byte; without the flag the salt is random (control)', () => {
    const signer = jwtKeyOf(key)
    const plan = (deterministic: boolean) => {
      const p = planJwtSvid({
        spiffeId: 'spiffe://example.org/web',
        audience: ['db'],
        signer,
        now: new Date('2026-01-01T00:00:00Z'),
        ttlMs: 300_000,
        deterministic,
      })
      p.header.alg = 'PS256'
      return p
    }
    expect(signPlan(plan(true))).toBe(signPlan(plan(true)))
    expect(signPlan(plan(false))).not.toBe(signPlan(plan(false)))
  })

  it.skipIf(!hasPyJwt)(
    'PyJWT verifies seeded PS256, PS384 and PS512 tokens (skipped without /usr/bin/python3 and python3-jwt)',
    () => {
      const signer = jwtKeyOf(key)
      const jwks = {keys: [jwtBundleEntry(signer)]}
      for (const alg of ['PS256', 'PS384', 'PS512']) {
        // PyJWT reads the real clock: issue now, valid 5 minutes.
        const p = planJwtSvid({
          spiffeId: 'spiffe://example.org/web',
          audience: ['db'],
          signer,
          now: new Date(),
          ttlMs: 300_000,
          deterministic: true,
        })
        p.header.alg = alg
        const token = signPlan(p)
        const r = spawnSync(PYTHON, [TOOL, 'verify'], {
          input: JSON.stringify({token, jwks, audience: 'db'}),
          encoding: 'utf8',
          timeout: 30_000,
        })
        expect(JSON.parse(r.stdout), `${alg}: ${r.stderr}`).toEqual({ok: true, error: ''})
        // control: PyJWT refuses the same token with one signature byte changed
        const bad = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.slice(-1)}`
        const rb = spawnSync(PYTHON, [TOOL, 'verify'], {
          input: JSON.stringify({token: bad, jwks, audience: 'db'}),
          encoding: 'utf8',
          timeout: 30_000,
        })
        expect((JSON.parse(rb.stdout) as {ok: boolean}).ok).toBe(false)
      }
    },
  )
})
