/**
 * Seeded key material for byte-stable test fixtures (`--seed`): keys, serials and ECDSA
 * signatures derived from a seed string, so the same arguments give the same bytes on any
 * machine. For tests only: anyone who knows the seed has the private keys.
 *
 * - EC P-256/P-384: the private scalar from the seed (reduced into [1, n-1]).
 * - Ed25519: the 32-byte private key (RFC 8032 seed) from the seed; signatures are deterministic anyway.
 * - ECDSA signatures: RFC 6979 deterministic nonces (@noble/curves), DER-encoded as X.509 wants.
 * - RSA 2048/3072/4096: a deterministic prime search from the seed (seeded-rsa.ts); PKCS#1 v1.5
 *   signatures are deterministic anyway, RSA-PSS ones take a salt derived from key and message (pss.ts).
 */
import {
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  type KeyObject,
} from 'node:crypto'
import {createRequire} from 'node:module'
import {seededRsaKeyPair} from './seeded-rsa.js'
import type {KeyType} from './key-type.js'
import type {KeyPair} from './keys.js'

/** The warning every seeded command prints. */
export const SEEDED_WARNING =
  'keys derived from --seed are for test fixtures only: anyone who knows the seed has the private keys'

/** Returns `n` bytes derived from the seed for one purpose (`label`): HMAC-SHA256 in counter mode. */
export function seededBytes(seed: string, label: string, n: number): Buffer {
  const out: Buffer[] = []
  for (let i = 0; out.length * 32 < n; i++)
    out.push(createHmac('sha256', `svidkit-seed:${seed}`).update(`${label}\0${i}`).digest())
  return Buffer.concat(out).subarray(0, n)
}

/** Returns a positive 16-byte serial (hex) from the seed, as `randomSerial` makes them. */
export function seededSerial(seed: string, label: string): string {
  const b = seededBytes(seed, `serial:${label}`, 16)
  b[0] = (b[0] & 0x7f) | 0x40 // positive, and 16 bytes long in DER
  return b.toString('hex')
}

type Noble = typeof import('@noble/curves/p256').p256

/**
 * @noble/curves, loaded on first use only: importing it costs 40-80 ms, which every `issue`
 * and `ca init` would pay although only seeded runs sign with it (createRequire: a require inside
 * the function, which the bundler leaves lazy).
 */
function noble(curve: 'p256' | 'p384'): Noble {
  const mod = createRequire(import.meta.url)(`@noble/curves/${curve}`) as Record<string, Noble>
  return mod[curve]
}

const CURVES = {
  'ec-p256': {openssl: 'prime256v1', jwk: 'P-256', bytes: 32, noble: 'p256'},
  'ec-p384': {openssl: 'secp384r1', jwk: 'P-384', bytes: 48, noble: 'p384'},
} as const

/** Returns a key pair of `type` derived from the seed and `label` (the same pair for the same three, on any machine). */
export function seededKeyPair(seed: string, label: string, type: KeyType): KeyPair {
  if (type === 'ed25519') {
    const pkcs8 = Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      seededBytes(seed, `ed25519:${label}`, 32),
    ])
    const privateKey = createPrivateKey({key: pkcs8, format: 'der', type: 'pkcs8'})
    return {privateKey, publicKey: createPublicKey(privateKey)}
  }
  if (type !== 'ec-p256' && type !== 'ec-p384') {
    const bits = Number(type.slice(4))
    return seededRsaKeyPair(
      bits,
      (part, n) => seededBytes(seed, `${type}:${label}:${part}`, n),
      JSON.stringify([seed, label]),
    )
  }
  const c = CURVES[type]
  const order = noble(c.noble).CURVE.n
  // 16 extra bytes make the bias of the reduction negligible (FIPS 186-5 A.2.1).
  const wide = BigInt(`0x${seededBytes(seed, `${type}:${label}`, c.bytes + 16).toString('hex')}`)
  const d = Buffer.from(((wide % (order - 1n)) + 1n).toString(16).padStart(c.bytes * 2, '0'), 'hex')
  const ecdh = createECDH(c.openssl)
  ecdh.setPrivateKey(d)
  const point = ecdh.getPublicKey()
  const jwk = {
    kty: 'EC',
    crv: c.jwk,
    d: d.toString('base64url'),
    x: point.subarray(1, 1 + c.bytes).toString('base64url'),
    y: point.subarray(1 + c.bytes).toString('base64url'),
  }
  const privateKey = createPrivateKey({key: jwk, format: 'jwk'})
  return {privateKey, publicKey: createPublicKey(privateKey)}
}

/**
 * Returns the signature of `data` as `sign(hash, data, key)` would, but deterministic for
 * ECDSA (RFC 6979 nonce, DER encoding). Other key types sign deterministically already.
 */
export function deterministicSign(
  hash: string | null,
  data: Uint8Array,
  key: KeyObject,
  encoding: 'der' | 'ieee-p1363' = 'der',
): Buffer {
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined
  const c = curve === 'prime256v1' ? CURVES['ec-p256'] : curve === 'secp384r1' ? CURVES['ec-p384'] : undefined
  if (!c || !hash) return nodeSign(hash, data, key)
  const d = Buffer.from(String(key.export({format: 'jwk'}).d), 'base64url')
  const digest = createHash(hash).update(data).digest()
  const sig = noble(c.noble).sign(digest, d, {lowS: true})
  return Buffer.from(encoding === 'der' ? sig.toDERRawBytes() : sig.toCompactRawBytes())
}
