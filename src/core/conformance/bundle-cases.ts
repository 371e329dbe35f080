/** The SPIFFE bundle document family (SPIFFE Trust Domain and Bundle §4): the same valid SVID judged against edited bundle documents. */
import {toJwks} from '../bundle/jwks.js'
import {bundleAuthorities} from '../ca/authority.js'
import {jwtBundleEntry, type JwtKey} from '../jwt/jwt-key.js'
import {planJwtSvid, signPlan} from '../jwt/sign.js'
import {jwtKeyOf} from '../jwt/jwt-key.js'
import {testcase, type Level, type Testcase} from './suite.js'
import {issuePem, suiteKeyPair, TD, WORKLOAD, type Fixtures} from './fixtures.js'

type Doc = {keys?: Record<string, unknown>[]} & Record<string, unknown>

/** Returns the bundle family. */
export async function bundleCases(f: Fixtures): Promise<Testcase[]> {
  const s = await issuePem(f, f.a, WORKLOAD)
  const base = (): Doc => JSON.parse(toJwks(bundleAuthorities(f.a), {sequence: 1, refreshHint: 300})) as Doc
  const x509 = (doc: Doc) => (doc.keys as Record<string, unknown>[])[0]
  const make = (
    id: string,
    description: string,
    level: Level,
    spec: string,
    code: string | null,
    edit: (d: Doc) => void,
    features: string[] = [],
  ): Testcase => {
    const doc = base()
    edit(doc)
    return testcase({
      id: `bundle::${id}`,
      description,
      family: 'bundle',
      svid_kind: 'x509',
      level,
      features: ['spiffe-bundle-document', ...features],
      spec,
      reason_code: code,
      validation_time: f.at,
      expected_result: code === null ? 'SUCCESS' : 'FAILURE',
      peer_certificate: s.leaf,
      untrusted_intermediates: s.intermediates,
      x509_bundles: {},
      spiffe_bundles: {[TD]: doc},
      expected_spiffe_id: code === null ? WORKLOAD : null,
    })
  }
  const out = [
    make(
      'valid',
      'a bundle document as svidkit writes it: one x509-svid entry with one x5c, sequence and refresh hint',
      'MUST',
      'SPIFFE Trust Domain and Bundle §4',
      null,
      () => {},
    ),
    make(
      'x509-entry-with-kid',
      'the x509-svid entry carries a kid (not needed for X.509 authorities)',
      'MAY',
      'SPIFFE Trust Domain and Bundle §4.2.1',
      null,
      (d) => void (x509(d).kid = 'x509-root-1'),
    ),
    make(
      'unknown-use-ignored',
      'a second entry with an unknown use beside the valid x509-svid entry: consumers ignore it',
      'MUST',
      'SPIFFE Trust Domain and Bundle §4.2 (entries of unknown use are ignored)',
      null,
      (d) => void d.keys?.push({...x509(d), use: 'future-svid'}),
    ),
    make(
      'root-only-in-unknown-use',
      'the root is published only in an entry whose use is unknown: not an X.509 authority',
      'MUST',
      'SPIFFE Trust Domain and Bundle §4.2',
      'untrusted-chain',
      (d) => void (x509(d).use = 'future-svid'),
    ),
    make(
      'root-only-in-jwt-svid-entry',
      'the root is published only in a jwt-svid entry: a JWT key is never an X.509 authority',
      'MUST',
      'SPIFFE Trust Domain and Bundle §4.2.2',
      'untrusted-chain',
      (d) => void Object.assign(x509(d), {use: 'jwt-svid', kid: 'k1'}),
    ),
    make(
      'empty-keys',
      '"keys": [] — the trust domain trusts nothing',
      'MUST',
      'SPIFFE Trust Domain and Bundle §4',
      'untrusted-chain',
      (d) => void (d.keys = []),
    ),
    make(
      'no-keys-member',
      'no "keys" member: not a JWK Set',
      'MUST',
      'SPIFFE Trust Domain and Bundle §4, RFC 7517 §5',
      'bundle-invalid',
      (d) => void delete d.keys,
    ),
    make(
      'several-x5c',
      'the x509-svid entry holds two certificates in x5c (exactly one is allowed); a lenient reader uses the first',
      'SHOULD',
      'SPIFFE Trust Domain and Bundle §4.2.1 (x5c holds exactly one certificate)',
      'bundle-invalid',
      (d) => void (x509(d).x5c = [...(x509(d).x5c as string[]), ...(x509(d).x5c as string[])]),
      ['spiffe-strict-bundle'],
    ),
    make(
      'refresh-hint-string',
      'spiffe_refresh_hint is the string "60", not an integer: the keys are still usable',
      'MAY',
      'SPIFFE Trust Domain and Bundle §4.1',
      null,
      (d) => void (d.spiffe_refresh_hint = '60'),
    ),
    make(
      'sequence-negative',
      'spiffe_sequence is -1, not a non-negative integer: the keys are still usable',
      'MAY',
      'SPIFFE Trust Domain and Bundle §4.1',
      null,
      (d) => void (d.spiffe_sequence = -1),
    ),
  ]
  // JWT bundle documents: a valid token judged against edited jwt-svid entries.
  const own = f.a.jwt as JwtKey
  const stranger = jwtKeyOf((await suiteKeyPair(f, 'ec-p256', 'bundle stranger')).privateKey)
  const deterministic = f.seed !== undefined
  const token = signPlan(
    planJwtSvid({
      spiffeId: WORKLOAD,
      audience: [`spiffe://${TD}/db`],
      signer: own,
      now: f.now,
      ttlMs: 300_000,
      deterministic,
    }),
  )
  const jwtCase = (id: string, description: string, level: Level, spec: string, code: string | null, keys: object[]) =>
    testcase({
      id: `bundle::${id}`,
      description,
      family: 'bundle',
      svid_kind: 'jwt',
      level,
      features: ['spiffe-bundle-document', 'jwt-svid'],
      spec,
      reason_code: code,
      validation_time: f.at,
      expected_result: code === null ? 'SUCCESS' : 'FAILURE',
      expected_spiffe_id: code === null ? WORKLOAD : null,
      token,
      jwt_bundles: {[TD]: {keys}},
      audience: [`spiffe://${TD}/db`],
    })
  const entry = jwtBundleEntry(own) as Record<string, unknown>
  const {kid: _kid, ...noKid} = entry
  out.push(
    jwtCase(
      'jwt-entry-without-kid',
      'the jwt-svid entry holding the signing key has no kid: it cannot be selected',
      'MUST',
      'SPIFFE Trust Domain and Bundle §4.2.2 (kid required)',
      'jwt-kid-unknown',
      [noKid],
    ),
    jwtCase(
      'jwt-duplicate-kid',
      "two jwt-svid entries share the token's kid, one of them another key",
      'SHOULD',
      'SPIFFE Trust Domain and Bundle §4.2.2, RFC 7517 §4.5 (kid distinguishes keys)',
      'bundle-invalid',
      [{...(jwtBundleEntry(stranger) as object), kid: own.kid}, entry],
    ),
  )
  return out
}
