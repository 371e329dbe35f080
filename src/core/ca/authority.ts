import {KeyObject} from 'node:crypto'
import type {ParsedCertificate} from '../x509/certificate.js'
import type {KeyType} from '../x509/key-type.js'
import type {TrustDomain} from '../spiffe-id/index.js'
import {minOf} from '../arrays.js'

/** A CA certificate with its private key and the file names it has in a CA directory. */
export interface CaCredential {
  cert: ParsedCertificate
  key: KeyObject
  certFile: string
  keyFile: string
}

/**
 * A trust domain's certificate authority: the roots published in its bundle and the
 * chain of intermediates that signs leaves. `roots[0]` is the active root (the top of
 * the signing chain); further roots are kept in the bundle during a rollover.
 */
export interface Authority {
  trustDomain: TrustDomain
  keyType: KeyType
  roots: CaCredential[]
  /** Intermediates from the active root's child down to the CA that signs leaves. */
  intermediates: CaCredential[]
  /** Whether CAs carry URI name constraints (docs/design.md). */
  nameConstraints: boolean
  /** `spiffe_sequence` of the bundle; goes up whenever the set of roots changes. */
  sequence: number
  /** Root generation: 1 at `ca init`, +1 for every new root (subject and file names carry it). */
  generation: number
  /** The JWT authority (JWT-SVID signing key, published as a `jwt-svid` bundle entry); absent in CAs made before svidkit signed JWT-SVIDs. */
  jwt?: JwtCredential
}

/** The JWT-SVID signing key of a trust domain, its `kid` and its file name in the CA directory. */
export interface JwtCredential {
  key: KeyObject
  kid: string
  keyFile: string
}

/** Returns the CA that signs leaves: the last intermediate, or the active root. */
export function signingCredential(a: Authority): CaCredential {
  return a.intermediates.at(-1) ?? a.roots[0]
}

/** Returns the intermediates as they go into an SVID chain file: signing CA first, up to the root's child. */
export function chainAboveLeaf(a: Authority): ParsedCertificate[] {
  return a.intermediates.map((c) => c.cert).reverse()
}

/** Returns the certificates of the trust bundle (the roots). */
export function bundleAuthorities(a: Authority): ParsedCertificate[] {
  return a.roots.map((c) => c.cert)
}

/** Returns the earliest notAfter among the signing CA and everything above it. */
export function chainNotAfter(a: Authority): Date {
  const all = [a.roots[0], ...a.intermediates].map((c) => c.cert.notAfter.getTime())
  return new Date(minOf(all))
}
