import {usageError} from '../errors.js'

/** The key types svidkit generates (`svidkit ca init --help`, --key-type). */
export const KEY_TYPES = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519'] as const

/** A key type name such as `ec-p256`. */
export type KeyType = (typeof KEY_TYPES)[number]

/** Returns the key type named by `text`; throws a usage error listing the valid names. */
export function parseKeyType(text: string): KeyType {
  if ((KEY_TYPES as readonly string[]).includes(text)) return text as KeyType
  throw usageError(`unknown key type "${text}"`, `use one of: ${KEY_TYPES.join(', ')}`)
}

/** Returns true for RSA key types. */
export function isRsa(type: KeyType): boolean {
  return type.startsWith('rsa-')
}
