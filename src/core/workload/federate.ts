/** Federated trust domains of the Workload API test server: `--federate TD=FILE` bundles, read once. */
import {SvidkitError} from '../errors.js'
import {loadBundleFile} from '../bundle/index.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import type {FederateSpec} from './options.js'

/**
 * Returns the authorities of each federated trust domain keyed by its SPIFFE ID
 * (`spiffe://td`, the key the Workload API uses). A bundle map file gives the entry of
 * that trust domain. Throws `usage` for a repeated or own trust domain and the bundle
 * reading errors (exit 3).
 */
export function loadFederated(
  specs: readonly FederateSpec[],
  ownTrustDomain: string,
): Map<string, ParsedCertificate[]> {
  const out = new Map<string, ParsedCertificate[]>()
  for (const spec of specs) {
    const key = `spiffe://${spec.trustDomain}`
    if (spec.trustDomain === ownTrustDomain) {
      throw new SvidkitError('usage', `--federate "${spec.trustDomain}" is the CA's own trust domain`, {
        hint: 'federate with other trust domains only',
      })
    }
    if (out.has(key)) throw new SvidkitError('usage', `--federate "${spec.trustDomain}" is given twice`)
    const file = loadBundleFile(spec.path)
    if (file.kind === 'single') out.set(key, file.bundle.authorities)
    else {
      const entry = file.bundles.get(spec.trustDomain)
      if (!entry)
        throw new SvidkitError('bundle-invalid', `bundle map "${spec.path}" has no entry for "${spec.trustDomain}"`, {
          path: spec.path,
        })
      out.set(key, entry.authorities)
    }
  }
  return out
}
