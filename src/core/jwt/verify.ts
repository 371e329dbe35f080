/**
 * JWT-SVID validation (JWT-SVID §3-§5), step by step like `verify`: every check is
 * recorded, independent checks still run after a failure, and errors[0] comes from the
 * lowest step. docs/jwt.md lists the steps and their reason codes.
 */
import {SvidkitError, type ReasonCode} from '../errors.js'
import {SpiffeId} from '../spiffe-id/index.js'
import {Report, type VerifyResult} from '../verify/result.js'
import {formatInstant} from '../time/instant.js'
import {isAllowedAlg, keyAlgMismatch, verifyWith, type JwtAlg} from './algorithms.js'
import {lookupJwtBundle, type JwtAuthorityKey, type JwtBundle, type JwtBundleSet} from './jwt-bundle.js'
import {decodeToken, MalformedToken, type DecodedToken} from './token.js'
import {pushAll} from '../arrays.js'

/** Default clock skew allowed on exp, nbf and iat: none, as for X.509 validity (docs/jwt.md). */
export const DEFAULT_JWT_SKEW_MS = 0

/** Options of {@link verifyJwtSvid}. */
export interface JwtVerifyOptions {
  /** The audiences this validator is; the token's `aud` must contain every one (JWT-SVID §3.2). */
  audience: readonly string[]
  /** JWT bundles by trust domain. */
  bundles: JwtBundleSet
  /** Evaluation time. */
  at: Date
  /** Skew allowed on exp, nbf and iat, in ms. Default {@link DEFAULT_JWT_SKEW_MS}. */
  skewMs?: number
  /** Accepted SPIFFE IDs (any one); none = any. */
  expectIds?: readonly string[]
  /** Required trust domain of `sub`. */
  expectTrustDomain?: string
}

/** What `verifyJwtSvid` returns (docs/jwt.md, JSON document). */
export interface JwtVerifyResult extends Pick<
  VerifyResult,
  'valid' | 'spiffeId' | 'trustDomain' | 'errors' | 'warnings' | 'checks'
> {
  header: Record<string, unknown> | null
  claims: Record<string, unknown> | null
  bundle?: {trustDomain: string; sources: JwtBundle['sources']; kid?: string}
  at: string
  /** Time from `at` to `exp`, in ms. */
  expiresInMs?: number
  skewMs: number
}

const TYP_ALLOWED = new Set(['JWT', 'JOSE'])
const KNOWN_HEADER = new Set(['alg', 'kid', 'typ', 'crit'])

class JwtReport extends Report {
  /** Returns the verdict fields shared with `verify`'s result. */
  verdict(
    id: SpiffeId | undefined,
  ): Pick<JwtVerifyResult, 'valid' | 'spiffeId' | 'trustDomain' | 'errors' | 'warnings' | 'checks'> {
    const errors = this.sortedErrors()
    return {
      valid: errors.length === 0,
      spiffeId: id?.toString() ?? null,
      trustDomain: id?.trustDomain.name ?? null,
      errors,
      warnings: this.warnings,
      checks: this.checks,
    }
  }

  fault(step: number, name: string, code: ReasonCode, message: string): void {
    this.fail(step, name, {code, message, hint: new SvidkitError(code, message).hint})
  }
}

function audienceOf(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud]
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return aud as string[]
  return undefined
}

