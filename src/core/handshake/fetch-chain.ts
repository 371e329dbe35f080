/**
 * Fetching the certificate chain a live TLS server presents, for `inspect HOST:PORT` and
 * `verify --connect HOST:PORT`. No client certificate is sent and nothing is trusted
 * here: the caller shows the chain (inspect) or runs the X509-SVID verification on it
 * (verify). Loaded lazily by the commands, so reading files never loads `node:tls`.
 */
import {isIP} from 'node:net'
import {connect} from 'node:tls'
import {SvidkitError, isSvidkitError} from '../errors.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {peerChain} from './peer-chain.js'

/** Options of `fetchChain`. */
interface FetchChainOptions {
  host: string
  port: number
  /** SNI to send; default the host when it is a name, none for an IP address. */
  servername?: string
  /** Whole-attempt timeout in ms. Default 10000. */
  timeoutMs?: number
}

/** What the server presented. */
interface FetchedChain {
  /** `host:port` as connected to. */
  target: string
  servername: string | null
  protocol: string | null
  cipher: string | null
  /** Leaf first, as the server sent them. */
  certificates: ParsedCertificate[]
}

/** Returns `{host, port}` for `HOST:PORT` or `[IPv6]:PORT`, or undefined when `text` is not of that form. */
export function parseTarget(text: string): {host: string; port: number} | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([A-Za-z0-9._-]+):(\d{1,5})$/.exec(text)
  if (!m) return undefined
  const port = Number(m[2])
  if (port < 1 || port > 65535) return undefined
  return {host: m[1], port}
}

function failure(target: string, why: string, cause?: unknown): SvidkitError {
  return new SvidkitError('handshake-failed', `cannot fetch the certificate chain of "${target}": ${why}`, {
    cause,
    hint: 'check the host and port, that a TLS server listens there, and --servername if it serves several names',
  })
}

/**
 * Returns the chain a TLS server presents at `host:port`. Throws `handshake-failed`
 * (exit 5) when the connection or the handshake fails or times out, and the parse
 * error of a certificate the server sent when it is malformed.
 */
export function fetchChain(o: FetchChainOptions): Promise<FetchedChain> {
  const target = `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`
  const servername = o.servername ?? (isIP(o.host) ? undefined : o.host)
  return new Promise((resolve, reject) => {
    let done = false
    const socket = connect({
      host: o.host,
      port: o.port,
      ...(servername ? {servername} : {}),
      // Nothing is trusted here: verify --connect runs the X509-SVID checks on the chain itself.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    })
    const finish = (err: unknown, value?: FetchedChain) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      if (err) reject(err)
      else resolve(value as FetchedChain)
    }
    const timer = setTimeout(
      () => finish(failure(target, `no handshake within ${o.timeoutMs ?? 10_000} ms`)),
      o.timeoutMs ?? 10_000,
    )
    socket.once('secureConnect', () => {
      try {
        const certificates = peerChain(socket)
        if (certificates.length === 0) {
          finish(failure(target, 'the server presented no certificate'))
          return
        }
        finish(undefined, {
          target,
          servername: servername ?? null,
          protocol: socket.getProtocol() ?? null,
          cipher: socket.getCipher()?.name ?? null,
          certificates,
        })
      } catch (err) {
        finish(
          isSvidkitError(err)
            ? err
            : failure(target, `the server sent a malformed certificate: ${(err as Error).message}`, err),
        )
      }
    })
    socket.once('error', (err: NodeJS.ErrnoException) => finish(failure(target, err.code ?? err.message, err)))
    socket.once('close', () => finish(failure(target, 'the connection closed before the handshake finished')))
  })
}
