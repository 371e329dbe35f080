/**
 * Differential test against OpenSSL (issue 19): chains generated with fast-check (a root,
 * zero to two intermediates, a leaf, each with varied CA flags, key usage, key identifiers,
 * name constraints, SANs, serials and extensions) are judged by `verifyChain` and by
 * `openssl verify` on the same files: `--strict` against `-x509_strict`, the default level
 * against plain `openssl verify`. A disagreement fails the test unless it is one of ALLOWED,
 * each with its reason (docs/verification.md "Differential test against OpenSSL").
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {verifyChain} from '../../src/core/verify/chain.js'
import {certificatePem, type ParsedCertificate} from '../../src/core/x509/certificate.js'
import {seq} from '../../src/core/x509/der.js'
import {OID} from '../../src/core/x509/oids.js'
import {hasTool, run} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {cert, dns, ecKey, ip, nameConstraints, X509_AT, type KitCert} from './x509-kit.js'

/** What one generated certificate varies. */
interface Shape {
  ca: boolean
  bc: 'critical' | 'non-critical' | 'absent'
  pathLen: number | undefined
  ku: 'ca' | 'no-cert-sign' | 'absent'
  ski: boolean
  aki: boolean
  nc: 'none' | 'permit-dns' | 'exclude-dns' | 'permit-ip' | 'non-critical'
  serial: 'normal' | 'zero' | 'long'
  extra: 'none' | 'unknown-critical' | 'empty-eku'
}

const shape = (ca: boolean): fc.Arbitrary<Shape> =>
  fc.record({
    ca: fc.oneof({weight: 6, arbitrary: fc.constant(ca)}, {weight: 1, arbitrary: fc.constant(!ca)}),
    bc: fc.constantFrom<Shape['bc']>('critical', 'critical', 'critical', 'non-critical', 'absent'),
    pathLen: fc.constantFrom(undefined, undefined, 0, 1),
    ku: fc.constantFrom<Shape['ku']>('ca', 'ca', 'ca', 'no-cert-sign', 'absent'),
    ski: fc.constantFrom(true, true, true, false),
    aki: fc.constantFrom(true, true, true, false),
    nc: fc.constantFrom<Shape['nc']>('none', 'none', 'none', 'permit-dns', 'exclude-dns', 'permit-ip', 'non-critical'),
    serial: fc.constantFrom<Shape['serial']>('normal', 'normal', 'normal', 'normal', 'zero', 'long'),
    extra: fc.constantFrom<Shape['extra']>('none', 'none', 'none', 'none', 'unknown-critical', 'empty-eku'),
  })

const SANS = ['a.example.com', 'bad.example.com', '*.example.com', 'a.other.org', 'ip']
const arb = fc.record({
  root: shape(true),
  inters: fc.array(shape(true), {minLength: 0, maxLength: 2}),
  leaf: shape(false),
  san: fc.constantFrom(...SANS),
})
type Case = typeof arb extends fc.Arbitrary<infer T> ? T : never

const KEYS = Array.from({length: 4}, () => ecKey())

function kit(s: Shape, leaf: boolean): Partial<KitCert> {
  const ku =
    s.ku === 'absent'
      ? null
      : s.ku === 'ca'
        ? leaf
          ? (['digitalSignature'] as const)
          : (['keyCertSign', 'cRLSign'] as const)
        : (['digitalSignature'] as const)
  const nc =
    s.nc === 'permit-dns' || s.nc === 'non-critical'
      ? nameConstraints([dns('example.com')])
      : s.nc === 'exclude-dns'
        ? nameConstraints(undefined, [dns('bad.example.com')])
        : s.nc === 'permit-ip'
          ? nameConstraints([ip(10, 0, 0, 0, 255, 0, 0, 0)])
          : undefined
  const extra =
    s.extra === 'unknown-critical'
      ? [{oid: '1.3.6.1.4.1.99999.1', critical: true, value: seq()}]
      : s.extra === 'empty-eku'
        ? [{oid: OID.extKeyUsage, critical: false, value: seq()}]
        : []
  return {
    ca: s.ca,
    pathLen: s.ca ? s.pathLen : undefined,
    bcCritical: s.bc === 'absent' ? null : s.bc === 'critical',
    ku: ku ? [...ku] : null,
    omitSki: !s.ski,
    ...(nc ? {nc, ncCritical: s.nc !== 'non-critical'} : {}),
    serial: s.serial === 'zero' ? '00' : s.serial === 'long' ? `01${'ab'.repeat(20)}` : undefined,
    extra,
  }
}

