/**
 * The conformance suite format: x509-limbo's testcase schema (C2SP/x509-limbo, `Limbo`
 * version 1) where it fits, extended with SPIFFE fields (docs/conformance.md "Suite format").
 */

/** The families of cases, reported separately by `conformance run`. */
export const FAMILIES = ['x509-svid', 'path', 'jwt-svid', 'bundle'] as const
export type Family = (typeof FAMILIES)[number]

/** How binding a case is: MUST cases decide the exit code of `conformance run`. */
export type Level = 'MUST' | 'SHOULD' | 'MAY'

/** One test case: limbo's fields, then svidkit's SPIFFE extension. */
export interface Testcase {
  // --- x509-limbo fields ---
  id: string
  description: string
  /** Optional behaviour a harness may skip when it does not know the feature (limbo semantics). */
  features: string[]
  validation_kind: 'CLIENT'
  /** Roots of the bundle of the leaf's trust domain (PEM); empty for JWT and bundle-document cases. */
  trusted_certs: string[]
  untrusted_intermediates: string[]
  /** The leaf (PEM); empty for JWT cases. */
  peer_certificate: string
  peer_certificate_key: string | null
  validation_time: string
  expected_result: 'SUCCESS' | 'FAILURE'
  expected_peer_names: never[]
  key_usage: never[]
  extended_key_usage: never[]
  signature_algorithms: never[]
  // --- SPIFFE extension ---
  family: Family
  /** `x509`: verify peer_certificate; `jwt`: validate token. */
  svid_kind: 'x509' | 'jwt'
  level: Level
  /** The spec rule, with its section (SPIFFE standards, RFC 5280/7515/7519). */
  spec: string
  /** svidkit's reason code for a FAILURE case (docs/errors.md), null for SUCCESS. */
  reason_code: string | null
  /** X.509 bundles by trust domain: PEM roots (never pooled: use only the leaf's trust domain). */
  x509_bundles: Record<string, string[]>
  /** Bundle documents by trust domain (SPIFFE JWKS, Trust Domain and Bundle §4), used instead of x509_bundles when set. */
  spiffe_bundles?: Record<string, unknown>
  /** The SPIFFE ID the SVID carries when it is valid (what the validator should report). */
  expected_spiffe_id: string | null
  /** Accepted SPIFFE IDs; empty = any ID of a trusted trust domain. */
  authorized_ids: string[]
  /** JWT-SVID (JWS compact) for `jwt` cases. */
  token?: string
  /** JWT bundles by trust domain (SPIFFE JWKS with jwt-svid entries). */
  jwt_bundles?: Record<string, unknown>
  /** The audience the validator is (the token's aud must hold it). */
  audience?: string[]
  /** Why the expected result may still differ from svidkit of the same version (e.g. a fix in progress). */
  note?: string
}

/** A generated suite: limbo's top level plus provenance. */
export interface Suite {
  version: 1
  generator: string
  seed: string | null
  testcases: Testcase[]
}

/** Returns a case with the limbo fields that SPIFFE cases leave empty filled in. */
export function testcase(
  t: Omit<
    Testcase,
    | 'validation_kind'
    | 'expected_peer_names'
    | 'key_usage'
    | 'extended_key_usage'
    | 'signature_algorithms'
    | 'features'
    | 'peer_certificate_key'
    | 'untrusted_intermediates'
    | 'trusted_certs'
    | 'peer_certificate'
    | 'authorized_ids'
    | 'x509_bundles'
  > &
    Partial<Testcase>,
): Testcase {
  return {
    id: t.id,
    description: t.description,
    features: t.features ?? [],
    validation_kind: 'CLIENT',
    trusted_certs: t.trusted_certs ?? [],
    untrusted_intermediates: t.untrusted_intermediates ?? [],
    peer_certificate: t.peer_certificate ?? '',
    peer_certificate_key: t.peer_certificate_key ?? null,
    validation_time: t.validation_time,
    expected_result: t.expected_result,
    expected_peer_names: [],
    key_usage: [],
    extended_key_usage: [],
    signature_algorithms: [],
    family: t.family,
    svid_kind: t.svid_kind,
    level: t.level,
    spec: t.spec,
    reason_code: t.reason_code,
    x509_bundles: t.x509_bundles ?? {},
    ...(t.spiffe_bundles ? {spiffe_bundles: t.spiffe_bundles} : {}),
    expected_spiffe_id: t.expected_spiffe_id,
    authorized_ids: t.authorized_ids ?? [],
    ...(t.token !== undefined ? {token: t.token, jwt_bundles: t.jwt_bundles ?? {}, audience: t.audience ?? []} : {}),
    ...(t.note ? {note: t.note} : {}),
  }
}

/** Returns the spec citation inside a rule text: the last parenthesised part naming a section. */
export function citation(rule: string): string {
  const all = [...rule.matchAll(/\(([^()]*§[^()]*)\)/g)].map((m) => m[1])
  return all.at(-1) ?? rule
}
