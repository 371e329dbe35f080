import {SvidkitError, usageError} from '../errors.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {toJwks} from './jwks.js'
import {toPemBundle} from './pem-bundle.js'
import {loadBundleSpecs} from './bundle-spec.js'

/** Output formats of `convertBundles`. */
export type BundleFormat = 'pem' | 'jwks' | 'map'

/** Options of `convertBundles`. */
export interface ConvertOptions {
  to: BundleFormat
  /** Which trust domain to write (pem, jwks) or the trust domain of unlabelled inputs. */
  trustDomain?: string
  /** `spiffe_sequence` to write (jwks, map). Default 1. */
  sequence?: number
  /** `spiffe_refresh_hint` in seconds (jwks). Default none. */
  refreshHint?: number
  /** Read JWKS inputs as go-spiffe does. Default false. */
  strict?: boolean
  /** Accept certificates that are not CAs as authorities (`--allow-non-ca-authorities`). Default false. */
  allowNonCaAuthorities?: boolean
}

/** What a conversion produced. */
export interface ConvertResult {
  text: string
  format: BundleFormat
  trustDomains: string[]
  authorities: number
  warnings: string[]
}

/**
 * Throws `bundle-invalid` for the first authority that is not a CA certificate
 * (basicConstraints CA:TRUE): a leaf turned into a trust anchor trusts whatever it signs
 * (nothing) and hides the real CA; X509-SVID §6 publishes CA certificates only.
 */
function refuseNonCa(bundles: Map<string, {authorities: ParsedCertificate[]}>): void {
  for (const [td, b] of bundles) {
    const leaf = b.authorities.find((c) => c.basicConstraints?.ca !== true)
    if (!leaf) continue
    const name = leaf.san?.uris[0] ?? leaf.subject ?? leaf.serial
    throw new SvidkitError(
      'bundle-invalid',
      `authority "${name}" of trust domain "${td}" is not a CA certificate (no basicConstraints CA:TRUE)`,
      {
        hint: 'a bundle holds the CA certificates (roots) of a trust domain, not SVIDs: pass ca/bundle.pem; --allow-non-ca-authorities writes it anyway',
      },
    )
  }
}

/**
 * Returns the bundles given as `[TD=]FILE` specs converted to one format: a PEM bundle
 * or a SPIFFE JWKS for one trust domain, or a bundle map for all of them. Trust domains
 * are bound as in docs/design.md, `verify` and `inspect` and never mixed.
 */
export function convertBundles(specs: string[], o: ConvertOptions): ConvertResult {
  if (specs.length === 0) throw usageError('give at least one bundle file')
  if (o.trustDomain === '')
    throw usageError(
      '--trust-domain "" is empty',
      'give a trust domain name such as example.org, or leave --trust-domain out',
    )
  const set = loadBundleSpecs(specs, {expectedTrustDomain: o.trustDomain, strict: o.strict})
  if (set.unbound.length > 0) {
    throw usageError(
      `cannot tell which trust domain "${set.unbound[0]}" serves`,
      'label it: TD=FILE, or pass --trust-domain',
    )
  }
  const tds = [...set.byTrustDomain.keys()]
  if (!o.allowNonCaAuthorities) refuseNonCa(set.byTrustDomain)
  if (o.to === 'map') {
    const map: Record<string, unknown> = {}
    for (const [td, b] of set.byTrustDomain) map[td] = JSON.parse(toJwks(b.authorities, {sequence: o.sequence ?? 1}))
    const n = [...set.byTrustDomain.values()].reduce((acc, b) => acc + b.authorities.length, 0)
    return {
      text: `${JSON.stringify({trust_domains: map}, null, 2)}\n`,
      format: 'map',
      trustDomains: tds,
      authorities: n,
      warnings: set.warnings,
    }
  }
  const td = o.trustDomain ?? (tds.length === 1 ? tds[0] : undefined)
  if (!td)
    throw usageError(
      `the inputs hold several trust domains (${tds.join(', ')})`,
      `pick one with --trust-domain, or use --to map`,
    )
  const b = set.byTrustDomain.get(td)
  if (!b) throw usageError(`no bundle for trust domain "${td}" among the inputs`)
  const text =
    o.to === 'pem'
      ? toPemBundle(b.authorities)
      : toJwks(b.authorities, {sequence: o.sequence ?? 1, refreshHint: o.refreshHint})
  return {text, format: o.to, trustDomains: [td], authorities: b.authorities.length, warnings: set.warnings}
}
