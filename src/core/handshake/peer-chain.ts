import type {TLSSocket, DetailedPeerCertificate} from 'node:tls'
import {parseCertificateDer, isSelfIssued, type ParsedCertificate} from '../x509/certificate.js'

/**
 * Returns the certificates the peer presented, leaf first (spiffe-rules.md §5:
 * `getPeerCertificate(true)`, follow `issuerCertificate` until it repeats). Node may
 * append issuers found in the local trust store; a self-issued certificate after the
 * leaf is such a root, not something the peer sent, so the walk stops there.
 */
export function peerChain(socket: TLSSocket): ParsedCertificate[] {
  const first = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined
  if (!first || !first.raw) return []
  const out: ParsedCertificate[] = []
  const seen = new Set<string>()
  let c: DetailedPeerCertificate | undefined = first
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256)
    const parsed = parseCertificateDer(new Uint8Array(c.raw))
    if (out.length > 0 && isSelfIssued(parsed)) break
    out.push(parsed)
    c = c.issuerCertificate
  }
  return out
}
