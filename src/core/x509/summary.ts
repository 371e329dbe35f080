import type {ParsedCertificate} from './certificate.js'
import {EKU_NAMES, EXTENSION_NAMES} from './oids.js'
import {formatInstant} from '../time/instant.js'
import {isSelfIssued} from './certificate.js'

/** A certificate described for reports and JSON (docs/errors.md "JSON documents": serial hex, RFC 3339 times). */
export interface CertificateSummary {
  role: 'leaf' | 'intermediate' | 'root'
  source: 'chain' | 'bundle' | 'file'
  subject: string
  issuer: string
  spiffeId: string | null
  uris: string[]
  dnsNames: string[]
  serial: string
  notBefore: string
  notAfter: string
  /** ms from the evaluation time to notAfter (negative when expired). */
  remainingMs: number
  keyType: string
  ski: string | null
  aki: string | null
  isCa: boolean | null
  pathLen: number | null
  keyUsage: string[]
  extKeyUsage: string[]
  nameConstraints: {permitted: string[]; excluded: string[]} | null
  extensions: {name: string; oid: string; critical: boolean}[]
  selfSigned: boolean
  sha256: string
  /** False for a chain-file certificate that is not on the certification path used. */
  onPath?: boolean
}

/** Returns the role a certificate plays when nothing else says: CA + self-issued = root. */
export function guessRole(c: ParsedCertificate): CertificateSummary['role'] {
  if (c.basicConstraints?.ca) return isSelfIssued(c) ? 'root' : 'intermediate'
  return 'leaf'
}

/** Returns a plain description of the certificate. */
export function certificateSummary(
  c: ParsedCertificate,
  opts: {role?: CertificateSummary['role']; source: CertificateSummary['source']; at: Date},
): CertificateSummary {
  const uris = c.san?.uris ?? []
  return {
    role: opts.role ?? guessRole(c),
    source: opts.source,
    subject: c.subject,
    issuer: c.issuer,
    spiffeId: uris.find((u) => u.startsWith('spiffe://')) ?? null,
    uris,
    dnsNames: c.san?.dns ?? [],
    serial: c.serial,
    notBefore: formatInstant(c.notBefore),
    notAfter: formatInstant(c.notAfter),
    remainingMs: c.notAfter.getTime() - opts.at.getTime(),
    keyType: c.publicKeyType,
    ski: c.ski ?? null,
    aki: c.aki ?? null,
    isCa: c.basicConstraints ? c.basicConstraints.ca : null,
    pathLen: c.basicConstraints?.pathLen ?? null,
    keyUsage: c.keyUsage?.names ?? [],
    extKeyUsage: (c.extKeyUsage?.oids ?? []).map((o) => EKU_NAMES[o] ?? o),
    nameConstraints: c.nameConstraints
      ? {
          permitted: c.nameConstraints.permitted.map((n) => `${n.type}:${n.value}`),
          excluded: c.nameConstraints.excluded.map((n) => `${n.type}:${n.value}`),
        }
      : null,
    extensions: c.extensions.map((e) => ({name: EXTENSION_NAMES[e.oid] ?? e.oid, oid: e.oid, critical: e.critical})),
    selfSigned: isSelfIssued(c),
    sha256: c.sha256,
  }
}
