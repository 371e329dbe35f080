/** The X509-SVID leaf-profile and path/bundle-binding families (X509-SVID §2-§5, SPIFFE Trust Domain and Bundle §4). */
import {DEFECTS} from '../defects/index.js'
import {citation, testcase, type Testcase} from './suite.js'
import {
  crossCertify,
  issuePem,
  OTHER_TD,
  pem,
  recipe,
  rootsPem,
  TD,
  withConstrainedIntermediate,
  WORKLOAD,
  type Fixtures,
  type IssuedPem,
} from './fixtures.js'

function x509Case(
  f: Fixtures,
  o: Partial<Testcase> & Pick<Testcase, 'id' | 'description' | 'family' | 'level' | 'spec' | 'reason_code'>,
  s: IssuedPem,
  bundles: Record<string, string[]>,
  leafTd = TD,
): Testcase {
  return testcase({
    ...o,
    svid_kind: 'x509',
    validation_time: f.at,
    expected_result: o.reason_code === null ? 'SUCCESS' : 'FAILURE',
    peer_certificate: s.leaf,
    untrusted_intermediates: s.intermediates,
    peer_certificate_key: o.peer_certificate_key ?? null,
    trusted_certs: bundles[leafTd] ?? [],
    x509_bundles: bundles,
    expected_spiffe_id: o.expected_spiffe_id ?? null,
  })
}

/** Returns the leaf-profile family: a valid SVID, then every `issue --defect`. */
export async function leafProfileCases(f: Fixtures): Promise<Testcase[]> {
  const bundles = {[TD]: rootsPem(f.a)}
  const out: Testcase[] = []
  const good = await issuePem(f, f.a, WORKLOAD)
  out.push(
    x509Case(
      f,
      {
        id: 'x509-svid::valid',
        description:
          'a spec-correct X509-SVID and its intermediate, trust domain bundle with URI name constraints permitting example.org',
        family: 'x509-svid',
        level: 'MUST',
        spec: 'X509-SVID §4, §5',
        reason_code: null,
        expected_spiffe_id: WORKLOAD,
        peer_certificate_key: good.key,
      },
      good,
      bundles,
    ),
  )
  out.push(
    x509Case(
      f,
      {
        id: 'x509-svid::authorized-id',
        description: 'the SVID is valid and its ID is the one authorized',
        family: 'x509-svid',
        level: 'MUST',
        spec: 'X509-SVID §5.2',
        reason_code: null,
        expected_spiffe_id: WORKLOAD,
        authorized_ids: [WORKLOAD],
      },
      good,
      bundles,
    ),
    x509Case(
      f,
      {
        id: 'x509-svid::unauthorized-id',
        description: 'the SVID is valid but another ID is the only one authorized',
        family: 'x509-svid',
        level: 'MUST',
        spec: 'X509-SVID §5.2',
        reason_code: 'id-mismatch',
        authorized_ids: [`spiffe://${TD}/someone-else`],
      },
      good,
      bundles,
    ),
  )
  for (const d of DEFECTS) {
    const s = await issuePem(f, f.a, WORKLOAD, [d])
    out.push(
      x509Case(
        f,
        {
          id: `x509-svid::${d.name}`,
          description: d.rule,
          family: 'x509-svid',
          level: d.strictOnly ? 'SHOULD' : 'MUST',
          features: d.strictOnly ? ['spiffe-strict-eku'] : [],
          spec: citation(d.rule),
          reason_code: d.code,
          peer_certificate_key: d.plan.otherKey ? s.key : null,
        },
        s,
        bundles,
      ),
    )
  }
  return out
}

