import {SvidkitError} from '../errors.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {verifySvid} from '../verify/verify.js'
import {singleBundleSet} from '../bundle/single-set.js'
import type {X509Svid} from '../svid/svid.js'
import type {Defect} from './catalogue.js'

/**
 * Checks that a deliberately broken SVID is rejected by the verification algorithm for
 * exactly the reasons its defects name (strict mode, at `now`); anything else is a bug
 * (exit 1), so `issue --defect` never hands out a defect that does not do what it says.
 */
export function defectCheck(svid: X509Svid, bundle: ParsedCertificate[], defects: Defect[], now: Date): void {
  const result = verifySvid({
    chain: svid.certificates,
    key: svid.privateKey,
    bundles: singleBundleSet(svid.id.trustDomain.name, bundle),
    at: now,
    strict: true,
  })
  const codes = new Set(result.errors.map((e) => e.code))
  const missing = defects.filter((d) => !codes.has(d.code))
  if (missing.length > 0 && defects.length > 1) {
    // Verification stops early on some failures (no SPIFFE ID: no bundle; no path: no path checks).
    throw new SvidkitError(
      'usage',
      `defects ${defects.map((d) => `"${d.name}"`).join(' and ')} cannot be combined: verify reports ${[...codes].join(', ')} and never reaches ${missing.map((d) => d.code).join(', ')}`,
      {
        hint: 'verification stops at the first failing step of a path; issue these defects as separate SVIDs',
      },
    )
  }
  if (missing.length > 0) {
    throw new SvidkitError(
      'internal',
      `defect ${missing.map((d) => `"${d.name}"`).join(', ')} did not produce ${missing.map((d) => d.code).join(', ')} (got ${[...codes].join(', ') || 'a valid SVID'})`,
    )
  }
}
