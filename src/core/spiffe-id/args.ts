import {SvidkitError, isSvidkitError} from '../errors.js'
import {SpiffeId} from './spiffe-id.js'
import {MAX_TRUST_DOMAIN_BYTES, TrustDomain} from './trust-domain.js'

function asUsage(err: unknown, hint: string): never {
  if (isSvidkitError(err)) throw new SvidkitError(err.code, err.message, {exit: 2, hint, cause: err})
  throw err
}

/**
 * Returns the trust domain named by a command-line argument. An invalid value is a usage
 * error (exit 2, code `spiffe-id-invalid`), since it came from a flag, not a certificate.
 */
export function parseTrustDomainArg(text: string): TrustDomain {
  try {
    return TrustDomain.parse(text)
  } catch (err) {
    asUsage(
      err,
      `a trust domain is at most ${MAX_TRUST_DOMAIN_BYTES} bytes of lowercase letters, digits, ".", "-" and "_", e.g. example.org (or spiffe://example.org)`,
    )
  }
}

/** Returns the SPIFFE ID named by a command-line argument; invalid → exit 2 (`spiffe-id-invalid`). */
export function parseSpiffeIdArg(text: string): SpiffeId {
  try {
    return SpiffeId.parse(text)
  } catch (err) {
    asUsage(
      err,
      `a SPIFFE ID is spiffe://<trust-domain>/<path>, lowercase trust domain of at most ${MAX_TRUST_DOMAIN_BYTES} bytes, path segments of letters, digits, ".", "-", "_"`,
    )
  }
}
