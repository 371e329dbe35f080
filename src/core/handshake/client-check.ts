import type {TLSSocket} from 'node:tls'
import type {BundleSet} from '../bundle/index.js'
import type {SpiffeId, TrustDomain} from '../spiffe-id/index.js'
import {verifySvid} from '../verify/verify.js'
import {failureFromVerifyCode} from './alerts.js'
import {peerChain} from './peer-chain.js'

/** The longest client chain the server examines: more is refused before any path building (a hostile peer cannot stall the event loop). */
const MAX_PEER_CHAIN = 8

/** The server's verdict on one client: accepted with its SPIFFE ID, or rejected with a reason code and hint. */
type ClientVerdict =
  {ok: true; spiffeId: string | null} | {ok: false; code: string; message: string; hint: string; peer: string | null}

/**
 * Returns the verdict on the client of a finished TLS handshake: its chain verified as an
 * X509-SVID against the bundle of its trust domain, on every connection (resumed or not).
 * With `partial` it imitates a naive server that trusts OpenSSL's own verdict first.
 */
export function checkClient(
  socket: TLSSocket,
  o: {partial: boolean; bundles: () => BundleSet; at: Date; expectIds?: SpiffeId[]; expectTrustDomain?: TrustDomain},
): ClientVerdict {
  const reject = (code: string, message: string, hint: string, peer: string | null = null): ClientVerdict => ({
    ok: false,
    code,
    message,
    hint,
    peer,
  })
  if (o.partial && !socket.authorized && socket.authorizationError) {
    // The naive server trusts OpenSSL's judgement against its `ca`, which a {key, cert} reload dropped.
    const e = String(socket.authorizationError)
    const f = failureFromVerifyCode(e, e) ?? {code: e, message: e, hint: 'OpenSSL rejected the client certificate'}
    return reject(
      String(f.code),
      f.message,
      `${f.hint} (this server lets OpenSSL verify clients against its ca option)`,
    )
  }
  let chain
  try {
    chain = peerChain(socket)
  } catch (err) {
    return reject(
      'pem-invalid',
      `cannot parse the client certificate: ${(err as Error).message}`,
      'the client sent a malformed certificate',
    )
  }
  if (chain.length > MAX_PEER_CHAIN) {
    return reject(
      'path-limit',
      `the client sent ${chain.length} certificates (at most ${MAX_PEER_CHAIN} are examined)`,
      'an X509-SVID chain is the leaf and a few intermediates',
    )
  }
  if (chain.length === 0)
    return reject(
      'ERR_TLS_CERT_REQUIRED',
      'the client sent no certificate',
      'mTLS: the client must present its X509-SVID',
    )
  const verdict = verifySvid({
    chain,
    bundles: o.bundles(),
    at: o.at,
    expectIds: o.expectIds,
    expectTrustDomain: o.expectTrustDomain,
  })
  if (!verdict.valid) {
    const e = verdict.errors[0]
    const hint =
      e.code === 'untrusted-chain' && chain.length === 1
        ? `the client sent only its leaf: it must send its intermediates too (${e.hint})`
        : e.hint
    return reject(e.code, e.message, hint, verdict.spiffeId)
  }
  return {ok: true, spiffeId: verdict.spiffeId}
}