async function build(c: Case): Promise<ParsedCertificate[]> {
  const names = ['CN=Root', ...c.inters.map((_, i) => `CN=Inter ${i}`)]
  const out: ParsedCertificate[] = []
  for (const [i, s] of [c.root, ...c.inters].entries()) {
    const parent = out[i - 1]
    out.push(
      await cert({
        subject: names[i],
        issuer: names[Math.max(0, i - 1)],
        key: KEYS[i],
        signer: KEYS[Math.max(0, i - 1)],
        ...kit(s, false),
        ...(parent && s.aki && parent.ski ? {aki: parent.ski} : {}),
      }),
    )
  }
  const parent = out[out.length - 1]
  const san = c.san === 'ip' ? [ip(10, 1, 2, 3)] : [dns(c.san)]
  out.push(
    await cert({
      subject: 'CN=leaf',
      issuer: names[names.length - 1],
      key: KEYS[3],
      signer: KEYS[out.length - 1],
      san,
      ...kit(c.leaf, true),
      ...(c.leaf.aki && parent.ski ? {aki: parent.ski} : {}),
    }),
  )
  return out
}

/** Disagreements that are expected, each with its reason (docs/verification.md). */
const ALLOWED: {why: string; when: (c: Case, strict: boolean, svidkit: boolean) => boolean}[] = [
  {
    why: 'a wildcard DNS SAN covering an excluded subtree is refused (as Go since CVE-2025-61727); OpenSSL 3.0 compares the wildcard as a literal name',
    when: (c, _strict, mine) =>
      !mine && c.san === '*.example.com' && [c.root, ...c.inters].some((s) => s.nc === 'exclude-dns'),
  },
  {
    why: 'a serial of zero or 21 octets is refused by --strict only (RFC 5280 §4.1.2.2), OpenSSL does not check serials',
    when: (c, strict, mine) => strict && !mine && [c.root, ...c.inters, c.leaf].some((s) => s.serial !== 'normal'),
  },
  {
    why: 'an empty extendedKeyUsage is refused by --strict (RFC 5280 §4.2.1.12 SIZE (1..MAX)); OpenSSL accepts it',
    when: (c, strict, mine) => strict && !mine && [c.root, ...c.inters, c.leaf].some((s) => s.extra === 'empty-eku'),
  },
  {
    why: 'nameConstraints in an end-entity certificate, or not critical, is refused by --strict (RFC 5280 §4.2.1.10); OpenSSL accepts it',
    when: (c, strict, mine) =>
      strict && !mine && (c.leaf.nc !== 'none' || [c.root, ...c.inters].some((s) => s.nc === 'non-critical')),
  },
]

describe.skipIf(!hasTool('openssl'))('verifyChain against openssl verify on generated chains', () => {
  const dir = suiteTmpDir()
  it('agrees with openssl verify (-x509_strict for --strict) except for the allow-listed cases', async () => {
    const disagreements: string[] = []
    const seen = {accepted: 0, rejected: 0, allowed: 0}
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        const chain = await build(c)
        const root = chain[0]
        const leaf = chain[chain.length - 1]
        const inters = chain.slice(1, -1).reverse()
        writeFileSync(join(dir(), 'root.pem'), certificatePem(root))
        writeFileSync(join(dir(), 'untrusted.pem'), inters.map(certificatePem).join(''))
        writeFileSync(join(dir(), 'leaf.pem'), certificatePem(leaf))
        for (const strict of [false, true]) {
          const args = [
            'verify',
            ...(strict ? ['-x509_strict'] : []),
            '-attime',
            String(X509_AT.getTime() / 1000),
            '-CAfile',
            join(dir(), 'root.pem'),
          ]
          if (inters.length) args.push('-untrusted', join(dir(), 'untrusted.pem'))
          const o = run('openssl', [...args, join(dir(), 'leaf.pem')])
          const theirs = o.status === 0
          const r = verifyChain({leaf, intermediates: inters, roots: [root], at: X509_AT, strict})
          seen[theirs ? 'accepted' : 'rejected']++
          if (r.valid === theirs) continue
          if (!process.env.DIFF_NO_ALLOW && ALLOWED.some((a) => a.when(c, strict, r.valid))) {
            seen.allowed++
            continue
          }
          disagreements.push(
            `${strict ? 'strict' : 'default'}: svidkit ${r.valid ? 'accepts' : `rejects (${r.errors[0].code}: ${r.errors[0].message})`}, openssl ${theirs ? 'accepts' : `rejects (${o.stdout.trim().split('\n').slice(-2).join(' / ')})`}; case ${JSON.stringify(c)}`,
          )
        }
      }),
      {numRuns: Number(process.env.DIFF_RUNS ?? 150), seed: Number(process.env.DIFF_SEED ?? 19)},
    )
    expect(disagreements).toEqual([])
    // A control: the generator reaches both verdicts often, so agreement is not vacuous.
    expect(Math.min(seen.accepted, seen.rejected)).toBeGreaterThan(30)
  }, 120_000)
})
