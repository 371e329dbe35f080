/**
 * RFC 5280 path validation through the public `verifyChain` (issue 19 items 1-7): key
 * rollover, IP/DNS/email/URI/DN name constraints and their syntax, trust-anchor checks,
 * the profile rules and their level (default or --strict), weak keys. Every case here
 * was accepted (or wrongly rejected) before issue 19.
 */
import {generateKeyPairSync} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {hasTool, run as runTool} from '../helpers/peers.js'
import {tmpDir} from '../helpers/tmp.js'
import {describe, expect, it} from 'vitest'
import {singleBundleSet, verifyChain, verifySvid} from '../../src/index.js'
import {nameDer} from '../../src/core/x509/build.js'
import {tlv, seq, oid} from '../../src/core/x509/der.js'
import {OID} from '../../src/core/x509/oids.js'
import {certificatePem, parseCertificateDer} from '../../src/core/x509/certificate.js'
import {certParts, resign} from './chain-kit.js'
import {
  type KitCert,
  baseChain,
  cert,
  dirName,
  dns,
  ecKey,
  email,
  ip,
  nameConstraints,
  otherName,
  uri,
  X509_AT,
} from './x509-kit.js'

type Chain = Awaited<ReturnType<typeof baseChain>>
const run = (c: Chain, strict = false) =>
  verifyChain({leaf: c.leaf, intermediates: [c.inter], roots: [c.root], at: X509_AT, strict})
const verdict = (r: ReturnType<typeof run>) => ({valid: r.valid, code: r.errors[0]?.code})
const OK = {valid: true, code: undefined}

describe('self-issued certificates (RFC 5280 §6.1, PKITS 4.5)', () => {
  it('a CA key rollover (NewWithOld: same subject, new key, signed by the old key) is a link, not the end of the path', async () => {
    const rk = ecKey()
    const oldKey = ecKey()
    const newKey = ecKey()
    const root = await cert({subject: 'CN=Root', key: rk, signer: rk, ca: true})
    // The old CA allows no intermediate below it: the self-issued rollover certificate does not count (§6.1.4 (l)).
    const oldCa = await cert({
      subject: 'CN=CA',
      issuer: 'CN=Root',
      key: oldKey,
      signer: rk,
      ca: true,
      pathLen: 0,
      aki: root.ski,
    })
    const newWithOld = await cert({
      subject: 'CN=CA',
      issuer: 'CN=CA',
      key: newKey,
      signer: oldKey,
      ca: true,
      aki: oldCa.ski,
    })
    const leaf = await cert({
      subject: 'CN=leaf',
      issuer: 'CN=CA',
      key: ecKey(),
      signer: newKey,
      aki: newWithOld.ski,
      san: [dns('a.example')],
    })
    const r = verifyChain({leaf, intermediates: [oldCa, newWithOld], roots: [root], at: X509_AT})
    expect(verdict(r)).toEqual(OK)
    expect(r.chain.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'intermediate', 'root'])
  })

  it('verify (SPIFFE profile): an SVID under a rolled-over CA verifies, without the "self-signed" warning or a look-alike hint', async () => {
    const rk = ecKey()
    const oldKey = ecKey()
    const newKey = ecKey()
    const spiffe = {san: [uri('spiffe://example.org')]}
    const root = await cert({subject: 'CN=Root', key: rk, signer: rk, ca: true, ...spiffe})
    const oldCa = await cert({
      subject: 'CN=CA',
      issuer: 'CN=Root',
      key: oldKey,
      signer: rk,
      ca: true,
      aki: root.ski,
      ...spiffe,
    })
    const newWithOld = await cert({
      subject: 'CN=CA',
      issuer: 'CN=CA',
      key: newKey,
      signer: oldKey,
      ca: true,
      aki: oldCa.ski,
      ...spiffe,
    })
    const leaf = await cert({
      subject: 'CN=web',
      issuer: 'CN=CA',
      key: ecKey(),
      signer: newKey,
      aki: newWithOld.ski,
      san: [uri('spiffe://example.org/web')],
      sanCritical: true,
    })
    const r = verifySvid({
      chain: [leaf, newWithOld, oldCa],
      bundles: singleBundleSet('example.org', [root]),
      at: X509_AT,
    })
    expect({valid: r.valid, errors: r.errors}).toEqual({valid: true, errors: []})
    expect(r.warnings.filter((w) => w.includes('self-signed'))).toEqual([])
    expect(r.chain.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'intermediate', 'root'])
  })

  it('a self-issued intermediate is exempt from name constraints; the leaf is not', async () => {
    const rk = ecKey()
    const ck = ecKey()
    const nk = ecKey()
    const root = await cert({
      subject: 'CN=Root',
      key: rk,
      signer: rk,
      ca: true,
      nc: nameConstraints([dirName('CN=Root')]),
    })
    const ca = await cert({subject: 'CN=Root', issuer: 'CN=Root', key: ck, signer: rk, ca: true, aki: root.ski})
    const leaf = await cert({subject: 'CN=elsewhere', issuer: 'CN=Root', key: nk, signer: ck, aki: ca.ski})
    const r = verifyChain({leaf, intermediates: [ca], roots: [root], at: X509_AT})
    expect(verdict(r)).toEqual({valid: false, code: 'name-constraint-violation'})
    expect(r.errors[0].message).toContain('directory name "CN=elsewhere"')
  })
})

