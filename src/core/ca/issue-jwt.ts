/**
 * `jwt issue`: a JWT-SVID signed by the JWT authority of a CA directory, optionally with
 * defects, checked by svidkit's own validator before it is handed out.
 */
import {SvidkitError, usageError} from '../errors.js'
import {SEEDED_WARNING, seededBytes} from '../x509/seeded.js'
import {loadAuthority} from './store.js'
import type {Authority} from './authority.js'
import {parseSpiffeIdArg} from '../spiffe-id/index.js'
import {formatInstant} from '../time/instant.js'
import type {JwtDefect} from '../jwt/defects.js'
import {jwkThumbprint, jwtBundleEntry} from '../jwt/jwt-key.js'
import {parseJwtJwks, type JwtBundleSet} from '../jwt/jwt-bundle.js'
import {DEFAULT_JWT_TTL_MS, planJwtSvid, signPlan} from '../jwt/sign.js'
import {verifyJwtSvid} from '../jwt/verify.js'

/** Options of {@link issueJwtFromCa}. */
export interface IssueJwtOptions {
  /** CA directory (made by `ca init`). */
  ca: string
  spiffeId: string
  /** One or more audiences (`aud`). */
  audience: readonly string[]
  /** Lifetime in ms. Default 5 minutes. */
  ttlMs?: number
  /** Issue time. */
  now: Date
  defects?: readonly JwtDefect[]
  /** Byte-stable token: RFC 6979 signature and a `jti` derived from the seed (x509/seeded.ts). Default: none. */
  seed?: string
}

/** What `jwt issue` returns. */
export interface IssuedJwt {
  token: string
  spiffeId: string
  kid: string | null
  alg: string
  header: Record<string, unknown>
  claims: Record<string, unknown>
  expiresAt: string | null
  defects: {name: string; code: string}[]
  warnings: string[]
}

/** Returns the JWT bundle set of an authority: its jwt-svid key, its roots as x509-svid entries, and an empty other.test. */
function authorityJwtBundles(a: Authority): JwtBundleSet {
  const roots = a.roots.map((r) => ({use: 'x509-svid', ...r.cert.node.publicKey.export({format: 'jwk'})}))
  const warnings: string[] = []
  const own = parseJwtJwks({keys: [...(a.jwt ? [jwtBundleEntry(a.jwt)] : []), ...roots]}, 'ca', warnings)
  return {
    bundles: new Map([
      [
        a.trustDomain.name,
        {trustDomain: a.trustDomain.name, sources: [{path: 'ca', binding: 'label' as const}], ...own},
      ],
      [
        'other.test',
        {trustDomain: 'other.test', sources: [{path: 'other.test', binding: 'label' as const}], keys: [], others: []},
      ],
    ]),
    warnings,
  }
}

/** Returns a JWT-SVID from the CA directory's JWT authority (JWT-SVID §2-§3), with the defects applied and self-checked. */
export function issueJwtFromCa(o: IssueJwtOptions): IssuedJwt {
  const a = loadAuthority(o.ca)
  if (!a.jwt)
    throw new SvidkitError('ca-invalid', `"${o.ca}" has no JWT authority (made before svidkit signed JWT-SVIDs)`, {
      hint: 'create the CA again with "svidkit ca init" (it writes jwt-key.pem and a jwt-svid bundle entry)',
    })
  const id = parseSpiffeIdArg(o.spiffeId)
  if (id.path === '')
    throw usageError(`--spiffe-id "${o.spiffeId}" has no path`, 'a JWT-SVID names a workload: spiffe://example.org/web')
  if (id.trustDomain.name !== a.trustDomain.name)
    throw usageError(`--spiffe-id "${o.spiffeId}" is not in the CA's trust domain "${a.trustDomain.name}"`)
  const defects = o.defects ?? []
  if (o.audience.length === 0 || o.audience.some((x) => x === ''))
    throw usageError('--audience must be given, and not empty', 'e.g. --audience spiffe://example.org/db')
  const ttlMs = o.ttlMs ?? DEFAULT_JWT_TTL_MS
  const seeded =
    o.seed === undefined ? {} : {deterministic: true, jti: seededBytes(o.seed, `jti:${id}`, 16).toString('hex')}
  const plan = planJwtSvid({spiffeId: id.toString(), audience: o.audience, signer: a.jwt, now: o.now, ttlMs, ...seeded})
  const root = a.roots[0]
  // The root key is read only for this defect (it may be offline).
  const x509Key = () =>
    ['ec', 'rsa'].includes(String(root.cert.node.publicKey.asymmetricKeyType))
      ? {key: root.key, thumbprint: jwkThumbprint(root.cert.node.publicKey)}
      : undefined
  for (const d of defects)
    d.apply(plan, {trustDomain: a.trustDomain.name, x509Key: d.name === 'key-x509-entry' ? x509Key() : undefined})
  const token = signPlan(plan)
  // svidkit's own validator must judge the token as intended before anyone else sees it.
  const check = verifyJwtSvid(token, {audience: o.audience, bundles: authorityJwtBundles(a), at: o.now})
  const expected = defects.map((d) => d.code)
  const got = check.errors.map((e) => e.code)
  if (expected.length === 0 ? !check.valid : !expected.every((c) => got.includes(c)))
    throw new SvidkitError(
      'internal',
      `self-check failed: expected ${expected.join(', ') || 'a valid token'}, validation said ${got.join(', ') || 'valid'}`,
    )
  const exp = plan.claims.exp
  return {
    token,
    spiffeId: String(plan.claims.sub),
    kid: typeof plan.header.kid === 'string' ? plan.header.kid : null,
    alg: String(plan.header.alg),
    header: plan.header,
    claims: plan.claims,
    expiresAt: typeof exp === 'number' ? formatInstant(new Date(exp * 1000)) : null,
    defects: defects.map((d) => ({name: d.name, code: d.code})),
    warnings: [
      ...(defects.length ? ['this JWT-SVID is broken on purpose (--defect): for testing validators only'] : []),
      ...(o.seed === undefined ? [] : [SEEDED_WARNING]),
    ],
  }
}
