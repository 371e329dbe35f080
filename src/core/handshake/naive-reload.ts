import {X509Certificate} from 'node:crypto'
import {join} from 'node:path'
import type {SecureContextOptions} from 'node:tls'
import {parsePemBundle} from '../bundle/index.js'
import type {SvidFileNames} from '../fs/layout.js'
import {readInput} from '../fs/read-input.js'
import {setHashes} from '../watch/material.js'
import {serialHex, type ParsedCertificate} from '../x509/certificate.js'
import {serverContextOptions, type TlsVersionChoice} from './tls-options.js'

/**
 * What the naive reload modes of the handshake server read for themselves (docs/rotation.md R15):
 * servers that do not validate a set, or that never read its bundle through the consumer.
 */

/** A set as an `unvalidated` server installs it: whatever is on disk at the event. */
interface UnvalidatedSet {
  options: SecureContextOptions
  serial: string
  /** Trust from the bundle file exactly as read (an empty or torn bundle trusts nobody). */
  trust: ParsedCertificate[]
  sha256: {cert: string; key: string; bundle: string}
}

/** Reads the three files as they are now, unchecked; throws when one is unreadable or the cert is not one. */
export function readUnvalidated(dir: string, names: SvidFileNames, tlsVersion: TlsVersionChoice): UnvalidatedSet {
  // Bounded, regular files only: a FIFO or device planted in the served directory cannot stall the event loop.
  const read = (n: string) => readInput(join(dir, n), 'pem-invalid')
  const raw = {key: read(names.key), cert: read(names.cert), ca: read(names.bundle)}
  const options = serverContextOptions(raw, tlsVersion)
  return {
    options,
    serial: serialHex(Buffer.from(new X509Certificate(raw.cert).serialNumber, 'hex')),
    trust: trustFrom(raw.ca, []),
    sha256: setHashes({cert: raw.cert, key: raw.key, bundle: raw.ca}),
  }
}

/** Reads the bundle file a naive consumer left unread; undefined when it is unreadable. */
export function readBundleFile(dir: string, names: SvidFileNames): Buffer | undefined {
  try {
    return readInput(join(dir, names.bundle), 'bundle-invalid')
  } catch {
    return undefined
  }
}

/** Returns the authorities of a PEM bundle, or `unreadable` when it does not parse. */
export function trustFrom(raw: Buffer | undefined, unreadable: ParsedCertificate[]): ParsedCertificate[] {
  try {
    return parsePemBundle(raw ?? Buffer.alloc(0), 'bundle').authorities
  } catch {
    return unreadable
  }
}
