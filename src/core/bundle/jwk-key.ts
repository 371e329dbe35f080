/**
 * The JWK side of a SPIFFE JWKS entry: x5c decoding and the comparison of a JWK's own
 * public parameters with its certificate's key (SPIFFE Trust Domain and Bundle §4).
 */
import type {JsonWebKey} from 'node:crypto'
import type {ParsedCertificate} from '../x509/certificate.js'

/** Key types of RFC 7518 that go-spiffe's JOSE library knows; any other `kty` is unknown. */
export const KNOWN_KTY: ReadonlySet<string> = new Set(['EC', 'RSA', 'OKP', 'oct'])

/** The public parameters that identify a key, per `kty` (RFC 7518 §6, RFC 8037 §2). */
const PUBLIC_PARAMS: Record<string, readonly string[]> = {
  EC: ['crv', 'x', 'y'],
  RSA: ['n', 'e'],
  OKP: ['crv', 'x'],
}

/** Parameters compared as names rather than as base64url integers. */
const NAME_PARAMS: ReadonlySet<string> = new Set(['crv'])

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * Returns the DER bytes of one `x5c` element, or undefined when it is not standard
 * base64 with padding (RFC 7517 §4.7: base64url is not allowed there).
 */
export function decodeX5c(text: string): Uint8Array | undefined {
  if (text === '' || !STD_BASE64.test(text)) return undefined
  return new Uint8Array(Buffer.from(text, 'base64'))
}

/** Returns the public JWK of the certificate's key (`kty` and its parameters), or undefined if Node cannot export it. */
function certificateJwk(cert: ParsedCertificate): JsonWebKey | undefined {
  try {
    return cert.node.publicKey.export({format: 'jwk'})
  } catch {
    return undefined
  }
}

/** Returns the base64url value without leading zero bytes, or undefined when it is not base64url. */
function integerBytes(value: unknown): string | undefined {
  if (typeof value !== 'string' || !BASE64URL.test(value) || value.length % 4 === 1) return undefined
  return Buffer.from(value, 'base64url')
    .toString('hex')
    .replace(/^(00)+/, '')
}

/**
 * Returns true when the JWK's own `kty` and public parameters describe the same key as
 * the certificate. Integers are compared by value, so a leading zero byte is no mismatch.
 */
export function jwkMatchesCertificate(jwk: Record<string, unknown>, cert: ParsedCertificate): boolean {
  const own = certificateJwk(cert)
  if (own?.kty === undefined || jwk.kty !== own.kty) return false
  const params = PUBLIC_PARAMS[own.kty]
  if (params === undefined) return false
  const ownRecord = own as Record<string, unknown>
  return params.every((p) => {
    if (NAME_PARAMS.has(p)) return typeof jwk[p] === 'string' && jwk[p] === ownRecord[p]
    const mine = integerBytes(jwk[p])
    return mine !== undefined && mine === integerBytes(ownRecord[p])
  })
}

/**
 * Returns the JWK members that describe the certificate's public key, `kty` first and
 * then its parameters in RFC 7518 order (`crv`, `x`, `y` / `n`, `e`), or undefined when
 * Node cannot export the key as a JWK.
 */
export function publicJwkMembers(cert: ParsedCertificate): Record<string, string> | undefined {
  const own = certificateJwk(cert) as Record<string, unknown> | undefined
  const kty = own?.kty
  if (own === undefined || typeof kty !== 'string') return undefined
  const out: Record<string, string> = {kty}
  for (const p of PUBLIC_PARAMS[kty] ?? []) if (typeof own[p] === 'string') out[p] = own[p] as string
  for (const [k, v] of Object.entries(own)) if (!(k in out) && typeof v === 'string') out[k] = v
  return out
}