function numericDate(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** Steps 1-4: the header. Returns the allowed algorithm and kid when they pass. */
function checkHeader(r: JwtReport, h: Record<string, unknown>): {alg?: JwtAlg; kid?: string} {
  const out: {alg?: JwtAlg; kid?: string} = {}
  if (isAllowedAlg(h.alg)) {
    out.alg = h.alg
    r.pass('alg', `"${h.alg}" is allowed`)
  } else
    r.fault(
      2,
      'alg',
      'jwt-alg-not-allowed',
      `alg "${String(h.alg ?? '')}" is not allowed (JWT-SVID §2.1: RS, ES or PS 256/384/512)`,
    )
  const typ = h.typ
  if (h.crit !== undefined)
    r.fault(
      3,
      'header',
      'jwt-header-invalid',
      `unsupported critical header parameter(s) ${JSON.stringify(h.crit)} (JWT-SVID §2, RFC 7515 §4.1.11)`,
    )
  else if (typ !== undefined && !TYP_ALLOWED.has(String(typ)))
    r.fault(3, 'header', 'jwt-header-invalid', `typ "${String(typ)}" is not allowed (JWT-SVID §2.3: JWT or JOSE)`)
  else r.pass('header', typ === undefined ? 'no typ, no crit' : `typ "${String(typ)}", no crit`)
  const extra = Object.keys(h).filter((k) => !KNOWN_HEADER.has(k))
  if (extra.length)
    r.note(`header carries ${extra.map((k) => `"${k}"`).join(', ')}; JWT-SVID §2 allows only alg, kid and typ`)
  if (typeof h.kid === 'string' && h.kid !== '') {
    out.kid = h.kid
    r.pass('kid', `kid "${h.kid}"`)
  } else
    r.fault(4, 'kid', 'jwt-kid-missing', 'header has no kid (JWT-SVID §2.2, SPIFFE Trust Domain and Bundle §4.2.2)')
  return out
}

/** Step 7: the key named by kid in the bundle of sub's trust domain, or why there is none. */
function findKey(r: JwtReport, o: JwtVerifyOptions, b: JwtBundle, kid: string): JwtAuthorityKey | undefined {
  const key = b.keys.find((k) => k.kid === kid)
  if (key) {
    r.pass('key', `kid "${kid}" is a jwt-svid key of "${b.trustDomain}"`)
    return key
  }
  const other = b.others.find((e) => e.kid === kid || e.thumbprint === kid)
  if (other) {
    r.fault(
      7,
      'key',
      'jwt-key-wrong-use',
      `kid "${kid}" names entry ${other.index} of the bundle of "${b.trustDomain}", whose use is ${JSON.stringify(other.use)}, not "jwt-svid"`,
    )
    return undefined
  }
  const elsewhere = [...o.bundles.bundles.values()].find((x) => x !== b && x.keys.some((k) => k.kid === kid))
  const where = elsewhere
    ? `; it is a key of "${elsewhere.trustDomain}", and a trust domain never vouches for another's IDs`
    : ''
  r.fault(7, 'key', 'jwt-kid-unknown', `kid "${kid}" is not in the JWT bundle of "${b.trustDomain}"${where}`)
  return undefined
}

/** Steps 9-12: claims that need no key. */
function checkClaims(r: JwtReport, o: JwtVerifyOptions, c: Record<string, unknown>, skew: number): number | undefined {
  const aud = audienceOf(c.aud)
  if (aud === undefined || aud.length === 0 || aud.every((a) => a === ''))
    r.fault(
      9,
      'aud',
      'jwt-aud-missing',
      c.aud === undefined
        ? 'no aud claim (JWT-SVID §3.2)'
        : `aud ${JSON.stringify(c.aud)} is empty or not strings (JWT-SVID §3.2)`,
    )
  else {
    const missing = o.audience.filter((a) => !aud.includes(a))
    if (missing.length)
      r.fault(9, 'aud', 'jwt-aud-mismatch', `audience "${missing[0]}" is not in aud ${JSON.stringify(aud)}`)
    else r.pass('aud', `aud ${JSON.stringify(aud)} holds ${o.audience.map((a) => `"${a}"`).join(', ')}`)
  }
  const t = o.at.getTime()
  const exp = numericDate(c.exp)
  if (exp === undefined)
    r.fault(
      10,
      'exp',
      'jwt-exp-missing',
      c.exp === undefined ? 'no exp claim (JWT-SVID §3.3)' : `exp ${JSON.stringify(c.exp)} is not a NumericDate`,
    )
  else if (t >= exp * 1000 + skew)
    r.fault(10, 'exp', 'jwt-expired', `token expired at ${formatInstant(new Date(exp * 1000))} (exp ${exp})`)
  else r.pass('exp', `valid until ${formatInstant(new Date(exp * 1000))}`)
  const nbf = numericDate(c.nbf)
  if (c.nbf !== undefined && nbf === undefined)
    r.fault(11, 'nbf', 'jwt-not-yet-valid', `nbf ${JSON.stringify(c.nbf)} is not a NumericDate`)
  else if (nbf !== undefined && t + skew < nbf * 1000)
    r.fault(
      11,
      'nbf',
      'jwt-not-yet-valid',
      `token is not valid before ${formatInstant(new Date(nbf * 1000))} (nbf ${nbf})`,
    )
  else r.pass('nbf', nbf === undefined ? 'no nbf' : `valid since ${formatInstant(new Date(nbf * 1000))}`)
  const iat = numericDate(c.iat)
  if (iat !== undefined && t + skew < iat * 1000)
    r.fault(
      12,
      'iat',
      'jwt-iat-future',
      `token issued in the future, at ${formatInstant(new Date(iat * 1000))} (iat ${iat})`,
    )
  else r.pass('iat', iat === undefined ? 'no iat' : `issued at ${formatInstant(new Date(iat * 1000))}`)
  return exp === undefined ? undefined : exp * 1000 - t
}

/** Returns the validation result of a JWT-SVID (JWT-SVID §5: bundle of the sub's trust domain, alg, kid, signature, aud, exp). */
export function verifyJwtSvid(token: string, o: JwtVerifyOptions): JwtVerifyResult {
  const r = new JwtReport()
  pushAll(r.warnings, o.bundles.warnings)
  const skew = o.skewMs ?? DEFAULT_JWT_SKEW_MS
  const base = {at: formatInstant(o.at), skewMs: skew}
  let t: DecodedToken
  try {
    t = decodeToken(token)
    r.pass('token', 'JWS compact serialization')
  } catch (err) {
    if (!(err instanceof MalformedToken)) throw err
    r.fault(1, 'token', 'jwt-malformed', err.message)
    return {...r.verdict(undefined), header: null, claims: null, ...base}
  }
  const {alg, kid} = checkHeader(r, t.header)
  let id: SpiffeId | undefined
  const sub = t.payload.sub
  try {
    if (typeof sub !== 'string')
      throw new Error(sub === undefined ? 'no sub claim' : `sub ${JSON.stringify(sub)} is not a string`)
    id = SpiffeId.parse(sub)
    if (id.path === '') throw new Error('a workload SPIFFE ID has a non-root path')
    r.pass('sub', `SPIFFE ID ${id.toString()}`)
  } catch (err) {
    id = undefined
    r.fault(
      5,
      'sub',
      'jwt-sub-invalid',
      `sub ${typeof sub === 'string' ? `"${sub}" is not a valid SPIFFE ID: ` : ''}${(err as Error).message} (JWT-SVID §3.1)`,
    )
  }
  let bundle: JwtBundle | undefined
  let key: JwtAuthorityKey | undefined
  if (!id) r.skipped('bundle', 'no trust domain: sub is not a SPIFFE ID')
  else {
    bundle = lookupJwtBundle(o.bundles, id.trustDomain.name, r.warnings)
    if (bundle) r.pass('bundle', `JWT bundle of "${bundle.trustDomain}": ${bundle.keys.length} key(s)`)
    else r.fault(6, 'bundle', 'bundle-not-found', `no JWT bundle for trust domain "${id.trustDomain.name}"`)
  }
  if (bundle && kid) key = findKey(r, o, bundle, kid)
  else r.skipped('key', 'no kid or no bundle')
  if (key && alg) {
    const mismatch = keyAlgMismatch(alg, key.key)
    if (mismatch) r.fault(8, 'signature', 'jwt-signature-invalid', mismatch)
    else if (verifyWith(alg, key.key, t.signingInput, t.signature))
      r.pass('signature', `${alg} signature verifies under kid "${key.kid}"`)
    else r.fault(8, 'signature', 'jwt-signature-invalid', `${alg} signature does not verify under kid "${key.kid}"`)
  } else r.skipped('signature', 'no usable key or algorithm')
  const expiresInMs = checkClaims(r, o, t.payload, skew)
  if (id) {
    const want = o.expectIds ?? []
    if (want.length && !want.includes(id.toString()))
      r.fault(13, 'authorization', 'id-mismatch', `unexpected ID "${id.toString()}"`)
    else if (o.expectTrustDomain !== undefined && o.expectTrustDomain !== id.trustDomain.name)
      r.fault(13, 'authorization', 'trust-domain-mismatch', `unexpected trust domain "${id.trustDomain.name}"`)
    else if (want.length || o.expectTrustDomain !== undefined) r.pass('authorization', `${id.toString()} is accepted`)
  }
  return {
    ...r.verdict(id),
    header: t.header,
    claims: t.payload,
    ...(bundle
      ? {bundle: {trustDomain: bundle.trustDomain, sources: bundle.sources, ...(key ? {kid: key.kid} : {})}}
      : {}),
    ...base,
    ...(expiresInMs === undefined ? {} : {expiresInMs}),
  }
}