describe('IP name constraints on bytes (RFC 5280 §4.2.1.10)', () => {
  const v4 = nameConstraints([ip(10, 0, 0, 0, 255, 0, 0, 0)])
  const v6 = nameConstraints([
    ip(0x20, 0x01, 0x0d, 0xb8, ...Array(12).fill(0), 0xff, 0xff, 0xff, 0xff, ...Array(12).fill(0)),
  ])
  it.each([
    ['permitted 10.0.0.0/8, SAN 10.1.2.3', v4, ip(10, 1, 2, 3), OK],
    [
      'permitted 10.0.0.0/8, SAN 192.168.1.1',
      v4,
      ip(192, 168, 1, 1),
      {valid: false, code: 'name-constraint-violation'},
    ],
    [
      'excluded 10.0.0.0/8, SAN 10.1.2.3',
      nameConstraints(undefined, [ip(10, 0, 0, 0, 255, 0, 0, 0)]),
      ip(10, 1, 2, 3),
      {valid: false, code: 'name-constraint-violation'},
    ],
    [
      'excluded 10.0.0.0/8, SAN 11.0.0.1',
      nameConstraints(undefined, [ip(10, 0, 0, 0, 255, 0, 0, 0)]),
      ip(11, 0, 0, 1),
      OK,
    ],
    ['permitted 2001:db8::/32, SAN 2001:db8::1', v6, ip(0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1), OK],
    [
      'permitted 2001:db8::/32, SAN 2001:db9::1',
      v6,
      ip(0x20, 0x01, 0x0d, 0xb9, ...Array(11).fill(0), 1),
      {valid: false, code: 'name-constraint-violation'},
    ],
    ['permitted IPv6 only, SAN IPv4', v6, ip(10, 1, 2, 3), {valid: false, code: 'name-constraint-violation'}],
    [
      'a mask that is not a prefix',
      nameConstraints([ip(10, 0, 0, 0, 255, 0, 255, 0)]),
      ip(10, 1, 2, 3),
      {valid: false, code: 'name-constraint-invalid'},
    ],
  ])('%s', async (_n, nc, san, want) => {
    expect(verdict(run(await baseChain({inter: {nc}, leaf: {san: [san]}})))).toEqual(want)
  })
})

