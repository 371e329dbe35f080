import {systemClock, type Clock} from '../clock.js'
import {parseSpiffeIdArg, parseTrustDomainArg, SpiffeId} from '../spiffe-id/index.js'
import {loadBundleSpecs} from '../bundle/index.js'
import {usageError} from '../errors.js'
import {verifySvid} from '../verify/verify.js'
import type {VerifyResult} from '../verify/result.js'

/** Options of `verifyConnect`. */
interface VerifyConnectOptions {
  /** `HOST:PORT` or `[IPv6]:PORT` of a TLS server. */
  target: string
  /** SNI; default the host when it is a name. */
  servername?: string
  /** `--bundle [TD=]FILE` values (required: a server is verified against a bundle). */
  bundles: string[]
  expectIds?: string[]
  expectTrustDomain?: string
  /** Handshake timeout in ms. Default 10000. */
  timeoutMs?: number
  strict?: boolean
  /** Evaluation time. Default now. */
  at?: Date
  /** True when `at` was chosen by the user (`--at`): messages speak of the evaluation time. Default false. */
  atGiven?: boolean
  clock?: Clock
}

/**
 * Returns the X509-SVID verification of the chain a live server presents (the same
 * algorithm as for a chain file; no key check, since the server proved its key in the
 * handshake). The TLS code is imported only here, on demand.
 */
export async function verifyConnect(o: VerifyConnectOptions): Promise<VerifyResult> {
  const {fetchChain, parseTarget} = await import('./fetch-chain.js')
  const t = parseTarget(o.target)
  if (!t)
    throw usageError(
      `--connect ${JSON.stringify(o.target)} is not HOST:PORT`,
      'for example --connect 127.0.0.1:8443 or --connect [::1]:8443',
    )
  if (o.bundles.length === 0)
    throw usageError(
      '--connect needs --bundle: the server is verified against the bundle of its trust domain',
      'svidkit verify --connect HOST:PORT --bundle example.org=bundle.pem',
    )
  const expectIds = (o.expectIds ?? []).map(parseSpiffeIdArg)
  const expectTd = o.expectTrustDomain === undefined ? undefined : parseTrustDomainArg(o.expectTrustDomain)
  const fetched = await fetchChain({host: t.host, port: t.port, servername: o.servername, timeoutMs: o.timeoutMs})
  const uris = fetched.certificates[0].san?.uris
  let leafTd: string | undefined
  try {
    leafTd = uris?.length === 1 ? SpiffeId.parse(uris[0]).trustDomain.name : undefined
  } catch {
    leafTd = undefined
  }
  const expectedTds = new Set(expectIds.map((i) => i.trustDomain.name))
  const bundles = loadBundleSpecs(o.bundles, {
    expectedTrustDomain: expectTd?.name ?? (expectedTds.size === 1 ? [...expectedTds][0] : undefined),
    leafTrustDomain: leafTd,
    strict: o.strict,
  })
  const result = verifySvid({
    chain: fetched.certificates,
    bundles,
    at: o.at ?? (o.clock ?? systemClock).now(),
    atGiven: o.atGiven,
    expectIds,
    expectTrustDomain: expectTd,
    strict: o.strict,
  })
  return {...result, connection: {target: fetched.target, servername: fetched.servername, protocol: fetched.protocol}}
}
