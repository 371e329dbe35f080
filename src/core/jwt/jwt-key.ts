/**
 * JWT authorities: the signing key of a trust domain's JWT-SVIDs and its entry in the
 * SPIFFE bundle (SPIFFE Trust Domain and Bundle §4.2.2: `use` "jwt-svid", `kid` required).
 */
import {createHash, createPublicKey, generateKeyPairSync, type KeyObject} from 'node:crypto'
import type {JWK} from 'jose'

/** A JWT signing key with the key ID it is published under. */
export interface JwtKey {
  kid: string
  key: KeyObject
}

/** The public JWK members RFC 7638 §3.2 hashes, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
}

/** Returns the public parameters of a key as a JWK (no `use`, no `kid`). */
function publicJwk(key: KeyObject): JWK {
  const pub = key.type === 'private' ? createPublicKey(key) : key
  return pub.export({format: 'jwk'}) as JWK
}

/** Returns the RFC 7638 JWK thumbprint (SHA-256, base64url) of a key: svidkit's `kid` for JWT authorities. */
export function jwkThumbprint(key: KeyObject | JWK): string {
  const jwk = 'asymmetricKeyType' in key ? publicJwk(key as KeyObject) : (key as JWK)
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)] ?? []
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify((jwk as Record<string, unknown>)[m])}`).join(',')}}`
  return createHash('sha256').update(canonical).digest('base64url')
}

/** Returns a JwtKey for the private key, its `kid` the key's thumbprint. */
export function jwtKeyOf(key: KeyObject): JwtKey {
  return {kid: jwkThumbprint(key), key}
}

/** Returns a new P-256 JWT authority key (ES256, what SPIRE uses by default). */
export function createJwtKey(): JwtKey {
  return jwtKeyOf(generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey)
}

/** Returns the bundle entry of a JWT authority: its public JWK with `use` "jwt-svid" and `kid`. */
export function jwtBundleEntry(k: JwtKey): JWK {
  return {use: 'jwt-svid', kid: k.kid, ...publicJwk(k.key)}
}