/** Returns the path and bundle-binding family: federation, pooling, URI name constraints, CA rollover. */
export async function pathCases(f: Fixtures): Promise<Testcase[]> {
  const both = {[TD]: rootsPem(f.a), [OTHER_TD]: rootsPem(f.b)}
  const fed = `spiffe://${OTHER_TD}/partner`
  const out: Testcase[] = []
  out.push(
    x509Case(
      f,
      {
        id: 'path::federated-valid',
        description: 'an SVID of other.test, verified with the bundle of other.test among two bundles',
        family: 'path',
        level: 'MUST',
        spec: 'SPIFFE Trust Domain and Bundle §5.1',
        reason_code: null,
        expected_spiffe_id: fed,
      },
      await issuePem(f, f.b, fed),
      both,
      OTHER_TD,
    ),
  )
  // other.test's CA signs a leaf claiming example.org: only bundle binding stops it (its CA has no name constraints).
  const forged = await issuePem(f, f.b, fed, [recipe('cross-td', {uris: () => [WORKLOAD]})])
  out.push(
    x509Case(
      f,
      {
        id: 'path::cross-trust-domain-signing',
        description:
          "a leaf claiming example.org signed by other.test's CA; bundles of both trust domains given: a verifier that pools bundles accepts it",
        family: 'path',
        level: 'MUST',
        spec: "X509-SVID §5.1, SPIFFE Trust Domain and Bundle §5.1 (bundle of the ID's trust domain only)",
        reason_code: 'untrusted-chain',
      },
      forged,
      both,
    ),
    x509Case(
      f,
      {
        id: 'path::bundle-of-other-trust-domain-only',
        description: 'an example.org SVID with only the bundle of other.test: no bundle for its trust domain',
        family: 'path',
        level: 'MUST',
        spec: 'X509-SVID §5.1',
        reason_code: 'bundle-not-found',
      },
      await issuePem(f, f.a, WORKLOAD),
      {[OTHER_TD]: rootsPem(f.b)},
    ),
    x509Case(
      f,
      {
        id: 'path::empty-bundle',
        description: 'the bundle of example.org is empty: the trust domain trusts nothing',
        family: 'path',
        level: 'MUST',
        spec: 'SPIFFE Trust Domain and Bundle §4',
        reason_code: 'untrusted-chain',
      },
      await issuePem(f, f.a, WORKLOAD),
      {[TD]: []},
    ),
  )
  const excluded = await withConstrainedIntermediate(f, f.a, {
    permitted: [],
    excluded: [{type: 'uri', value: TD}],
    critical: true,
  })
  const dotted = await withConstrainedIntermediate(f, f.a, {
    permitted: [{type: 'uri', value: `.${TD}`}],
    critical: true,
  })
  const permitted = await withConstrainedIntermediate(f, f.a, {permitted: [{type: 'uri', value: TD}], critical: true})
  const bundles = {[TD]: rootsPem(f.a)}
  out.push(
    x509Case(
      f,
      {
        id: 'path::uri-constraint-permitted',
        description: 'the signing intermediate permits URI host example.org; the leaf is in example.org',
        family: 'path',
        level: 'MUST',
        spec: 'X509-SVID §4.2, RFC 5280 §4.2.1.10',
        reason_code: null,
        expected_spiffe_id: WORKLOAD,
      },
      await issuePem(f, permitted, WORKLOAD),
      bundles,
    ),
    x509Case(
      f,
      {
        id: 'path::uri-constraint-excluded',
        description: 'the signing intermediate excludes URI host example.org; the leaf is in example.org',
        family: 'path',
        level: 'MUST',
        spec: 'X509-SVID §4.2, RFC 5280 §4.2.1.10',
        reason_code: 'name-constraint-violation',
      },
      await issuePem(f, excluded, WORKLOAD),
      bundles,
    ),
    x509Case(
      f,
      {
        id: 'path::uri-constraint-subdomains-only',
        description:
          'the signing intermediate permits ".example.org" (sub-domains only); the leaf is in example.org itself',
        family: 'path',
        level: 'MUST',
        spec: 'RFC 5280 §4.2.1.10 (a leading period admits only sub-domains)',
        reason_code: 'name-constraint-violation',
      },
      await issuePem(f, dotted, WORKLOAD),
      bundles,
    ),
  )
  // CA key rollover: the new root certified by the old one (NewWithOld) and the other way round (OldWithNew).
  const newWithOld = await crossCertify(f, f.r2.roots[0], f.r1.roots[0], TD)
  const oldWithNew = await crossCertify(f, f.r1.roots[0], f.r2.roots[0], TD)
  const note =
    'path building through a cross-certificate; svidkit path validation for rollover is being fixed concurrently (engineer h19)'
  const newLeaf = await issuePem(f, f.r2, WORKLOAD)
  const oldLeaf = await issuePem(f, f.r1, WORKLOAD)
  const rollovers = [
    {
      name: 'new-with-old',
      leaf: newLeaf,
      cross: newWithOld,
      bundle: f.r1,
      what: 'a leaf of the new CA key, the bundle still holds only the old root; the chain carries the new root certified by the old key (NewWithOld)',
    },
    {
      name: 'old-with-new',
      leaf: oldLeaf,
      cross: oldWithNew,
      bundle: f.r2,
      what: 'a leaf of the old CA key, the bundle holds only the new root; the chain carries the old root certified by the new key (OldWithNew)',
    },
  ]
  for (const r of rollovers) {
    const spec = 'RFC 4210 §4.4 (root CA key update), RFC 5280 §6.1'
    const meta = {
      id: `path::rollover-${r.name}`,
      description: r.what,
      family: 'path' as const,
      level: 'MUST' as const,
      features: ['ca-rollover'],
      spec,
      reason_code: null,
      expected_spiffe_id: WORKLOAD,
      note,
    }
    out.push(
      x509Case(
        f,
        meta,
        {...r.leaf, intermediates: [...r.leaf.intermediates, pem(r.cross)]},
        {[TD]: rootsPem(r.bundle)},
      ),
    )
  }
  return out
}
