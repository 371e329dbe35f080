import {loadAuthority} from '../ca/store.js'
import {bundleAuthorities} from '../ca/authority.js'
import type {BundleSet} from '../bundle/index.js'
import type {Clock} from '../clock.js'
import type {SpiffeId, TrustDomain} from '../spiffe-id/index.js'
import {issueSvid} from '../svid/issue.js'
import {singleBundleSet} from '../svid/self-check.js'
import {chainPem, keyPem} from '../svid/write.js'
import type {KeyType} from '../x509/key-type.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {clientHandshake} from '../handshake/client.js'
import type {TlsVersionChoice} from '../handshake/tls-options.js'
import type {ProbeSpec} from '../handshake/client-probe.js'
import type {Attempt} from './local/stats.js'

/** What the race clients present and trust; replaced as the CA rotates. */
export interface ClientIdentity {
  credentials: {key: string; cert: string}
  bundles: BundleSet
  /** The serial of the client SVID in use. */
  serial: string
  /** The serial of the root the client SVID chains to. */
  root: string
}

/**
 * Returns the clients' identity read from the CA directory now: the CA's bundle as trust
 * and, when `reissue` (or when there is none yet), a new client SVID from the CA's signing
 * chain, as a real peer gets its SVID from the same authority.
 */
export async function clientIdentity(o: {
  ca: string
  clientId: string
  keyType?: KeyType
  clock: Clock
  previous?: ClientIdentity
  reissue: boolean
}): Promise<ClientIdentity> {
  const authority = loadAuthority(o.ca)
  const bundles = singleBundleSet(authority.trustDomain.name, bundleAuthorities(authority), `${o.ca}/bundle.pem`)
  if (o.previous && !o.reissue) return {...o.previous, bundles}
  const issued = await issueSvid(authority, {spiffeId: o.clientId, keyType: o.keyType, ttlMs: 3_600_000, clock: o.clock})
  return {
    credentials: {key: keyPem(issued.svid), cert: chainPem(issued.svid.certificates)},
    bundles,
    serial: issued.svid.certificates[0].serial,
    root: rootOf(
      issued.svid.certificates.at(-1),
      authority.roots.map((r) => r.cert),
    ),
  }
}

/** Returns the serial of the root that signed `top` (the last certificate of a chain). */
function rootOf(top: ParsedCertificate | undefined, roots: ParsedCertificate[]): string {
  const r = top && roots.find((c) => top.node.checkIssued(c.node) && top.node.verify(c.node.publicKey))
  return r?.serial ?? top?.serial ?? ''
}

/** Options of the race client loops. */
export interface ClientLoopOptions {
  host: string
  port: number
  servername?: string
  concurrency: number
  /** The identity loop `i` presents now (during a root overlap some loops keep the old root's SVID). */
  identity: (loop: number) => ClientIdentity
  expectIds?: SpiffeId[]
  expectTrustDomain?: TrustDomain
  tlsVersion?: TlsVersionChoice
  timeoutMs: number
  probe?: ProbeSpec
  clock: Clock
  /** Every attempt as it ends. */
  onAttempt: (a: Attempt) => void
}

/** Client loops handshaking back to back until stopped; `stop()` resolves when every loop has ended. */
export function startClients(o: ClientLoopOptions): {stop: () => Promise<void>} {
  let stopped = false
  const loop = async (_: unknown, i: number) => {
    while (!stopped) {
      const id = o.identity(i)
      const start = o.clock.monotonicMs()
      const r = await clientHandshake({
        host: o.host,
        port: o.port,
        servername: o.servername,
        credentials: id.credentials,
        bundles: id.bundles,
        expectIds: o.expectIds,
        expectTrustDomain: o.expectTrustDomain,
        tlsVersion: o.tlsVersion,
        timeoutMs: o.timeoutMs,
        probe: o.probe,
        clock: o.clock,
      })
      const e = r.errors[0]
      o.onAttempt({
        start,
        end: o.clock.monotonicMs(),
        ok: r.ok,
        servedSerial: r.peer.serial,
        handshakeMs: r.timing.handshakeMs,
        resumed: r.tls.resumed,
        localPort: r.localPort,
        clientRoot: id.root,
        ...(e ? {code: String(e.code), side: e.side, message: e.message} : {}),
      })
      // A refused connection returns at once: do not spin while the server restarts.
      if (e?.code === 'ECONNREFUSED') await new Promise((res) => setTimeout(res, 20))
    }
  }
  const loops = Array.from({length: o.concurrency}, loop)
  return {
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    },
  }
}
