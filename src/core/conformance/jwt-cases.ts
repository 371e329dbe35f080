/** The JWT-SVID family (JWT-SVID §2-§4): every `jwt issue --defect`, and valid tokens at the edges. */
import type {KeyObject} from 'node:crypto'
import {JWT_DEFECTS} from '../jwt/defects.js'
import {jwkThumbprint, jwtBundleEntry, jwtKeyOf, type JwtKey} from '../jwt/jwt-key.js'
import {planJwtSvid, signPlan, type TokenPlan} from '../jwt/sign.js'
import {testcase, type Level, type Testcase} from './suite.js'
import {OTHER_TD, suiteKeyPair, TD, WORKLOAD, type Fixtures} from './fixtures.js'

const AUDIENCE = `spiffe://${TD}/db`

/** Returns the JWKS of a trust domain: its X.509 roots (x509-svid, with kid when asked) and its JWT keys. */
function jwks(roots: KeyObject[], jwt: JwtKey[], x509Kid = false): {keys: object[]} {
  const x509 = roots.map((k) => ({
    use: 'x509-svid',
    ...(x509Kid ? {kid: jwkThumbprint(k)} : {}),
    ...k.export({format: 'jwk'}),
  }))
  return {keys: [...x509, ...jwt.map(jwtBundleEntry)]}
}

interface JwtCaseSpec {
  id: string
  description: string
  level: Level
  spec: string
  code: string | null
  features?: string[]
  edit?: (p: TokenPlan) => void
  signer?: JwtKey
  bundles?: Record<string, unknown>
}