describe('DNS, email and URI constraints', () => {
  it.each([
    [
      'a wildcard SAN covering an excluded name (CVE-2025-61727)',
      nameConstraints(undefined, [dns('bad.example.com')]),
      [dns('*.example.com')],
      'name-constraint-violation',
    ],
    [
      'a DNS SAN that is not a name, under a constraint that would permit it',
      nameConstraints([dns('example.com')]),
      [dns('a b.example.com')],
      'name-constraint-violation',
    ],
    [
      'an email constraint host admits that host only',
      nameConstraints([email('example.com')]),
      [email('u@mail.example.com')],
      'name-constraint-violation',
    ],
    [
      'a URI constraint host admits that host only',
      nameConstraints([uri('example.com')]),
      [uri('https://sub.example.com/x')],
      'name-constraint-violation',
    ],
    [
      'a URI without host under URI constraints',
      nameConstraints(undefined, [uri('example.com')]),
      [uri('urn:x:y')],
      'name-constraint-violation',
    ],
    [
      'a critical otherName subtree (a form svidkit does not evaluate)',
      nameConstraints([dns('example.com'), otherName()]),
      [dns('a.example.com')],
      'name-constraint-invalid',
    ],
    ['an empty nameConstraints', seq(), [dns('a.example.com')], 'name-constraint-invalid'],
    [
      'a subtree with a maximum',
      seq(tlv(0xa0, seq(tlv(0x82, Buffer.from('example.com')), tlv(0x81, Buffer.from([1]))))),
      [dns('a.example.com')],
      'name-constraint-invalid',
    ],
  ] as const)('%s', async (_n, nc, san, code) => {
    expect(verdict(run(await baseChain({inter: {nc}, leaf: {san: [...san]}})))).toEqual({valid: false, code})
  })

  it('within the constraints, all forms pass', async () => {
    const nc = nameConstraints([dns('example.com'), email('.example.com'), uri('.example.com')])
    expect(
      verdict(
        run(
          await baseChain({
            inter: {nc},
            leaf: {san: [dns('a.b.example.com'), email('u@m.example.com'), uri('spiffe://td.example.com/x')]},
          }),
        ),
      ),
    ).toEqual(OK)
  })

  it.each([
    ['a non-critical nameConstraints', {nc: nameConstraints([dns('example.com')]), ncCritical: false}],
    ['a DNS constraint with a leading period', {nc: nameConstraints([dns('.example.com')])}],
    ['an empty subtree list', {nc: nameConstraints([dns('example.com')], [])}],
  ])('%s: accepted with a warning by default, name-constraint-invalid with --strict', async (_n, inter) => {
    const c = await baseChain({inter, leaf: {san: [dns('a.example.com')]}})
    const r = run(c)
    expect(verdict(r)).toEqual(OK)
    expect(r.warnings.some((w) => w.includes('--strict refuses it'))).toBe(true)
    expect(verdict(run(c, true))).toEqual({valid: false, code: 'name-constraint-invalid'})
  })

  it('nameConstraints in an end-entity certificate: --strict refuses it', async () => {
    const c = await baseChain({leaf: {nc: nameConstraints([dns('example.com')])}})
    expect(verdict(run(c))).toEqual(OK)
    expect(verdict(run(c, true))).toEqual({valid: false, code: 'name-constraint-invalid'})
  })
})

describe('trust anchors are checked (OpenSSL refuses a non-CA anchor)', () => {
  it.each([
    ['no basicConstraints, no key usage', {bcCritical: null, ku: null}, 'signing-cert-not-ca'],
    ['cA=FALSE', {ca: false, ku: ['keyCertSign' as const]}, 'signing-cert-not-ca'],
    ['key usage without keyCertSign', {ku: ['digitalSignature' as const]}, 'signing-cert-no-key-cert-sign'],
  ])('%s is refused by default', async (_n, root, code) => {
    expect(verdict(run(await baseChain({root})))).toEqual({valid: false, code})
  })

  it.each([
    ['non-critical basicConstraints', {bcCritical: false}],
    ['no basicConstraints but keyCertSign (OpenSSL accepts it as an anchor)', {bcCritical: null}],
    [
      'a critical subjectKeyIdentifier',
      {omitSki: true, extra: [{oid: OID.subjectKeyIdentifier, critical: true, value: tlv(0x04, Buffer.alloc(20, 1))}]},
    ],
    ['an empty subject', {subject: '', subjectDer: nameDer('')}],
  ] as [string, Partial<KitCert>][])('%s: accepted by default, refused by --strict', async (_n, root) => {
    const c = await baseChain({
      root: {...root, ...(root.subject === '' ? {issuerDer: nameDer('')} : {})},
      inter: root.subject === '' ? {issuerDer: nameDer('')} : {},
    })
    expect(verdict(run(c))).toEqual(OK)
    expect(run(c, true).valid).toBe(false)
  })
})

