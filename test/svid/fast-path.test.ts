/**
 * The issuance fast path describes and encodes what it builds without the schema
 * libraries; these tests hold it to what the libraries and OpenSSL produce: the SPKI and
 * PKCS#8 bytes equal Node's (OpenSSL's) encoders, and every ParsedCertificate issuance
 * returns equals the full @peculiar/asn1 parse of its DER, for every key type, profile
 * option and defect.
 */
import {createPublicKey, generateKeyPairSync, sign, verify, type KeyObject} from 'node:crypto'
import {beforeAll, describe, expect, it} from 'vitest'
import {
  createAuthority,
  DEFECTS,
  issueSvid,
  parseCertificateDer,
  type Authority,
  type ParsedCertificate,
} from '../../src/index.js'
import {NewEcKey, pkcs8Der, spkiDer} from '../../src/core/x509/keys.js'
import {svidKeyPkcs8} from '../../src/core/svid/svid.js'
import {describeBuiltCertificate} from '../../src/core/x509/leaf-describe.js'

const keys: {name: string; make: () => KeyObject}[] = [
  {name: 'ec-p256', make: () => generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey},
  {name: 'ec-p384', make: () => generateKeyPairSync('ec', {namedCurve: 'P-384'}).privateKey},
  {name: 'ed25519', make: () => generateKeyPairSync('ed25519').privateKey},
  {name: 'rsa-2048', make: () => generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey},
]

describe('key encodings', () => {
  it.for(keys)('$name: SPKI and PKCS#8 bytes equal OpenSSL encoder output', ({name, make}) => {
    // Many EC and Ed25519 keys (fixed-length fields must stay fixed), few RSA keys (slow to generate).
    const n = name.startsWith('rsa') ? 2 : 40
    for (let i = 0; i < n; i++) {
      const k = make()
      expect(Buffer.from(pkcs8Der(k)).toString('hex')).toBe(k.export({format: 'der', type: 'pkcs8'}).toString('hex'))
      expect(Buffer.from(spkiDer(k)).toString('hex')).toBe(
        createPublicKey(k).export({format: 'der', type: 'spki'}).toString('hex'),
      )
    }
  })

  // Issuance makes EC keys through ECDH and writes their encodings itself (keys.ts NewEcKey).
  // About 1 in 256 scalars is shorter than the curve's size and must be padded: 4,000 P-256
  // keys meet about 16 (none at all: odds under 1 in 5 million). P-384 keys: fewer, not counted.
  it.for([
    {type: 'ec-p256', n: 4000},
    {type: 'ec-p384', n: 300},
  ] as const)(
    '$type NewEcKey: SPKI and PKCS#8 equal OpenSSL encoder output for its KeyObject; the key signs',
    ({type, n}) => {
      let short = 0
      for (let i = 0; i < n; i++) {
        const key = new NewEcKey(type)
        const k = key.keyObject()
        expect(Buffer.from(key.pkcs8).equals(k.export({format: 'der', type: 'pkcs8'}))).toBe(true)
        expect(Buffer.from(key.spki).equals(createPublicKey(k).export({format: 'der', type: 'spki'}))).toBe(true)
        if (Buffer.from(k.export({format: 'jwk'}).d as string, 'base64url')[0] === 0) short++
      }
      if (type === 'ec-p256') expect(short).toBeGreaterThan(0)
      const key = new NewEcKey(type)
      expect(key.keyObject().asymmetricKeyDetails?.namedCurve).toBe(type === 'ec-p256' ? 'prime256v1' : 'secp384r1')
      expect(key.keyObject()).toBe(key.keyObject())
      const sig = sign(null, Buffer.from('x'), key.keyObject())
      expect(
        verify(null, Buffer.from('x'), createPublicKey({key: Buffer.from(key.spki), format: 'der', type: 'spki'}), sig),
      ).toBe(true)
    },
  )

  it("an issued SVID's key: PKCS#8 known without a KeyObject, the KeyObject made on first read and the same after", async () => {
    const {authority} = await createAuthority({trustDomain: 'example.org'})
    const {svid} = await issueSvid(authority, {spiffeId: 'spiffe://example.org/lazy'})
    const pkcs8 = svidKeyPkcs8(svid)
    expect(pkcs8).toBeDefined()
    const k = svid.privateKey
    expect(k).toBeDefined()
    expect(svid.privateKey).toBe(k)
    expect(Buffer.from(pkcs8!).equals(k!.export({format: 'der', type: 'pkcs8'}))).toBe(true)
    expect(svid.certificates[0].node.checkPrivateKey(k!)).toBe(true)
    // A copy holds the KeyObject itself, as for any other SVID.
    expect({...svid}.privateKey).toBe(k)
    expect(Object.keys(svid).sort()).toEqual(['certificates', 'id', 'privateKey'])
  })
})

/** The certificate without Node's view (an object that toEqual cannot compare); sha256 may be a getter. */
function plain(c: ParsedCertificate): Omit<ParsedCertificate, 'node'> {
  const {node, ...rest} = c
  expect(node.raw.equals(Buffer.from(c.der))).toBe(true)
  return {
    ...rest,
    sha256: c.sha256,
    der: Uint8Array.from(rest.der),
    subjectDer: Uint8Array.from(rest.subjectDer),
    issuerDer: Uint8Array.from(rest.issuerDer),
  }
}

let authority: Authority
beforeAll(async () => {
  authority = (await createAuthority({trustDomain: 'example.org', intermediates: 2})).authority
})

const ID = 'spiffe://example.org/web'
const variants: {name: string; opts: Parameters<typeof issueSvid>[1]}[] = [
  ...(['ec-p256', 'ec-p384', 'ed25519', 'rsa-2048'] as const).map((keyType) => ({
    name: keyType,
    opts: {spiffeId: ID, keyType},
  })),
  {name: 'dns SANs', opts: {spiffeId: ID, dns: ['web.example', '*.web.example']}},
  {name: 'empty subject (critical SAN)', opts: {spiffeId: ID, subject: ''}},
  {name: 'multi-attribute subject', opts: {spiffeId: ID, subject: 'CN=web, O=example, C=DE'}},
  {name: 'keyEncipherment', opts: {spiffeId: ID, keyType: 'rsa-2048', keyEncipherment: true}},
  {
    name: 'expired (not-after in the past)',
    opts: {spiffeId: ID, notBefore: new Date(Date.now() - 7_200_000), notAfter: new Date(Date.now() - 3_600_000)},
  },
  {name: 'notBefore with milliseconds', opts: {spiffeId: ID, notBefore: new Date(Date.now() - 1234)}},
  ...DEFECTS.map((d) => ({name: `defect ${d.name}`, opts: {spiffeId: ID, defects: [d]}})),
]

describe('described certificates equal the full parse', () => {
  it.for(variants)('$name', async ({opts}) => {
    const {svid} = await issueSvid(authority, opts)
    for (const c of svid.certificates) {
      const full = parseCertificateDer(Uint8Array.from(c.der))
      expect(plain(c)).toEqual(plain(full))
      expect(plain(describeBuiltCertificate(Uint8Array.from(c.der)))).toEqual(plain(full))
    }
  })

  it('CA certificates (name constraints: read back) describe as the full parse', () => {
    for (const c of [...authority.roots, ...authority.intermediates].map((x) => x.cert)) {
      expect(plain(describeBuiltCertificate(Uint8Array.from(c.der)))).toEqual(
        plain(parseCertificateDer(Uint8Array.from(c.der))),
      )
    }
  })
})
