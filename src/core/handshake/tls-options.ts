import {constants as cryptoConstants} from 'node:crypto'
import {
  createSecureContext,
  type ConnectionOptions,
  type SecureContext,
  type SecureContextOptions,
  type SecureVersion,
} from 'node:tls'

/** A TLS version choice: both (default), or one. */
export type TlsVersionChoice = 'TLSv1.2' | 'TLSv1.3' | 'any'

/** Returns min/max version options for a choice. */
function versionOptions(v: TlsVersionChoice = 'any'): {minVersion: SecureVersion; maxVersion: SecureVersion} {
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
export function serverContextOptions(
  m: {key: string | Buffer; cert: string | Buffer; ca?: string | Buffer},
  v: TlsVersionChoice,
): SecureContextOptions {
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
  const context = o.key && o.cert ? clientContext({key: o.key, cert: o.cert}, o.version ?? 'any') : undefined
  return {
    host: o.host,
    port: o.port,
    ...(o.servername ? {servername: o.servername} : {}),
    ...(context ? {secureContext: context} : {}),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ...versionOptions(o.version),
  }
}

// Parsing the key and chain for every connection costs more than the handshake's own crypto:
// one context per credentials (race clients make thousands of connections with the same SVID).
const contexts = new Map<string, {cert: string; ctx: SecureContext}>()
const CONTEXTS_KEPT = 16

function clientContext(c: {key: string | Buffer; cert: string | Buffer}, v: TlsVersionChoice): SecureContext {
  const id = `${v}\n${c.key.toString()}`
  const cert = c.cert.toString()
  const hit = contexts.get(id)
  if (hit && hit.cert === cert) return hit.ctx
  const ctx = createSecureContext({key: c.key, cert: c.cert, ...versionOptions(v)})
  if (contexts.size >= CONTEXTS_KEPT) contexts.delete(contexts.keys().next().value as string)
  contexts.set(id, {cert, ctx})
  return ctx
}
