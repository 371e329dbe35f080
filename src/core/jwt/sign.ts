/**
 * Signing JWT-SVIDs (JWT-SVID §2-§3): the one signer of `jwt issue`, the Workload API server
 * and the conformance kit. Defects (defects.ts) change the header, the claims or the signing.
 */
import {createPublicKey, type KeyObject} from 'node:crypto'
import {algForKey, hmacSha256, signWith, type JwtAlg} from './algorithms.js'
import type {JwtKey} from './jwt-key.js'
import {b64url, signingInputOf} from './token.js'

/** Default JWT-SVID lifetime: 5 minutes, SPIRE's default. */
export const DEFAULT_JWT_TTL_MS = 5 * 60_000

/** What a token is signed with: the authority key, nothing (`alg` none) or an HMAC keyed with the key's public PEM. */
export type SigningMode = 'key' | 'none' | 'hmac-public-key'

/** The parts of a JWT-SVID before signing; defects edit them. */
export interface TokenPlan {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  mode: SigningMode
  key: KeyObject
  /** RFC 6979 ECDSA nonces (seeded fixtures). Default false. */
  deterministic?: boolean
}

/** Options of {@link planJwtSvid}. */
export interface JwtSvidOptions {
  /** The SPIFFE ID (`sub`). */
  spiffeId: string
  /** The audiences (`aud`); one is written as a one-element array, as SPIRE does. */
  audience: readonly string[]
  /** The authority key and its `kid`. */
  signer: JwtKey
  /** Issue time (`iat`), whole seconds are used. */
  now: Date
  /** Lifetime in ms (`exp` = iat + ttl). */
  ttlMs: number
  /** `jti` claim; omitted by default. */
  jti?: string
  /** Sign with RFC 6979 nonces: the same inputs give the same token (seeded fixtures). Default false. */
  deterministic?: boolean
}

/** Returns the plan of a spec-correct JWT-SVID (header `alg`, `kid`, `typ` JWT; claims `sub`, `aud`, `exp`, `iat`). */
export function planJwtSvid(o: JwtSvidOptions): TokenPlan {
  const iat = Math.floor(o.now.getTime() / 1000)
  const alg: JwtAlg = algForKey(o.signer.key)
  const claims: Record<string, unknown> = {
    sub: o.spiffeId,
    aud: [...o.audience],
    exp: iat + Math.floor(o.ttlMs / 1000),
    iat,
  }
  if (o.jti !== undefined) claims.jti = o.jti
  return {
    header: {alg, kid: o.signer.kid, typ: 'JWT'},
    claims,
    mode: 'key',
    key: o.signer.key,
    deterministic: o.deterministic,
  }
}

/** Returns the compact JWS of a plan. */
export function signPlan(p: TokenPlan): string {
  const input = signingInputOf(p.header, p.claims)
  if (p.mode === 'none') return `${input}.`
  if (p.mode === 'hmac-public-key') {
    // The classic key-confusion attack: the verifier's public key (PEM text) used as an HMAC secret.
    const pem = publicKeyPem(p.key)
    return `${input}.${b64url(hmacSha256(Buffer.from(pem), input))}`
  }
  return `${input}.${b64url(signWith(p.header.alg as JwtAlg, p.key, input, p.deterministic))}`
}

function publicKeyPem(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key).export({format: 'pem', type: 'spki'}).toString()
}

/** Returns a spec-correct JWT-SVID. */
export function signJwtSvid(o: JwtSvidOptions): string {
  return signPlan(planJwtSvid(o))
}