describe('profile rules (RFC 5280 §4) and weak keys', () => {
  it.each([
    [
      'a malformed authorityInfoAccess (Go refuses it)',
      {extra: [{oid: '1.3.6.1.5.5.7.1.1', critical: false, value: seq()}]},
      'profile-violation',
      'profile-violation',
    ],
    ['serial zero', {serial: '00'}, undefined, 'profile-violation'],
    ['a 21-octet serial', {serial: `01${'ab'.repeat(20)}`}, undefined, 'profile-violation'],
    [
      'an empty extendedKeyUsage',
      {extra: [{oid: OID.extKeyUsage, critical: false, value: seq()}]},
      undefined,
      'profile-violation',
    ],
    ['no authorityKeyIdentifier', {aki: undefined}, undefined, 'profile-violation'],
  ])('leaf with %s', async (_n, leaf, byDefault, strict) => {
    const c = await baseChain({leaf: leaf as never})
    expect(verdict(run(c)).code).toBe(byDefault)
    expect(verdict(run(c, true)).code).toBe(strict)
  })

  it('a negative serial is refused by default (Go refuses it)', async () => {
    const c = await baseChain()
    const {fields, alg} = certParts(c.leaf.der)
    fields[1] = tlv(0x02, Buffer.from([0xff, 0x01]))
    const leaf = parseCertificateDer(resign(fields, alg, c.keys.ik))
    expect(verdict(run({...c, leaf}))).toEqual({valid: false, code: 'profile-violation'})
    expect(run({...c, leaf}).errors[0].message).toContain('negative serial number')
  })

  it('a CA without subjectKeyIdentifier: --strict refuses it', async () => {
    const c = await baseChain({inter: {omitSki: true}})
    expect(verdict(run(c))).toEqual(OK)
    expect(verdict(run(c, true))).toEqual({valid: false, code: 'profile-violation'})
  })

  const rsa = (bits: number) => generateKeyPairSync('rsa', {modulusLength: bits})
  it.each([
    ['RSA 1024 (warning by default)', () => rsa(1024), undefined, 'weak-key'],
    ['RSA 2047 (modulus not a multiple of 8)', () => rsa(2047), undefined, 'weak-key'],
    ['P-192', () => generateKeyPairSync('ec', {namedCurve: 'prime192v1'}), 'weak-key', 'weak-key'],
    ['DSA', () => generateKeyPairSync('dsa', {modulusLength: 2048, divisorLength: 224}), 'weak-key', 'weak-key'],
  ])('leaf key %s', async (_n, key, byDefault, strict) => {
    const k = key()
    const c = await baseChain({
      leaf: {key: {publicKey: new Uint8Array(k.publicKey.export({type: 'spki', format: 'der'}))}},
    })
    expect(verdict(run(c)).code).toBe(byDefault)
    expect(verdict(run(c, true)).code).toBe(strict)
  })
})

describe('name chaining (RFC 5280 §7.1)', () => {
  const utf8Name = (cn: string) => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))))
  const printableName = (cn: string) => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x13, Buffer.from(cn)))))

  it('an issuer that matches the CA subject only after case and white-space folding chains by default (with a warning), not with --strict', async () => {
    const c = await baseChain({
      inter: {subjectDer: utf8Name('Issuing  CA')},
      leaf: {issuerDer: printableName('issuing ca')},
    })
    const r = run(c)
    expect(verdict(r)).toEqual(OK)
    expect(r.warnings.some((w) => w.includes('RFC 5280 §7.1'))).toBe(true)
    expect(verdict(run(c, true))).toEqual({valid: false, code: 'profile-violation'})
  })

  it('names that differ in more than case and white space never chain', async () => {
    const c = await baseChain({
      inter: {subjectDer: utf8Name('Issuing CA')},
      leaf: {issuerDer: printableName('Issuing CB')},
    })
    expect(verdict(run(c))).toEqual({valid: false, code: 'untrusted-chain'})
  })

  it.skipIf(!hasTool('openssl'))(
    'openssl verify agrees on both (Go compares bytes and chains neither: docs/verification.md)',
    async (ctx) => {
      const dir = tmpDir(ctx)
      const opensslAccepts = (c: Chain) => {
        writeFileSync(join(dir, 'root.pem'), certificatePem(c.root))
        writeFileSync(join(dir, 'inter.pem'), certificatePem(c.inter))
        writeFileSync(join(dir, 'leaf.pem'), certificatePem(c.leaf))
        const at = String(X509_AT.getTime() / 1000)
        return (
          runTool('openssl', [
            'verify',
            '-attime',
            at,
            '-CAfile',
            join(dir, 'root.pem'),
            '-untrusted',
            join(dir, 'inter.pem'),
            join(dir, 'leaf.pem'),
          ]).status === 0
        )
      }
      expect(
        opensslAccepts(
          await baseChain({
            inter: {subjectDer: utf8Name('Issuing  CA')},
            leaf: {issuerDer: printableName('issuing ca')},
          }),
        ),
      ).toBe(true)
      expect(
        opensslAccepts(
          await baseChain({
            inter: {subjectDer: utf8Name('Issuing CA')},
            leaf: {issuerDer: printableName('Issuing CB')},
          }),
        ),
      ).toBe(false)
    },
  )
})
