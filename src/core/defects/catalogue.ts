/**
 * The catalogue of deliberately broken X509-SVIDs (`issue --defect`, `svidkit defects`):
 * each defect breaks one rule and names the reason code `verify` reports for it.
 */
import {usageError, type ReasonCode} from '../errors.js'
import type {CertificateTemplate} from '../x509/build.js'
import {OID} from '../x509/oids.js'

/**
 * What a defect changes in the issuance plan. Each defect breaks exactly one rule of
 * the X509-SVID specification (docs/errors.md lists the reason codes); recipe.ts turns the
 * plans into the `LeafRecipe` that `issueSvid` applies (svid/recipe.ts).
 */
export interface DefectPlan {
  /** Leaf template fields to override after the profile. */
  leaf?: (t: CertificateTemplate, ctx: {id: string; trustDomain: string}) => void
  /** The URI SANs of the leaf (replaces the SPIFFE ID). */
  uris?: (ctx: {id: string; trustDomain: string}) => string[]
  /** Re-certify the signing CA (same key and subject) with a changed profile. */
  signingCa?: 'not-ca' | 'no-key-cert-sign' | 'expired' | 'uri-constraint-as-uri'
  /** Insert one more CA below the signing CA (its pathLen 0 is then exceeded). */
  extraIntermediate?: boolean
  /** Sign the leaf with a look-alike CA: same subject, another key. */
  lookAlike?: boolean
  /** Leave the intermediates out of the chain file. */
  dropIntermediates?: boolean
  /** Flip a bit in the leaf's signature. */
  corruptSignature?: boolean
  /** Write a key that does not belong to the leaf. */
  otherKey?: boolean
  /** Validity of the leaf relative to now (ms); bypasses the cap at the issuer's notAfter. */
  validity?: {notBefore: number; notAfter: number}
}

/** One deliberately broken SVID kind. */
export interface Defect {
  name: string
  /** The reason code `verify` reports for it. */
  code: ReasonCode
  /** The rule it breaks. */
  rule: string
  /** Needs `verify --strict` to be rejected. */
  strictOnly?: boolean
  /** What it changes; two defects touching the same aspect cannot be combined. */
  aspect: 'san' | 'leaf-flags' | 'signing-ca' | 'chain' | 'signature' | 'key' | 'validity' | 'extensions' | 'eku'
  plan: DefectPlan
}

const HOUR = 3_600_000
const UNKNOWN_CRITICAL_OID = '1.3.6.1.4.1.57264.9.1'
// DER NULL: the smallest valid extension value.
const DER_NULL = new Uint8Array([0x05, 0x00])

const path = (id: string): string => id.slice(id.indexOf('/', 'spiffe://'.length))

function setKeyUsage(names: NonNullable<CertificateTemplate['keyUsage']>['names']) {
  return (t: CertificateTemplate) => {
    t.keyUsage = {names, critical: true}
  }
}

