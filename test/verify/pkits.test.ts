/**
 * NIST PKITS (issue 19): every end-entity test of the sections svidkit implements runs
 * through `verifyChain` (X.509 profile, default level), with the verdict PKITS expects
 * (file name Valid…/Invalid…) or a deviation documented in docs/verification.md. The same
 * cases run through `openssl verify`, and svidkit must agree with PKITS at least as often.
 * Skipped with one line where python3-cryptography-vectors is not installed.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {verifyChain} from '../../src/core/verify/chain.js'
import {parseCertificateDer, type ParsedCertificate} from '../../src/core/x509/certificate.js'
import {hasTool, run} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {PKITS_CASES, pkitsExpectsValid, type PkitsCase} from './pkits-cases.js'

const PKITS_DIR = '/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data/certs'
const present = existsSync(join(PKITS_DIR, 'TrustAnchorRootCertificate.crt'))
if (!present) console.warn(`skipping NIST PKITS: ${PKITS_DIR} not found (Debian package python3-cryptography-vectors)`)

/** 2025-01-01T00:00:00Z: inside the validity of every PKITS certificate meant to be valid (2010-2030). */
const AT = new Date('2025-01-01T00:00:00Z')

const cache = new Map<string, ParsedCertificate>()
function load(stem: string): ParsedCertificate {
  let c = cache.get(stem)
  if (!c) cache.set(stem, (c = parseCertificateDer(new Uint8Array(readFileSync(join(PKITS_DIR, `${stem}.crt`))))))
  return c
}

/** Returns svidkit's verdict; a certificate that cannot be read is `pem-invalid`, as `verify` reports it (exit 3). */
/** Returns the PEM text of a PKITS file, from its bytes (some do not parse: 4.1.5's DSA key). */
function pemOf(stem: string): string {
  const b64 = readFileSync(join(PKITS_DIR, `${stem}.crt`)).toString('base64')
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`
}

function svidkit(c: PkitsCase, strict = false): {valid: boolean; errors: {code: string; message: string}[]} {
  let leaf: ParsedCertificate
  let cas: ParsedCertificate[]
  try {
    leaf = load(c.ee)
    cas = c.cas.map(load)
  } catch (err) {
    return {valid: false, errors: [{code: 'pem-invalid', message: String(err)}]}
  }
  return verifyChain({leaf, intermediates: cas, roots: [load('TrustAnchorRootCertificate')], at: AT, strict})
}

describe.skipIf(!present)('NIST PKITS through verifyChain (default level)', () => {
  it.each(PKITS_CASES.map((c) => [`${c.id} ${c.ee}`, c] as const))('%s', (_, c) => {
    const r = svidkit(c)
    if (c.deviation) expect({valid: r.valid, code: r.errors[0]?.code}).toEqual({valid: false, code: c.deviation.code})
    else
      expect({valid: r.valid, errors: r.errors.map((e) => `${e.code}: ${e.message}`)}).toEqual(
        pkitsExpectsValid(c)
          ? {valid: true, errors: []}
          : {valid: false, errors: expect.arrayContaining([expect.any(String)])},
      )
  })

  it('agrees with PKITS on every applicable case and never accepts an Invalid one', () => {
    const applicable = PKITS_CASES.filter((c) => !c.deviation)
    const agree = applicable.filter((c) => svidkit(c).valid === pkitsExpectsValid(c))
    expect(agree.length).toBe(applicable.length)
    expect(PKITS_CASES.filter((c) => !pkitsExpectsValid(c) && svidkit(c).valid)).toEqual([])
  })
})

describe.skipIf(!present)('NIST PKITS through verifyChain --strict', () => {
  it('refuses every Invalid case, and of the Valid ones exactly those whose CAs break an RFC 5280 MUST (docs/verification.md)', () => {
    expect(PKITS_CASES.filter((c) => !pkitsExpectsValid(c) && svidkit(c, true).valid).map((c) => c.id)).toEqual([])
    const refused = PKITS_CASES.filter((c) => pkitsExpectsValid(c) && !c.deviation && !svidkit(c, true).valid)
    // 4.3.x: issuer names that match the CA's subject only by RFC 5280 §7.1 (§4.1.2.6); 4.6.4: a non-critical basicConstraints (§4.2.1.9).
    expect(refused.map((c) => [c.id, svidkit(c, true).errors[0].code])).toEqual([
      ['4.3.3', 'profile-violation'],
      ['4.3.4', 'profile-violation'],
      ['4.3.5', 'profile-violation'],
      ['4.3.10', 'profile-violation'],
      ['4.3.11', 'profile-violation'],
      ['4.6.4', 'profile-violation'],
    ])
  })
})

describe.skipIf(!present || !hasTool('openssl'))('NIST PKITS: svidkit against openssl verify on the same cases', () => {
  const dir = suiteTmpDir()
  it('svidkit agrees with PKITS on at least as many cases as openssl verify -x509_strict, and accepts nothing openssl rejects as Invalid', () => {
    const root = join(dir(), 'root.pem')
    writeFileSync(root, pemOf('TrustAnchorRootCertificate'))
    let opensslAgrees = 0
    let svidkitAgrees = 0
    const svidkitOnlyAccepts: string[] = []
    for (const c of PKITS_CASES) {
      const ee = join(dir(), 'ee.pem')
      const untrusted = join(dir(), 'untrusted.pem')
      writeFileSync(ee, pemOf(c.ee))
      writeFileSync(untrusted, c.cas.map(pemOf).join(''))
      const args = [
        'verify',
        '-x509_strict',
        '-attime',
        String(AT.getTime() / 1000),
        '-CAfile',
        root,
        ...(c.cas.length ? ['-untrusted', untrusted] : []),
        ee,
      ]
      const ok = run('openssl', args).status === 0
      const mine = svidkit(c).valid
      if (ok === pkitsExpectsValid(c)) opensslAgrees++
      if (mine === pkitsExpectsValid(c)) svidkitAgrees++
      if (mine && !ok) svidkitOnlyAccepts.push(c.id)
    }
    // Measured 2026-12-07 with OpenSSL 3.0: openssl 88 of 90 (DSA parameter inheritance, non-critical basicConstraints under -x509_strict).
    expect(svidkitAgrees).toBeGreaterThanOrEqual(opensslAgrees)
    // svidkit accepts what openssl -x509_strict refuses only where PKITS says Valid (4.6.4: a non-critical basicConstraints is a CA-side rule).
    expect(svidkitOnlyAccepts).toEqual(['4.6.4'])
  })
})
