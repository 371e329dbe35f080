/**
 * The JWT-SVID profile of the Workload API test server: one JWT authority (an ES256 key
 * with a random `kid`) per server, JWT-SVIDs signed with `jose`, the trust domain's JWT
 * bundle as a SPIFFE JWKS (`use: jwt-svid`), and validation as the JWT-SVID specification
 * asks (signature by a key of the subject's trust domain, `aud` holding the audience,
 * `exp` in the future, `sub` a SPIFFE ID).
 */
import type {KeyObject} from 'node:crypto'
import {createLocalJWKSet, jwtVerify, type JWK, type JWTPayload} from 'jose'
import {SpiffeId} from '../spiffe-id/index.js'
import {createJwtKey, jwtBundleEntry, jwtKeyOf} from '../jwt/jwt-key.js'
import {seededKeyPair} from '../x509/seeded.js'
import {signJwtSvid} from '../jwt/sign.js'

import {DEFAULT_JWT_TTL_MS} from '../jwt/sign.js'
export {DEFAULT_JWT_TTL_MS}

/** Thrown for a JWT-SVID that does not validate; the message says why. */
export class JwtSvidInvalid extends Error {}

/** Returns nothing: the signing key and public JWK of one trust domain's JWT authority. */
export class JwtAuthority {
  private constructor(
    readonly kid: string,
    private readonly key: KeyObject,
    readonly publicJwk: JWK,
    /** RFC 6979 signatures (a seeded server). */
    private readonly deterministic = false,
  ) {}

  /** Returns a new authority with a fresh P-256 key, its kid the key's RFC 7638 thumbprint. */
  static async create(seed?: string): Promise<JwtAuthority> {
    const k =
      seed === undefined
        ? createJwtKey()
        : jwtKeyOf(seededKeyPair(seed, 'workload-api jwt authority', 'ec-p256').privateKey)
    return new JwtAuthority(k.kid, k.key, jwtBundleEntry(k), seed !== undefined)
  }

  /** Returns a JWT-SVID (JWS compact serialization) for the SPIFFE ID and audiences (the signer of `jwt issue`, src/core/jwt/sign.ts). */
  sign(spiffeId: string, audience: string[], now: Date, ttlMs = DEFAULT_JWT_TTL_MS): Promise<string> {
    return Promise.resolve(
      signJwtSvid({
        spiffeId,
        audience,
        signer: {kid: this.kid, key: this.key},
        now,
        ttlMs,
        deterministic: this.deterministic,
      }),
    )
  }

  /** Returns the JWKS of the trust domain's JWT bundle (empty with `empty`). */
  jwks(empty = false): {keys: JWK[]} {
    return {keys: empty ? [] : [this.publicJwk]}
  }

  /**
   * Returns the SPIFFE ID and claims of a valid JWT-SVID for `audience`, checked against
   * this authority's keys for `trustDomain`; throws JwtSvidInvalid otherwise.
   */
  async validate(
    token: string,
    audience: string,
    trustDomain: string,
    now: Date,
    empty = false,
  ): Promise<{spiffeId: string; claims: JWTPayload}> {
    let payload: JWTPayload
    try {
      // jose only picks keys whose "use" is "sig" or absent; the SPIFFE bundle says "jwt-svid".
      const keys = this.jwks(empty).keys.map(({use: _use, ...k}) => k)
      ;({payload} = await jwtVerify(token, createLocalJWKSet({keys}), {
        audience,
        algorithms: ['ES256', 'ES384', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
        requiredClaims: ['sub', 'aud', 'exp'],
        currentDate: now,
      }))
    } catch (err) {
      throw new JwtSvidInvalid(`invalid JWT-SVID: ${(err as Error).message}`)
    }
    let id: SpiffeId
    try {
      id = SpiffeId.parse(String(payload.sub))
    } catch (err) {
      throw new JwtSvidInvalid(
        `invalid JWT-SVID: subject "${String(payload.sub)}" is not a SPIFFE ID: ${(err as Error).message}`,
      )
    }
    if (id.trustDomain.name !== trustDomain)
      throw new JwtSvidInvalid(`invalid JWT-SVID: no JWT bundle for trust domain "${id.trustDomain.name}"`)
    return {spiffeId: id.toString(), claims: payload}
  }
}

/** A google.protobuf.Value as @grpc/proto-loader encodes it (protobufjs keeps its built-in well-known types in camelCase, even with keepCase). */
type ProtoValue =
  | {nullValue: 'NULL_VALUE'}
  | {numberValue: number}
  | {stringValue: string}
  | {boolValue: boolean}
  | {structValue: ProtoStruct}
  | {listValue: {values: ProtoValue[]}}

/** A google.protobuf.Struct as @grpc/proto-loader encodes it. */
interface ProtoStruct {
  fields: Record<string, ProtoValue>
}

function toValue(v: unknown): ProtoValue {
  if (v === null || v === undefined) return {nullValue: 'NULL_VALUE'}
  if (typeof v === 'number') return {numberValue: v}
  if (typeof v === 'string') return {stringValue: v}
  if (typeof v === 'boolean') return {boolValue: v}
  if (Array.isArray(v)) return {listValue: {values: v.map(toValue)}}
  return {structValue: toStruct(v as Record<string, unknown>)}
}

/** Returns the JSON object as a google.protobuf.Struct (JWT claims in ValidateJWTSVIDResponse). */
export function toStruct(obj: Record<string, unknown>): ProtoStruct {
  return {fields: Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, toValue(v)]))}
}
