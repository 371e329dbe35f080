import {isIP} from 'node:net'
import {connect} from 'node:tls'
import {systemClock, type Clock} from '../clock.js'
import type {SpiffeId, TrustDomain} from '../spiffe-id/index.js'
import type {BundleSet} from '../bundle/index.js'
import {verifySvid} from '../verify/verify.js'
import type {VerifyResult} from '../verify/result.js'
import type {CertificateSummary} from '../x509/summary.js'
import {closedWithoutReply, failureFromError, type HandshakeFailure} from './alerts.js'
import {
  DEFAULT_PROBE,
  MAX_REPLY_BYTES,
  firstLine,
  judgeReply,
  probeRequest,
  replyComplete,
  type ProbeSpec,
} from './client-probe.js'
import {peerChain} from './peer-chain.js'
import {clientConnectOptions, type TlsVersionChoice} from './tls-options.js'

/** The request of the default (HTTP) probe before --probe existed; kept for library users. */
export const ROUND_TRIP_REQUEST = 'GET /svidkit HTTP/1.0\r\n\r\n'

/** How long a `--probe tls` client waits under TLS 1.3 for the server's verdict (a session ticket, an alert or a close). */
const TLS13_VERDICT_WAIT_MS = 300

/** Options of one client handshake. */
export interface ClientOptions {
  host: string
  port: number
  /** SNI; default the host when it is a name, else "svidkit" (a name is always sent). */
  servername?: string
  /** Our SVID: key and chain PEM. Without it no client certificate is sent. */
  credentials?: {key: string | Buffer; cert: string | Buffer}
  /** Bundles by trust domain for verifying the server. */
  bundles: BundleSet
  expectIds?: SpiffeId[]
  expectTrustDomain?: TrustDomain
  tlsVersion?: TlsVersionChoice
  /** Whole-attempt timeout in ms. Default 10000. */
  timeoutMs?: number
  /** How acceptance is proven (docs/race.md). Default: an HTTP request whose status says so. */
  probe?: ProbeSpec
  clock?: Clock
}

/** The outcome of one client handshake (docs/errors.md, `handshake --json`). */
export interface HandshakeResult {
  ok: boolean
  tls: {protocol: string | null; cipher: string | null; resumed: boolean}
  /** `presented`: how many certificates the server sent (1: its leaf alone). */
  peer: {spiffeId: string | null; serial: string | null; chain: CertificateSummary[]; presented?: number}
  verify?: VerifyResult
  timing: {connectMs: number | null; handshakeMs: number | null; roundTripMs: number | null}
  /** The first line of the server's reply to the probe ("" for `--probe tls`). */
  reply?: string
  /** Our local TCP port (lets a local test match the server's view of this connection). */
  localPort?: number
  errors: HandshakeFailure[]
}

/**
 * Returns the result of one mTLS handshake as a SPIFFE client: the server's SVID is
 * verified by svidkit (not by a hostname check), then a request/reply round trip
 * confirms that the server accepted our certificate (a TLS 1.3 server judges it after we
 * finished). A reused session would skip verification: svidkit never offers one and
 * verifies every connection anyway.
 */
