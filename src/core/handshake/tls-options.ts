import {constants as cryptoConstants} from 'node:crypto'
import type {ConnectionOptions, SecureContextOptions, SecureVersion} from 'node:tls'

/** A TLS version choice: both (default), or one. */
export type TlsVersionChoice = 'TLSv1.2' | 'TLSv1.3' | 'any'

/** Returns min/max version options for a choice. */
export function versionOptions(v: TlsVersionChoice = 'any'): {minVersion: SecureVersion; maxVersion: SecureVersion} {
  if (v === 'TLSv1.2') return {minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2'}
  if (v === 'TLSv1.3') return {minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3'}
  return {minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3'}
}

/**
 * Returns the secure-context options of a server: key, cert (leaf + intermediates), ca
 * (the bundle) and the TLS policy, always together (Node's setSecureContext
 * builds from these alone, docs/rotation.md R15), with session tickets off (a resumed session
 * would skip the SPIFFE checks).
 */
export function serverContextOptions(m: {key: string | Buffer; cert: string | Buffer; ca?: string | Buffer}, v: TlsVersionChoice): SecureContextOptions {
  return {
    key: m.key,
    cert: m.cert,
    ...(m.ca && m.ca.length > 0 ? {ca: m.ca} : {}),
    ...versionOptions(v),
    secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
  }
}

/**
 * Returns the client connection options: svidkit verifies the server itself after the
 * handshake, so OpenSSL's verdict and hostname check are off (SVIDs have no DNS name),
 * and no session is ever offered for resumption.
 */
export function clientConnectOptions(o: {
  host: string
  port: number
  servername?: string
  key?: string | Buffer
  cert?: string | Buffer
  version?: TlsVersionChoice
}): ConnectionOptions {
  return {
    host: o.host,
    port: o.port,
    ...(o.servername ? {servername: o.servername} : {}),
    ...(o.key && o.cert ? {key: o.key, cert: o.cert} : {}),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ...versionOptions(o.version),
  }
}
