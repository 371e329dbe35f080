/**
 * The signature algorithms of JWT-SVID §3 ("alg"): RS256/384/512, ES256/384/512 and
 * PS256/384/512, signed and verified with node:crypto. `none`, the HMAC family and
 * everything else are refused by `isAllowedAlg`.
 */
import {createHmac, sign as nodeSign, verify as nodeVerify, constants, type KeyObject} from 'node:crypto'
import {deterministicPssSign} from '../x509/pss.js'
import {deterministicSign} from '../x509/seeded.js'

/** The algorithms JWT-SVID §3 allows, in its order. */
const ALLOWED_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'] as const
export type JwtAlg = (typeof ALLOWED_ALGS)[number]

/** Returns true for an algorithm JWT-SVID §3 allows. */
export function isAllowedAlg(alg: unknown): alg is JwtAlg {
  return typeof alg === 'string' && (ALLOWED_ALGS as readonly string[]).includes(alg)
}

const EC_CURVE: Record<string, string> = {ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1'}

function hashOf(alg: JwtAlg): string {
  return `sha${alg.slice(2)}`
}

/** Returns why `key` cannot be used with `alg` (family, curve, RSA size), or undefined when it can. */
export function keyAlgMismatch(alg: JwtAlg, key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType
  if (alg.startsWith('ES')) {
    if (type !== 'ec') return `alg "${alg}" needs an EC key; the key is ${type}`
    const curve = key.asymmetricKeyDetails?.namedCurve
    if (curve !== EC_CURVE[alg]) return `alg "${alg}" needs curve ${EC_CURVE[alg]}; the key is on ${curve}`
    return undefined
  }
  if (type !== 'rsa' && type !== 'rsa-pss') return `alg "${alg}" needs an RSA key; the key is ${type}`
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  // RFC 7518 §3.3 and §3.5: a key of 2048 bits or larger MUST be used.
  if (bits < 2048) return `alg "${alg}" needs an RSA key of at least 2048 bits (RFC 7518 §3.3); the key has ${bits}`
  return undefined
}

function options(alg: JwtAlg, key: KeyObject) {
  if (alg.startsWith('ES')) return {key, dsaEncoding: 'ieee-p1363' as const}
  if (alg.startsWith('PS')) return {key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8}
  return {key, padding: constants.RSA_PKCS1_PADDING}
}

/** Returns the JWS signature of `input` under `alg` (JWS form: raw r||s for ECDSA, RFC 7518 §3.4). */
export function signWith(alg: JwtAlg, key: KeyObject, input: string, deterministic = false): Buffer {
  // Seeded fixtures: RFC 6979 nonces (P-256/P-384), a salt derived from key and message (PSS); PKCS#1 v1.5 is deterministic.
  if (deterministic && alg.startsWith('ES') && alg !== 'ES512')
    return deterministicSign(hashOf(alg), Buffer.from(input), key, 'ieee-p1363')
  if (deterministic && alg.startsWith('PS') && key.asymmetricKeyType === 'rsa')
    return deterministicPssSign(hashOf(alg) as 'sha256' | 'sha384' | 'sha512', Buffer.from(input), key)
  return nodeSign(hashOf(alg), Buffer.from(input), options(alg, key))
}

/** Returns true when `signature` is `alg`'s signature of `input` under the public key. */
export function verifyWith(alg: JwtAlg, key: KeyObject, input: string, signature: Buffer): boolean {
  try {
    return nodeVerify(hashOf(alg), Buffer.from(input), options(alg, key), signature)
  } catch {
    return false
  }
}

/** Returns the HS256 MAC of `input` keyed with `secret` (only to forge the key-confusion defect). */
export function hmacSha256(secret: Uint8Array, input: string): Buffer {
  return createHmac('sha256', secret).update(input).digest()
}

/** Returns the allowed algorithm a JWT-SVID signer uses for the key (ES256 for P-256, RS256 for RSA…). */
export function algForKey(key: KeyObject): JwtAlg {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve
    const alg = Object.entries(EC_CURVE).find(([, c]) => c === curve)?.[0]
    if (alg) return alg as JwtAlg
  }
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  throw new TypeError(
    `no JWT-SVID algorithm for a ${key.asymmetricKeyType} key (JWT-SVID §3 allows RSA and EC P-256/P-384/P-521)`,
  )
}
