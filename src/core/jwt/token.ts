/**
 * JWS compact serialization (RFC 7515 §7.1) of JWT-SVIDs: splitting and decoding a token
 * without trusting it, and assembling one from its parts.
 */

/** Longest token svidkit reads: a JWT-SVID is a few hundred bytes; anything this long is not one. */
const MAX_TOKEN_BYTES = 64 * 1024

/** A token split into its parts, nothing checked but the syntax. */
export interface DecodedToken {
  header: Record<string, unknown>
  payload: Record<string, unknown>
  /** The bytes the signature covers: `base64url(header) "." base64url(payload)`. */
  signingInput: string
  signature: Buffer
}

/** Thrown when a token is not a JWS compact serialization of two JSON objects. */
export class MalformedToken extends Error {}

const B64URL = /^[A-Za-z0-9_-]*$/

/** Returns the base64url text (no padding) of the bytes or UTF-8 string. */
export function b64url(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url')
}

function decodePart(part: string, what: string): Buffer {
  if (!B64URL.test(part)) throw new MalformedToken(`the ${what} is not base64url`)
  return Buffer.from(part, 'base64url')
}

function jsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new MalformedToken(`the ${what} is not JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedToken(`the ${what} is not a JSON object`)
  return value as Record<string, unknown>
}

/** Returns the decoded parts of a JWS compact token; throws MalformedToken. */
export function decodeToken(token: string): DecodedToken {
  const text = token.trim()
  if (text.length > MAX_TOKEN_BYTES) throw new MalformedToken(`the token is longer than ${MAX_TOKEN_BYTES} bytes`)
  const parts = text.split('.')
  if (parts.length !== 3) throw new MalformedToken(`a JWS compact token has 3 dot-separated parts; got ${parts.length}`)
  const [h, p, s] = parts
  return {
    header: jsonObject(decodePart(h, 'header'), 'header'),
    payload: jsonObject(decodePart(p, 'payload'), 'payload'),
    signingInput: `${h}.${p}`,
    signature: decodePart(s, 'signature'),
  }
}

/** Returns the signing input of a header and payload (the JSON is written as given, in key order). */
export function signingInputOf(header: object, payload: object): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
}
