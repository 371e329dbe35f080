/**
 * The self-check of every new leaf (svid/leaf-check.ts) reads it with the one certificate
 * reader and extension decoders (x509/certificate-read.ts, extension-read.ts): a leaf of
 * the X509-SVID profile passes, and each departure from the profile fails with an internal
 * error naming the rule (a bug in svidkit, exit 1).
 */
import {generateKeyPairSync} from 'node:crypto'
import {beforeAll, describe, expect, it} from 'vitest'
import {createAuthority} from '../../src/core/ca/create.js'
import {signingCredential, type CaCredential} from '../../src/core/ca/authority.js'
import {checkIssuedLeaf, type LeafExpectation} from '../../src/core/svid/leaf-check.js'
import {buildCertificateDer, type CertificateTemplate} from '../../src/core/x509/build.js'
import {spkiDer} from '../../src/core/x509/keys.js'
import {OID} from '../../src/core/x509/oids.js'

const ID = 'spiffe://example.org/web'
const NOW = new Date()
const key = generateKeyPairSync('ec', {namedCurve: 'P-256'})

let ca: CaCredential
beforeAll(async () => {
  ca = signingCredential((await createAuthority({trustDomain: 'example.org'})).authority)
})

/** A leaf of the X509-SVID profile signed by the CA, with `t` changed. */
function leaf(t: Partial<CertificateTemplate> = {}): Uint8Array {
  return buildCertificateDer({
    subject: 'O=svidkit',
    issuerName: ca.cert.subjectDer,
    notBefore: new Date(NOW.getTime() - 60_000),
    notAfter: new Date(NOW.getTime() + 3_600_000),
    publicKey: key.publicKey,
    signingKey: ca.key,
    authorityKeyId: ca.cert.ski,
    basicConstraints: {ca: false, critical: true},
    keyUsage: {names: ['digitalSignature'], critical: true},
    extKeyUsage: {oids: [OID.serverAuth, OID.clientAuth], critical: false},
    san: {uris: [ID], critical: false},
    ...t,
  })
}

const expectation = (): LeafExpectation => ({
  spiffeId: ID,
  issuer: ca.cert,
  keySpki: spkiDer(key.publicKey),
  chainNotAfter: ca.cert.notAfter,
  at: NOW,
})

describe('checkIssuedLeaf', () => {
  it('passes a leaf of the profile and returns its fields as read (control)', () => {
    const raw = checkIssuedLeaf(leaf(), expectation(), false)
    expect(raw.version).toBe(2)
    expect(raw.extensions.map((e) => e.oid)).toContain(OID.subjectAltName)
  })

  const rows: {name: string; t: () => Partial<CertificateTemplate>; rule: RegExp}[] = [
    {
      name: 'signed by another key',
      t: () => ({signingKey: generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey}),
      rule: /signature does not verify/,
    },
    {
      name: 'another subject key',
      t: () => ({publicKey: generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey}),
      rule: /does not belong to the certificate/,
    },
    {name: 'issuer name not the CA subject', t: () => ({issuerName: undefined}), rule: /issuer name differs/},
    {
      name: 'two URI SANs',
      t: () => ({san: {uris: [ID, 'spiffe://example.org/db'], critical: false}}),
      rule: /URI SANs are not exactly/,
    },
    {name: 'an empty subject with a non-critical SAN', t: () => ({subject: ''}), rule: /SAN is not critical/},
    {
      name: 'CA:TRUE',
      t: () => ({basicConstraints: {ca: true, critical: true}}),
      rule: /basicConstraints is not critical CA:FALSE/,
    },
    {
      name: 'basicConstraints not critical',
      t: () => ({basicConstraints: {ca: false, critical: false}}),
      rule: /basicConstraints is not critical/,
    },
    {
      name: 'keyCertSign',
      t: () => ({keyUsage: {names: ['digitalSignature', 'keyCertSign'], critical: true}}),
      rule: /keyUsage is not critical digitalSignature/,
    },
    {
      name: 'no clientAuth',
      t: () => ({extKeyUsage: {oids: [OID.serverAuth], critical: false}}),
      rule: /extKeyUsage lacks/,
    },
    {
      name: 'an AKI that is not the issuer SKI',
      t: () => ({authorityKeyId: '00112233'}),
      rule: /AKI is not the issuer's SKI/,
    },
    {name: 'no SKI', t: () => ({omitSki: true}), rule: /no SKI/},
    {
      name: 'another critical extension',
      t: () => ({extra: [{oid: '1.2.3.4', critical: true, value: new Uint8Array([5, 0])}]}),
      rule: /unexpected critical extension 1\.2\.3\.4/,
    },
    {name: 'not valid now', t: () => ({notBefore: new Date(NOW.getTime() + 60_000)}), rule: /not valid now/},
  ]
  it.each(rows)('fails a leaf with $name', ({t, rule}) => {
    expect(() => checkIssuedLeaf(leaf(t()), expectation(), false)).toThrow(
      expect.objectContaining({code: 'internal', message: expect.stringMatching(rule)}),
    )
  })

  it('a notAfter past the signing chain fails; outside validity passes only when allowed', () => {
    const late = leaf({notAfter: new Date(ca.cert.notAfter.getTime() + 86_400_000)})
    expect(() => checkIssuedLeaf(late, expectation(), false)).toThrow(/past the signing chain notAfter/)
    const expired = leaf({
      notBefore: new Date(NOW.getTime() - 7_200_000),
      notAfter: new Date(NOW.getTime() - 3_600_000),
    })
    expect(() => checkIssuedLeaf(expired, expectation(), false)).toThrow(/not valid now/)
    expect(() => checkIssuedLeaf(expired, expectation(), true)).not.toThrow()
  })
})
