/**
 * JWT-SVID defects for negative tests (`jwt issue --defect`): each breaks one rule of
 * JWT-SVID (or of the bundle binding) and names the reason code `jwt verify` reports.
 * A defect is a recipe applied to the token plan; signing stays in sign.ts.
 */
import {usageError, type ReasonCode} from '../errors.js'
import type {TokenPlan} from './sign.js'

const HOUR_S = 3600

/** What a defect may use besides the plan: the CA's X.509 root key and the trust domain. */
export interface DefectContext {
  trustDomain: string
  /** The key of an x509-svid bundle entry (the CA root) and its thumbprint, for `key-x509-entry`. */
  x509Key?: {key: TokenPlan['key']; thumbprint: string}
}

/** One deliberately broken JWT-SVID kind. */
export interface JwtDefect {
  name: string
  /** The reason code `jwt verify` reports. */
  code: ReasonCode
  /** The rule it breaks, with its section. */
  rule: string
  /** MUST: the spec requires rejection; SHOULD: svidkit rejects, the spec does not say so outright. */
  level: 'MUST' | 'SHOULD'
  /** What it changes; two defects touching the same aspect cannot be combined. */
  aspect: 'alg' | 'header' | 'kid' | 'aud' | 'exp' | 'nbf' | 'iat' | 'sub' | 'key'
  apply: (p: TokenPlan, ctx: DefectContext) => void
}

function iat(p: TokenPlan): number {
  return p.claims.iat as number
}