/** Returns the JWT-SVID family. */
export async function jwtCases(f: Fixtures): Promise<Testcase[]> {
  const own = f.a.jwt as JwtKey
  const other = f.b.jwt as JwtKey
  const rootKey = f.a.roots[0].cert.node.publicKey
  const rsa = jwtKeyOf((await suiteKeyPair(f, 'rsa-2048', 'jwt rsa-2048')).privateKey)
  const p384 = jwtKeyOf((await suiteKeyPair(f, 'ec-p384', 'jwt ec-p384')).privateKey)
  const bundles = {
    [TD]: jwks([rootKey], [own, rsa, p384]),
    [OTHER_TD]: jwks([f.b.roots[0].cert.node.publicKey], [other]),
  }
  const sec = Math.floor(Date.parse(f.at) / 1000)
  const make = (c: JwtCaseSpec): Testcase => {
    const p = planJwtSvid({
      spiffeId: WORKLOAD,
      audience: [AUDIENCE],
      signer: c.signer ?? own,
      now: f.now,
      ttlMs: 300_000,
      deterministic: f.seed !== undefined,
    })
    c.edit?.(p)
    return testcase({
      id: `jwt-svid::${c.id}`,
      description: c.description,
      family: 'jwt-svid',
      svid_kind: 'jwt',
      level: c.level,
      features: ['jwt-svid', ...(c.features ?? [])],
      spec: c.spec,
      reason_code: c.code,
      validation_time: f.at,
      expected_result: c.code === null ? 'SUCCESS' : 'FAILURE',
      expected_spiffe_id: c.code === null ? String(p.claims.sub) : null,
      token: signPlan(p),
      jwt_bundles: c.bundles ?? bundles,
      audience: [AUDIENCE],
    })
  }
  const out: Testcase[] = [
    make({
      id: 'valid-es256',
      description: 'a spec-correct ES256 JWT-SVID (typ JWT, kid, sub, aud, exp, iat)',
      level: 'MUST',
      spec: 'JWT-SVID §2-§4',
      code: null,
    }),
    make({
      id: 'valid-es384',
      description: 'an ES384 JWT-SVID',
      level: 'MUST',
      spec: 'JWT-SVID §2.1',
      code: null,
      signer: p384,
    }),
    make({
      id: 'valid-rs256',
      description: 'an RS256 JWT-SVID (RSA-2048)',
      level: 'MUST',
      spec: 'JWT-SVID §2.1',
      code: null,
      signer: rsa,
    }),
    make({
      id: 'valid-ps256',
      description: 'a PS256 JWT-SVID (RSA-PSS, RSA-2048)',
      level: 'MUST',
      spec: 'JWT-SVID §2.1',
      code: null,
      signer: rsa,
      edit: (p) => void (p.header.alg = 'PS256'),
    }),
    make({
      id: 'valid-no-typ',
      description: 'no typ header (typ is optional)',
      level: 'MUST',
      spec: 'JWT-SVID §2.3',
      code: null,
      edit: (p) => void delete p.header.typ,
    }),
    make({
      id: 'valid-typ-jose',
      description: 'typ "JOSE"',
      level: 'MUST',
      spec: 'JWT-SVID §2.3',
      code: null,
      edit: (p) => void (p.header.typ = 'JOSE'),
    }),
    make({
      id: 'valid-aud-string',
      description: 'aud as a single string instead of an array',
      level: 'MUST',
      spec: 'JWT-SVID §3.2, RFC 7519 §4.1.3',
      code: null,
      edit: (p) => void (p.claims.aud = AUDIENCE),
    }),
    make({
      id: 'valid-two-audiences',
      description: "aud holds another audience and the validator's",
      level: 'MUST',
      spec: 'JWT-SVID §3.2',
      code: null,
      edit: (p) => void (p.claims.aud = [`spiffe://${TD}/cache`, AUDIENCE]),
    }),
    make({
      id: 'valid-expires-in-1s',
      description: 'exp one second after the validation time',
      level: 'MUST',
      spec: 'JWT-SVID §3.3, RFC 7519 §4.1.4',
      code: null,
      edit: (p) => void (p.claims.exp = sec + 1),
    }),
    make({
      id: 'valid-nbf-now',
      description: 'nbf equal to the validation time',
      level: 'MUST',
      spec: 'RFC 7519 §4.1.5',
      code: null,
      edit: (p) => void (p.claims.nbf = sec),
    }),
    make({
      id: 'valid-jti',
      description: 'a jti claim (allowed, not tracked)',
      level: 'MUST',
      spec: 'JWT-SVID §6.1',
      code: null,
      edit: (p) => void (p.claims.jti = 'conformance-1'),
    }),
    make({
      id: 'expired-at-validation-time',
      description: 'exp equal to the validation time: RFC 7519 rejects "on or after" exp',
      level: 'SHOULD',
      features: ['no-leeway'],
      spec: 'RFC 7519 §4.1.4 (JWT-SVID Appendix A allows a small leeway)',
      code: 'jwt-expired',
      edit: (p) => void (p.claims.exp = sec),
    }),
    make({
      id: 'typ-invalid',
      description: 'typ "at+jwt"',
      level: 'MUST',
      spec: 'JWT-SVID §2.3',
      code: 'jwt-header-invalid',
      edit: (p) => void (p.header.typ = 'at+jwt'),
    }),
    make({
      id: 'signature-tampered',
      description: 'sub changed after signing (the signature covers the original claims)',
      level: 'MUST',
      spec: 'JWT-SVID §4, RFC 7515 §5.2',
      code: 'jwt-signature-invalid',
    }),
    make({
      id: 'rsa-key-with-es256',
      description: 'alg ES256 but the kid names an RSA key',
      level: 'MUST',
      spec: 'RFC 7515 §5.2, RFC 7518 §3.4',
      code: 'jwt-signature-invalid',
      signer: own,
      edit: (p) => void (p.header.kid = rsa.kid),
    }),
  ]
  // signature-tampered: re-sign nothing, swap the payload of a valid token.
  const t = out.find((c) => c.id === 'jwt-svid::signature-tampered') as Testcase
  const [h, , s] = (t.token as string).split('.')
  const forgedClaims = {sub: `spiffe://${TD}/admin`, aud: [AUDIENCE], exp: sec + 240, iat: sec - 60}
  t.token = `${h}.${Buffer.from(JSON.stringify(forgedClaims)).toString('base64url')}.${s}`
  const x509 = {key: f.a.roots[0].key, thumbprint: jwkThumbprint(rootKey)}
  for (const d of JWT_DEFECTS) {
    out.push(
      make({
        id: d.name,
        description: d.rule,
        level: d.level,
        spec: d.rule.match(/\(([^()]*§[^()]*)\)/)?.[1] ?? 'JWT-SVID',
        code: d.code,
        edit: (p) => d.apply(p, {trustDomain: TD, x509Key: x509}),
        // key-x509-entry: the x509-svid entry carries the token's kid, so a validator ignoring "use" finds the key.
        bundles: d.name === 'key-x509-entry' ? {...bundles, [TD]: jwks([rootKey], [own, rsa, p384], true)} : undefined,
      }),
    )
  }
  return out
}
