/**
 * Validity periods of spiffe-rules.md §2: notBefore backdated 10 s, notAfter = now + TTL,
 * capped at the issuing chain's notAfter with a warning; deliberately expired and
 * not-yet-valid SVIDs for test fixtures.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {
  createAuthority,
  fixedClock,
  initCa,
  issueSvid,
  issueToDirectory,
  parseInstant,
  readCertificates,
  type ParsedCertificate,
} from '../../src/index.js'
import {hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {opensslView} from '../helpers/openssl-text.js'
import {suiteTmpDir} from '../helpers/tmp.js'

warnIfMissing('openssl', hasOpenssl)

const TD = 'example.org'
const HOUR = 3_600_000
const base = suiteTmpDir()
const path = (...p: string[]) => join(base(), ...p)

function leafOf(file: string): ParsedCertificate {
  return readCertificates(readFileSync(file), file)[0]
}

beforeAll(async () => {
  await initCa({trustDomain: TD, out: path('ca')})
  // The intermediate lives 2 h: a longer SVID TTL must be capped at its notAfter.
  await initCa({trustDomain: TD, out: path('short'), intermediateTtlMs: 2 * HOUR})
})

describe('notBefore and notAfter', () => {
  it('are now − 10 s and now + TTL on the system clock (±2 s)', async () => {
    const before = Date.now()
    const [r] = await issueToDirectory({
      spiffeId: `spiffe://${TD}/now`,
      ca: path('ca'),
      out: path('now'),
      ttlMs: 3 * HOUR,
    })
    const after = Date.now()
    const leaf = leafOf(r.files.cert)
    const views = [{notBefore: leaf.notBefore, notAfter: leaf.notAfter}]
    if (hasOpenssl) views.push(opensslView(r.files.cert))
    for (const v of views) {
      expect(v.notBefore.getTime()).toBeGreaterThanOrEqual(before - 10_000 - 2_000)
      expect(v.notBefore.getTime()).toBeLessThanOrEqual(after - 10_000 + 2_000)
      expect(v.notAfter.getTime()).toBeGreaterThanOrEqual(before + 3 * HOUR - 2_000)
      expect(v.notAfter.getTime()).toBeLessThanOrEqual(after + 3 * HOUR + 2_000)
      // Both come from the same instant: the gap is exactly TTL + the 10 s backdate.
      expect(v.notAfter.getTime() - v.notBefore.getTime()).toBe(3 * HOUR + 10_000)
    }
    expect(r.notBefore).toBe(leaf.notBefore.toISOString().replace('.000Z', 'Z'))
    expect(r.notAfter).toBe(leaf.notAfter.toISOString().replace('.000Z', 'Z'))
    expect(r.warnings).toEqual([])
  })

  it('are exact on a fixed clock, truncated to whole seconds', async () => {
    // CA made 2030-01-01T00:00:00.750Z, leaf issued one hour later (fractions are dropped).
    const {authority} = await createAuthority({
      trustDomain: TD,
      clock: fixedClock(new Date('2030-01-01T00:00:00.750Z')),
    })
    const {svid, warnings} = await issueSvid(authority, {
      spiffeId: `spiffe://${TD}/fixed`,
      ttlMs: 90 * 60_000,
      clock: fixedClock(new Date('2030-01-01T01:00:00.750Z')),
    })
    expect(svid.certificates[0].notBefore.toISOString()).toBe('2030-01-01T00:59:50.000Z')
    expect(svid.certificates[0].notAfter.toISOString()).toBe('2030-01-01T02:30:00.000Z')
    expect(authority.roots[0].cert.notBefore.toISOString()).toBe('2029-12-31T23:59:50.000Z')
    expect(warnings).toEqual([])
  })
})

describe('capping at the issuing chain', () => {
  it('caps an SVID TTL longer than the CA at the CA notAfter, with a warning', async () => {
    const [r] = await issueToDirectory({
      spiffeId: `spiffe://${TD}/capped`,
      ca: path('short'),
      out: path('capped'),
      ttlMs: 5 * HOUR,
    })
    const ca = leafOf(path('short', 'intermediate-1.pem'))
    const leaf = leafOf(r.files.cert)
    expect(leaf.notAfter.getTime()).toBe(ca.notAfter.getTime())
    if (hasOpenssl) expect(opensslView(r.files.cert).notAfter.getTime()).toBe(ca.notAfter.getTime())
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toContain('capped')
    expect(r.warnings[0]).toContain(r.notAfter)
  })

  it('caps an intermediate TTL longer than the root at the root notAfter, with a warning', async () => {
    const {authority, warnings} = await createAuthority({
      trustDomain: TD,
      ttlMs: HOUR,
      intermediateTtlMs: 10 * HOUR,
      intermediates: 2,
    })
    const root = authority.roots[0].cert.notAfter.getTime()
    expect(authority.intermediates.map((c) => c.cert.notAfter.getTime())).toEqual([root, root])
    expect(warnings).toHaveLength(2)
    for (const w of warnings) expect(w).toContain('capped')
  })
})

describe('deliberately invalid SVIDs', () => {
  it('--not-after -1h gives an expired SVID (notBefore < notAfter < now)', async () => {
    const now = new Date()
    const [r] = await issueToDirectory({
      spiffeId: `spiffe://${TD}/expired`,
      ca: path('ca'),
      out: path('expired'),
      notAfter: parseInstant('-1h', now),
    })
    const leaf = leafOf(r.files.cert)
    expect(leaf.notAfter.getTime()).toBeLessThan(Date.now())
    expect(Math.abs(leaf.notAfter.getTime() - (now.getTime() - HOUR))).toBeLessThanOrEqual(1_000)
    expect(leaf.notBefore.getTime()).toBeLessThan(leaf.notAfter.getTime())
    if (hasOpenssl) {
      const v = run('openssl', ['verify', '-CAfile', r.files.bundle, '-untrusted', r.files.cert, r.files.cert])
      expect(v.status).not.toBe(0)
      expect(v.stdout + v.stderr).toContain('certificate has expired')
    }
  })

  it('--not-before +1h gives a not-yet-valid SVID (now < notBefore < notAfter)', async () => {
    const now = new Date()
    const [r] = await issueToDirectory({
      spiffeId: `spiffe://${TD}/future`,
      ca: path('ca'),
      out: path('future'),
      notBefore: parseInstant('+1h', now),
    })
    const leaf = leafOf(r.files.cert)
    expect(leaf.notBefore.getTime()).toBeGreaterThan(Date.now())
    expect(Math.abs(leaf.notBefore.getTime() - (now.getTime() + HOUR))).toBeLessThanOrEqual(1_000)
    expect(leaf.notAfter.getTime()).toBeGreaterThan(leaf.notBefore.getTime())
    if (hasOpenssl) {
      const v = run('openssl', ['verify', '-CAfile', r.files.bundle, '-untrusted', r.files.cert, r.files.cert])
      expect(v.status).not.toBe(0)
      expect(v.stdout + v.stderr).toContain('certificate is not yet valid')
    }
  })
})
