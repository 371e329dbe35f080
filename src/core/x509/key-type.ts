import {usageError} from '../errors.js'

/** The key types svidkit generates (cli-contract.md "Key types"). */
export const KEY_TYPES = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519'] as const

/** A key type name such as `ec-p256`. */
export type KeyType = (typeof KEY_TYPES)[number]

/** Returns the WebCrypto algorithm that generates and imports keys of this type. */
export function keyAlgorithm(type: KeyType): RsaHashedKeyGenParams | EcKeyGenParams | Algorithm {
  switch (type) {
    case 'ec-p256':
      return {name: 'ECDSA', namedCurve: 'P-256'} as EcKeyGenParams
    case 'ec-p384':
      return {name: 'ECDSA', namedCurve: 'P-384'} as EcKeyGenParams
    case 'ed25519':
      return {name: 'Ed25519'}
    default:
      return {
        name: 'RSASSA-PKCS1-v1_5',
        hash: 'SHA-256',
        modulusLength: Number(type.slice(4)),
        publicExponent: new Uint8Array([1, 0, 1]),
      } as RsaHashedKeyGenParams
  }
}

/**
 * Returns the signature algorithm a key of this type signs certificates with
 * (spiffe-rules.md §2: P-256 → ECDSA-SHA256, P-384 → ECDSA-SHA384, RSA → SHA256
 * with PKCS#1 v1.5, Ed25519 → Ed25519; never SHA-1).
 */
export function signingAlgorithm(type: KeyType): Algorithm | EcdsaParams {
  switch (type) {
    case 'ec-p256':
      return {name: 'ECDSA', hash: 'SHA-256'} as EcdsaParams
    case 'ec-p384':
      return {name: 'ECDSA', hash: 'SHA-384'} as EcdsaParams
    case 'ed25519':
      return {name: 'Ed25519'}
    default:
      return {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'} as Algorithm
  }
}

/** Returns the key type named by `text`; throws a usage error listing the valid names. */
export function parseKeyType(text: string): KeyType {
  if ((KEY_TYPES as readonly string[]).includes(text)) return text as KeyType
  throw usageError(`unknown key type "${text}"`, `use one of: ${KEY_TYPES.join(', ')}`)
}

/** Returns true for RSA key types. */
export function isRsa(type: KeyType): boolean {
  return type.startsWith('rsa-')
}
