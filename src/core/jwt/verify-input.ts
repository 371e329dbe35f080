/** `jwt verify` input: the token (argument or standard input), the bundles and the flags, parsed once. */
import {usageError} from '../errors.js'
import {readInput, STDIN_PATH} from '../fs/read-input.js'
import {parseDuration} from '../time/duration.js'
import {parseSpiffeIdArg, parseTrustDomainArg} from '../spiffe-id/index.js'
import {loadJwtBundles} from './jwt-bundle.js'
import {verifyJwtSvid, type JwtVerifyResult} from './verify.js'

/** Options of {@link verifyJwtFiles}: flag values as given. */
interface JwtVerifyInput {
  /** The token, or `-` for standard input. */
  token: string
  bundles: readonly string[]
  audience: readonly string[]
  expectIds?: readonly string[]
  expectTrustDomain?: string
  at: Date
  /** Go duration. Default `0s`. */
  skew?: string
}

/** Returns the validation of a JWT-SVID given as flag values; throws usage (exit 2) or read errors (exit 3). */
export function verifyJwtFiles(i: JwtVerifyInput): JwtVerifyResult {
  if (i.audience.length === 0)
    throw usageError('missing required flag --audience', 'JWT-SVID §3.2: a validator knows which audience it is')
  const skewMs = parseDuration(i.skew ?? '0s')
  if (skewMs < 0) throw usageError(`--skew "${i.skew}" must not be negative`)
  const token = i.token === STDIN_PATH ? readInput(STDIN_PATH, 'usage').toString('utf8').trim() : i.token
  for (const id of i.expectIds ?? []) parseSpiffeIdArg(id)
  const expectTrustDomain =
    i.expectTrustDomain === undefined ? undefined : parseTrustDomainArg(i.expectTrustDomain).name
  return verifyJwtSvid(token, {
    audience: i.audience,
    bundles: loadJwtBundles(i.bundles),
    at: i.at,
    skewMs,
    expectIds: i.expectIds,
    expectTrustDomain,
  })
}
