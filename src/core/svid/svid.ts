import type {KeyObject} from 'node:crypto'
import type {SpiffeId} from '../spiffe-id/index.js'
import type {ParsedCertificate} from '../x509/certificate.js'

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
