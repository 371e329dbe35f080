import type {KeyObject} from 'node:crypto'
import type {SpiffeId} from '../spiffe-id/index.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {pkcs8Der, spkiDer, type NewEcKey} from '../x509/keys.js'

/**
 * An X509-SVID: the SPIFFE ID, the certificates as they go into the chain file (leaf,
 * then intermediates from the leaf's issuer upwards, never the root) and the private key
 * (absent when the SVID was issued for an external CSR).
 */
export interface X509Svid {
  id: SpiffeId
  certificates: ParsedCertificate[]
  privateKey?: KeyObject
}

/** The new keys of SVIDs made by `svidWithNewKey`, whose KeyObject may not exist yet. */
const newKeys = new WeakMap<X509Svid, NewEcKey>()

/**
 * Returns an X509Svid whose `privateKey` is imported from `key` when first read: issuance
 * writes the key's PKCS#8 (`svidKeyPkcs8`) and checks its SPKI (`svidKeySpki`) without it.
 */
export function svidWithNewKey(id: SpiffeId, certificates: ParsedCertificate[], key: NewEcKey): X509Svid {
  const svid = {id, certificates} as X509Svid
  Object.defineProperty(svid, 'privateKey', {get: () => key.keyObject(), enumerable: true})
  newKeys.set(svid, key)
  return svid
}

/** Returns true when the SVID has its private key (not when it was issued for a CSR). */
export function hasPrivateKey(svid: X509Svid): boolean {
  return newKeys.has(svid) || svid.privateKey !== undefined
}

/** Returns the PKCS#8 DER of the SVID's private key, or undefined without one. */
export function svidKeyPkcs8(svid: X509Svid): Uint8Array | undefined {
  const k = newKeys.get(svid)
  return k ? k.pkcs8 : svid.privateKey && pkcs8Der(svid.privateKey)
}

/** Returns the SubjectPublicKeyInfo DER of the SVID's private key, or undefined without one. */
export function svidKeySpki(svid: X509Svid): Uint8Array | undefined {
  const k = newKeys.get(svid)
  return k ? k.spki : svid.privateKey && spkiDer(svid.privateKey)
}
