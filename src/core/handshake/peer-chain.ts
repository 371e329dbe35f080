import type {TLSSocket, DetailedPeerCertificate} from 'node:tls'
import {parseCertificateDer, isSelfIssued, type ParsedCertificate} from '../x509/certificate.js'

// Peers present the same few certificates on every connection: parse each DER once.
const parsed = new Map<string, ParsedCertificate>()
const CACHE_SIZE = 256

function parseCached(fingerprint: string, raw: Buffer): ParsedCertificate {
  let c = parsed.get(fingerprint)
  if (!c) {
    c = parseCertificateDer(new Uint8Array(raw))
    if (parsed.size >= CACHE_SIZE) parsed.delete(parsed.keys().next().value as string)
    parsed.set(fingerprint, c)
  }
  return c
}

/**
 * Returns the certificates the peer presented, leaf first (X509-SVID specification §5, TLS peers:
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
    const cert = parseCached(c.fingerprint256, c.raw)
    if (out.length > 0 && isSelfIssued(cert)) break
    out.push(cert)
    c = c.issuerCertificate
  }
  return out
}
