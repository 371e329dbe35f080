import type {ParsedCertificate} from '../x509/certificate.js'
import {isSelfIssued} from '../x509/certificate.js'
import {WEAK_SIGNATURE_OIDS} from '../x509/oids.js'

/** A certification path: leaf, intermediates upwards, and the trust anchor last. */
export interface CertPath {
  certs: ParsedCertificate[]
  anchor: ParsedCertificate
}

/** Why no path was found, for hints. */
export interface PathSearch {
  paths: CertPath[]
  /** A link was refused because it was signed with SHA-1 or MD5. */
  weakSignature: boolean
  /** A candidate issuer had the right name but its key did not verify the signature. */
  badSignature: boolean
}

const MAX_DEPTH = 10

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}

function signedBy(child: ParsedCertificate, parent: ParsedCertificate): boolean {
  try {
    return child.node.verify(parent.node.publicKey)
  } catch {
    return false
  }
}

/**
 * Returns every path from `leaf` through `intermediates` (chain-file certificates,
 * any order, each used once) to one of `anchors` (spiffe-rules.md §3 step 9). A link
 * needs the issuer name to equal the parent's subject and the signature to verify under
 * the parent's key; links signed with SHA-1 or MD5 are refused. Anchors are taken as
 * they stand: their own signature is not checked.
 */
export function buildPaths(leaf: ParsedCertificate, intermediates: ParsedCertificate[], anchors: ParsedCertificate[]): PathSearch {
  const search: PathSearch = {paths: [], weakSignature: false, badSignature: false}
  const walk = (current: ParsedCertificate, path: ParsedCertificate[], used: Set<ParsedCertificate>): void => {
    if (path.length > MAX_DEPTH) return
    const weak = WEAK_SIGNATURE_OIDS.has(current.signatureOid)
    for (const anchor of anchors) {
      if (!sameName(current.issuerDer, anchor.subjectDer)) continue
      if (weak) {
        search.weakSignature = true
        continue
      }
      if (signedBy(current, anchor)) search.paths.push({certs: [...path], anchor})
      else search.badSignature = true
    }
    // A self-signed certificate is not a link upwards (it could only be its own anchor).
    if (path.length > 1 && isSelfIssued(current)) return
    for (const next of intermediates) {
      if (used.has(next) || next === current || !sameName(current.issuerDer, next.subjectDer)) continue
      if (weak) {
        search.weakSignature = true
        continue
      }
      if (!signedBy(current, next)) {
        search.badSignature = true
        continue
      }
      used.add(next)
      walk(next, [...path, next], used)
      used.delete(next)
    }
  }
  walk(leaf, [leaf], new Set())
  return search
}