/** Every defect `issue --defect` can produce, in the order of the verification steps. */
export const DEFECTS: Defect[] = [
  {
    name: 'no-uri-san',
    code: 'no-uri-san',
    aspect: 'san',
    rule: 'an X509-SVID has exactly one URI SAN (X509-SVID §2)',
    plan: {uris: () => []},
  },
  {
    name: 'multiple-uri-sans',
    code: 'multiple-uri-sans',
    aspect: 'san',
    rule: 'an X509-SVID has exactly one URI SAN: here the SPIFFE ID plus an https URI (X509-SVID §2)',
    plan: {uris: ({id, trustDomain}) => [id, `https://${trustDomain}${path(id)}`]},
  },
  {
    name: 'non-spiffe-uri',
    code: 'spiffe-id-invalid',
    aspect: 'san',
    rule: 'the URI SAN must be a spiffe:// ID: here https:// (SPIFFE-ID §2)',
    plan: {uris: ({id, trustDomain}) => [`https://${trustDomain}${path(id)}`]},
  },
  {
    name: 'id-uppercase',
    code: 'spiffe-id-invalid',
    aspect: 'san',
    rule: 'the trust domain must be lowercase (SPIFFE-ID §2.1)',
    plan: {uris: ({id, trustDomain}) => [`spiffe://${trustDomain.toUpperCase()}${path(id)}`]},
  },
  {
    name: 'id-percent-encoded',
    code: 'spiffe-id-invalid',
    aspect: 'san',
    rule: 'path segments allow letters, digits, ".", "-", "_" only: here a percent-escape (SPIFFE-ID §2.2)',
    plan: {uris: ({id}) => [`${id}%2Fadmin`]},
  },
  {
    name: 'id-dot-segment',
    code: 'spiffe-id-invalid',
    aspect: 'san',
    rule: 'no "." or ".." path segments (SPIFFE-ID §2.2)',
    plan: {uris: ({id}) => [`${id}/../admin`]},
  },
  {
    name: 'id-trailing-slash',
    code: 'spiffe-id-invalid',
    aspect: 'san',
    rule: 'the path must not end in "/" (SPIFFE-ID §2.2)',
    plan: {uris: ({id}) => [`${id}/`]},
  },
  {
    name: 'id-port',
    code: 'spiffe-id-invalid',
    aspect: 'san',
    rule: 'the trust domain has no port (SPIFFE-ID §2.1)',
    plan: {uris: ({id, trustDomain}) => [`spiffe://${trustDomain}:8443${path(id)}`]},
  },
  {
    name: 'leaf-root-path',
    code: 'leaf-root-path',
    aspect: 'san',
    rule: 'a leaf SPIFFE ID has a non-root path (X509-SVID §2)',
    plan: {uris: ({trustDomain}) => [`spiffe://${trustDomain}`]},
  },
  {
    name: 'leaf-is-ca',
    code: 'leaf-is-ca',
    aspect: 'leaf-flags',
    rule: 'a leaf has CA:FALSE (X509-SVID §4.1, §4.3)',
    plan: {leaf: (t) => void (t.basicConstraints = {ca: true, critical: true})},
  },
  {
    name: 'leaf-no-digital-signature',
    code: 'leaf-no-digital-signature',
    aspect: 'leaf-flags',
    rule: 'a leaf has digitalSignature (X509-SVID §4.1, §4.3); here keyAgreement only',
    plan: {leaf: setKeyUsage(['keyAgreement'])},
  },
  {
    name: 'leaf-key-cert-sign',
    code: 'leaf-key-cert-sign',
    aspect: 'leaf-flags',
    rule: 'a leaf has no keyCertSign (X509-SVID §4.1, §4.3)',
    plan: {leaf: setKeyUsage(['digitalSignature', 'keyCertSign'])},
  },
  {
    name: 'leaf-crl-sign',
    code: 'leaf-crl-sign',
    aspect: 'leaf-flags',
    rule: 'a leaf has no cRLSign (X509-SVID §4.1, §4.3)',
    plan: {leaf: setKeyUsage(['digitalSignature', 'cRLSign'])},
  },
  {
    name: 'signing-cert-not-ca',
    code: 'signing-cert-not-ca',
    aspect: 'signing-ca',
    rule: 'every certificate after the leaf is a CA (X509-SVID §4.1, §4.3); the signing intermediate is re-certified with CA:FALSE',
    plan: {signingCa: 'not-ca'},
  },
  {
    name: 'signing-cert-no-key-cert-sign',
    code: 'signing-cert-no-key-cert-sign',
    aspect: 'signing-ca',
    rule: 'every CA in the chain has keyCertSign (X509-SVID §4.1, §4.3); the signing intermediate is re-certified with cRLSign only',
    plan: {signingCa: 'no-key-cert-sign'},
  },
  {
    name: 'key-mismatch',
    code: 'key-mismatch',
    aspect: 'key',
    rule: 'the private key belongs to the leaf (X509-SVID §5); the key file holds another key',
    plan: {otherKey: true},
  },
  {
    name: 'untrusted',
    code: 'untrusted-chain',
    aspect: 'signature',
    rule: 'the chain leads to a bundle authority (X509-SVID §5.1); the leaf is signed by a look-alike CA with the same subject name',
    plan: {lookAlike: true},
  },
  {
    name: 'missing-intermediate',
    code: 'untrusted-chain',
    aspect: 'chain',
    rule: 'the chain file holds the intermediates after the leaf (X509-SVID §5.1); here the leaf alone',
    plan: {dropIntermediates: true},
  },
  {
    name: 'bad-signature',
    code: 'untrusted-chain',
    aspect: 'signature',
    rule: "every link's signature verifies (X509-SVID §5.1); one bit of the leaf's signature is flipped",
    plan: {corruptSignature: true},
  },
  {
    name: 'expired',
    code: 'cert-expired',
    aspect: 'validity',
    rule: 'now is before notAfter (RFC 5280 §6.1.3); the leaf expired an hour ago',
    plan: {validity: {notBefore: -2 * HOUR, notAfter: -HOUR}},
  },
  {
    name: 'not-yet-valid',
    code: 'cert-not-yet-valid',
    aspect: 'validity',
    rule: 'now is after notBefore (RFC 5280 §6.1.3); the leaf becomes valid in an hour',
    plan: {validity: {notBefore: HOUR, notAfter: 2 * HOUR}},
  },
  {
    name: 'expired-intermediate',
    code: 'cert-expired',
    aspect: 'signing-ca',
    rule: 'every certificate on the path is within its validity (RFC 5280 §6.1.3); the signing intermediate is re-certified expired',
    plan: {signingCa: 'expired'},
  },
  {
    name: 'name-constraint-violation',
    code: 'name-constraint-violation',
    aspect: 'signing-ca',
    rule: 'URI name constraints permit the leaf (X509-SVID §4.2, RFC 5280 §4.2.1.10); the signing intermediate gets the classic mistake "spiffe://<td>" as its permitted URI subtree',
    plan: {signingCa: 'uri-constraint-as-uri'},
  },
  {
    name: 'path-length',
    code: 'path-length-exceeded',
    aspect: 'chain',
    rule: 'pathLenConstraint holds (RFC 5280 §4.2.1.9); one more CA is inserted below the signing CA, whose pathLen is 0',
    plan: {extraIntermediate: true},
  },
  {
    name: 'unknown-critical-extension',
    code: 'unhandled-critical-extension',
    aspect: 'extensions',
    rule: `no unprocessed critical extension (RFC 5280 §4.2); the leaf carries critical ${UNKNOWN_CRITICAL_OID}`,
    plan: {
      leaf: (t) => void (t.extra = [...(t.extra ?? []), {oid: UNKNOWN_CRITICAL_OID, critical: true, value: DER_NULL}]),
    },
  },
  {
    name: 'eku-client-only',
    code: 'eku-incomplete',
    aspect: 'eku',
    strictOnly: true,
    rule: 'the leaf EKU has serverAuth and clientAuth (X509-SVID §4.4, --strict); here clientAuth only',
    plan: {leaf: (t) => void (t.extKeyUsage = {oids: [OID.clientAuth], critical: false})},
  },
]

/** Returns true for defects that change which CA signs the leaf or what the chain file holds. */
function reshapesChain(d: Defect): boolean {
  const p = d.plan
  return Boolean(p.signingCa || p.extraIntermediate || p.lookAlike || p.dropIntermediates || p.corruptSignature)
}

/** Returns the defects named, checking they exist and can be combined (one per aspect). */
export function parseDefects(names: readonly string[]): Defect[] {
  const out: Defect[] = []
  for (const n of names) {
    const d = DEFECTS.find((x) => x.name === n)
    if (!d) throw usageError(`unknown defect "${n}"`, 'list them with "svidkit issue --list-defects"')
    const clash = out.find((x) => x.aspect === d.aspect || (reshapesChain(x) && reshapesChain(d)))
    if (clash)
      throw usageError(
        `defects "${clash.name}" and "${d.name}" both change the ${clash.aspect === d.aspect ? d.aspect : 'chain above the leaf'} and cannot be combined`,
      )
    out.push(d)
  }
  return out
}