export function clientHandshake(o: ClientOptions): Promise<HandshakeResult> {
  const clock = o.clock ?? systemClock
  const t0 = clock.monotonicMs()
  const result: HandshakeResult = {
    ok: false,
    tls: {protocol: null, cipher: null, resumed: false},
    peer: {spiffeId: null, serial: null, chain: []},
    timing: {connectMs: null, handshakeMs: null, roundTripMs: null},
    errors: [],
  }
  return new Promise((resolve) => {
    let settled = false
    let secured = false
    let tSecure = 0
    const servername = o.servername ?? (isIP(o.host) ? 'svidkit' : o.host)
    const socket = connect(
      clientConnectOptions({
        host: o.host,
        port: o.port,
        servername,
        key: o.credentials?.key,
        cert: o.credentials?.cert,
        version: o.tlsVersion,
      }),
    )
    const finish = (failure?: HandshakeFailure) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(verdictTimer)
      if (failure) result.errors.push(failure)
      result.ok = result.errors.length === 0 && result.reply !== undefined
      socket.destroy()
      resolve(result)
    }
    const timer = setTimeout(
      () =>
        finish(
          failureFromError(
            Object.assign(new Error(`no answer within ${o.timeoutMs ?? 10_000}ms`), {code: 'ERR_SVIDKIT_TIMEOUT'}),
            'connect',
          ),
        ),
      o.timeoutMs ?? 10_000,
    )
    socket.once('connect', () => {
      result.timing.connectMs = clock.monotonicMs() - t0
      result.localPort = socket.localPort
    })
    const probe = o.probe ?? DEFAULT_PROBE
    let replyText = ''
    let verdictTimer: NodeJS.Timeout | undefined
    const accept = () => {
      result.reply = ''
      result.timing.roundTripMs = clock.monotonicMs() - tSecure
      finish()
    }
    const judge = () => {
      result.reply = firstLine(replyText)
      result.timing.roundTripMs = clock.monotonicMs() - tSecure
      finish(judgeReply(probe, replyText))
    }
    socket.once('secureConnect', () => {
      secured = true
      tSecure = clock.monotonicMs()
      result.timing.handshakeMs = tSecure - t0
      result.tls = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher()?.name ?? null,
        resumed: socket.isSessionReused(),
      }
      const chain = peerChain(socket)
      if (chain.length === 0)
        return finish({
          code: 'no-uri-san',
          message: 'the server sent no certificate',
          hint: 'the server must present its X509-SVID',
          side: 'local',
        })
      const verdict = verifySvid({
        chain,
        bundles: o.bundles,
        at: clock.now(),
        expectIds: o.expectIds,
        expectTrustDomain: o.expectTrustDomain,
      })
      result.verify = verdict
      result.peer = {spiffeId: verdict.spiffeId, serial: chain[0].serial, chain: verdict.chain, presented: chain.length}
      if (!verdict.valid) {
        const e = verdict.errors[0]
        return finish({
          ...e,
          hint: chain.length === 1 && e.code === 'untrusted-chain' ? `server sent only its leaf: ${e.hint}` : e.hint,
          side: 'local',
        })
      }
      const request = probeRequest(probe, servername)
      if (request !== undefined) {
        socket.write(request)
        return
      }
      // --probe tls: under TLS 1.2 the server's Finished came after it judged our certificate; under
      // TLS 1.3 it judges after ours, so wait for its ticket (proof) or an alert (refusal), bounded.
      if (result.tls.protocol !== 'TLSv1.3') return accept()
      socket.once('session', accept)
      verdictTimer = setTimeout(accept, TLS13_VERDICT_WAIT_MS)
    })
    socket.on('data', (d: Buffer) => {
      if (settled || probe.kind === 'tls') return
      replyText += d.toString('latin1').slice(0, Math.max(0, MAX_REPLY_BYTES - replyText.length))
      if (replyComplete(probe, replyText)) judge()
    })
    socket.once('end', () => {
      if (replyText.length > 0) judge()
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // TLS 1.2: the server presented its certificate before refusing ours; what it served is still an observation.
      if (!secured && result.peer.serial === null) {
        try {
          const served = peerChain(socket)[0]
          if (served) result.peer.serial = served.serial
        } catch {
          // no certificate came
        }
      }
      finish(
        failureFromError(
          err,
          secured ? 'round-trip' : result.timing.connectMs === null ? 'connect' : 'handshake',
          o.credentials !== undefined,
        ),
      )
    })
    socket.once('close', () =>
      replyText.length > 0
        ? judge()
        : finish(
            secured
              ? closedWithoutReply(result.tls.protocol, o.credentials !== undefined)
              : failureFromError(
                  Object.assign(new Error('connection closed during the handshake'), {code: 'ECONNRESET'}),
                  'handshake',
                  o.credentials !== undefined,
                ),
          ),
    )
  })
}