/** Every defect `jwt issue --defect` can produce, in the order of the validation steps. */
export const JWT_DEFECTS: JwtDefect[] = [
  {
    name: 'alg-none',
    code: 'jwt-alg-not-allowed',
    level: 'MUST',
    aspect: 'alg',
    rule: 'alg is one of RS/ES/PS 256/384/512 (JWT-SVID §2.1); here "none" and an empty signature',
    apply: (p) => {
      p.header.alg = 'none'
      p.mode = 'none'
    },
  },
  {
    name: 'alg-hs256-public-key',
    code: 'jwt-alg-not-allowed',
    level: 'MUST',
    aspect: 'alg',
    rule: 'alg is one of RS/ES/PS 256/384/512 (JWT-SVID §2.1); here HS256 keyed with the public key PEM (key confusion)',
    apply: (p) => {
      p.header.alg = 'HS256'
      p.mode = 'hmac-public-key'
    },
  },
  {
    name: 'crit-header',
    code: 'jwt-header-invalid',
    level: 'MUST',
    aspect: 'header',
    rule: 'no header besides alg, kid, typ (JWT-SVID §2); here a critical "exp-policy" extension no validator understands (RFC 7515 §4.1.11)',
    apply: (p) => {
      p.header.crit = ['exp-policy']
      p.header['exp-policy'] = 'strict'
    },
  },
  {
    name: 'kid-missing',
    code: 'jwt-kid-missing',
    level: 'SHOULD',
    aspect: 'kid',
    rule: 'the header names the signing key (JWT-SVID §2.2 makes kid optional, SPIFFE Trust Domain and Bundle §4.2.2 requires it on every jwt-svid key); here no kid',
    apply: (p) => void delete p.header.kid,
  },
  {
    name: 'kid-unknown',
    code: 'jwt-kid-unknown',
    level: 'MUST',
    aspect: 'kid',
    rule: 'kid names a jwt-svid key of the bundle (JWT-SVID §4); here a kid no bundle holds',
    apply: (p) => void (p.header.kid = 'unknown-kid-0000'),
  },
  {
    name: 'sub-not-spiffe-id',
    code: 'jwt-sub-invalid',
    level: 'MUST',
    aspect: 'sub',
    rule: 'sub is the SPIFFE ID of the workload (JWT-SVID §3.1); here an https URL',
    apply: (p) => void (p.claims.sub = String(p.claims.sub).replace(/^spiffe:/, 'https:')),
  },
  {
    name: 'sub-other-trust-domain',
    code: 'jwt-kid-unknown',
    level: 'MUST',
    aspect: 'sub',
    rule: "the key comes from the bundle of the sub's trust domain (JWT-SVID §4, SPIFFE Trust Domain and Bundle §4); here sub is in another trust domain, signed by this one's key (bundle-not-found when no bundle of that trust domain is given)",
    apply: (p, ctx) =>
      void (p.claims.sub = String(p.claims.sub).replace(`spiffe://${ctx.trustDomain}/`, 'spiffe://other.test/')),
  },
  {
    name: 'key-x509-entry',
    code: 'jwt-key-wrong-use',
    level: 'MUST',
    aspect: 'key',
    rule: 'only jwt-svid bundle keys verify JWT-SVIDs (SPIFFE Trust Domain and Bundle §4.2); here signed by the root CA key of the x509-svid entry',
    apply: (p, ctx) => {
      if (!ctx.x509Key)
        throw usageError('defect "key-x509-entry" needs the root CA key (EC or RSA) of the CA directory')
      p.key = ctx.x509Key.key
      p.header.kid = ctx.x509Key.thumbprint
      p.header.alg =
        p.key.asymmetricKeyType === 'rsa'
          ? 'RS256'
          : p.key.asymmetricKeyDetails?.namedCurve === 'secp384r1'
            ? 'ES384'
            : 'ES256'
    },
  },
  {
    name: 'aud-missing',
    code: 'jwt-aud-missing',
    level: 'MUST',
    aspect: 'aud',
    rule: 'aud is present (JWT-SVID §3.2); here no aud claim',
    apply: (p) => void delete p.claims.aud,
  },
  {
    name: 'aud-empty',
    code: 'jwt-aud-missing',
    level: 'MUST',
    aspect: 'aud',
    rule: 'aud holds one or more values (JWT-SVID §3.2); here an empty array',
    apply: (p) => void (p.claims.aud = []),
  },
  {
    name: 'aud-mismatch',
    code: 'jwt-aud-mismatch',
    level: 'MUST',
    aspect: 'aud',
    rule: "the validator's audience is an aud element (JWT-SVID §3.2); here aud is another service",
    apply: (p) => void (p.claims.aud = ['spiffe://other.test/someone-else']),
  },
  {
    name: 'exp-missing',
    code: 'jwt-exp-missing',
    level: 'MUST',
    aspect: 'exp',
    rule: 'exp is set (JWT-SVID §3.3, §4); here no exp claim',
    apply: (p) => void delete p.claims.exp,
  },
  {
    name: 'expired',
    code: 'jwt-expired',
    level: 'MUST',
    aspect: 'exp',
    rule: 'now is before exp (JWT-SVID §3.3, RFC 7519 §4.1.4); here exp was an hour ago',
    apply: (p) => {
      p.claims.iat = iat(p) - 2 * HOUR_S
      p.claims.exp = iat(p) + HOUR_S
    },
  },
  {
    name: 'nbf-future',
    code: 'jwt-not-yet-valid',
    level: 'MUST',
    aspect: 'nbf',
    rule: 'now is not before nbf (RFC 7519 §4.1.5, JWT-SVID §4); here nbf is in an hour',
    apply: (p) => {
      p.claims.nbf = iat(p) + HOUR_S
      p.claims.exp = iat(p) + 2 * HOUR_S
    },
  },
  {
    name: 'iat-future',
    code: 'jwt-iat-future',
    level: 'SHOULD',
    aspect: 'iat',
    rule: 'a token is not issued in the future (RFC 7519 §4.1.6 sets no rule; svidkit, go-jose and PyJWT reject it); here iat is in an hour',
    apply: (p) => {
      p.claims.iat = iat(p) + HOUR_S
      p.claims.exp = iat(p) + HOUR_S
    },
  },
]

/** Returns the defects named, checking they exist and can be combined (one per aspect). */
export function parseJwtDefects(names: readonly string[]): JwtDefect[] {
  const out: JwtDefect[] = []
  for (const n of names) {
    const d = JWT_DEFECTS.find((x) => x.name === n)
    if (!d) throw usageError(`unknown JWT defect "${n}"`, 'list them with "svidkit jwt issue --list-defects"')
    const clash = out.find(
      (x) =>
        x.aspect === d.aspect ||
        (x.aspect === 'alg' && d.aspect === 'key') ||
        (x.aspect === 'key' && d.aspect === 'alg'),
    )
    if (clash)
      throw usageError(`JWT defects "${clash.name}" and "${d.name}" both change the ${d.aspect} and cannot be combined`)
    out.push(d)
  }
  return out
}
