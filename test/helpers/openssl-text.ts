/**
 * Reads what `openssl x509` prints about a certificate file, so tests can assert what a
 * widely used peer sees rather than only what svidkit's own parser reports.
 */
import {run} from './peers.js'

/** One extension as `openssl x509 -text` shows it. */
export interface OpensslExtension {
  critical: boolean
  /** The value lines, trimmed, joined with '\n'. */
  value: string
}

/** The facts of one certificate as OpenSSL prints them. */
export interface OpensslView {
  /** `Signature Algorithm:` of the certificate, e.g. `ecdsa-with-SHA256`. */
  signatureAlgorithm: string
  /** Subject in RFC 2253 form ('' for an empty subject). */
  subject: string
  /** Serial as `openssl x509 -serial` prints it (uppercase hex). */
  serial: string
  notBefore: Date
  notAfter: Date
  /** Extensions by OpenSSL's display name, e.g. `X509v3 Key Usage`. */
  extensions: Record<string, OpensslExtension>
  text: string
}

const EXT_HEADER = /^ {12}(\S.*?):( critical)?\s*$/

/** Returns the extensions section of `openssl x509 -text` output, by display name. */
export function parseExtensions(text: string): Record<string, OpensslExtension> {
  const lines = text.split('\n')
  const start = lines.findIndex((l) => l.trim() === 'X509v3 extensions:')
  const out: Record<string, OpensslExtension> = {}
  if (start < 0) return out
  let current: {name: string; critical: boolean; value: string[]} | undefined
  const flush = () => {
    if (current) out[current.name] = {critical: current.critical, value: current.value.join('\n')}
  }
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(' '.repeat(12))) break
    const m = EXT_HEADER.exec(line)
    if (m && !line.startsWith(' '.repeat(13))) {
      flush()
      current = {name: m[1], critical: m[2] !== undefined, value: []}
    } else if (current) {
      current.value.push(line.trim())
    }
  }
  flush()
  return out
}

function field(text: string, name: string): string {
  const m = new RegExp(`^${name}=(.*)$`, 'm').exec(text)
  if (!m) throw new Error(`openssl printed no ${name}=`)
  return m[1].trim()
}

/** Returns OpenSSL's view of the first certificate in a PEM file; throws when openssl fails. */
export function opensslView(file: string): OpensslView {
  const t = run('openssl', ['x509', '-in', file, '-text', '-noout'])
  if (t.status !== 0) throw new Error(`openssl x509 -text failed: ${t.stderr}`)
  const f = run('openssl', [
    'x509',
    '-in',
    file,
    '-noout',
    '-serial',
    '-startdate',
    '-enddate',
    '-dateopt',
    'iso_8601',
    '-subject',
    '-nameopt',
    'RFC2253',
  ])
  if (f.status !== 0) throw new Error(`openssl x509 -noout failed: ${f.stderr}`)
  const sig = /^ {8}Signature Algorithm: (\S+)/m.exec(t.stdout)
  if (!sig) throw new Error('openssl printed no Signature Algorithm')
  return {
    signatureAlgorithm: sig[1],
    subject: field(f.stdout, 'subject'),
    serial: field(f.stdout, 'serial'),
    notBefore: new Date(field(f.stdout, 'notBefore').replace(' ', 'T')),
    notAfter: new Date(field(f.stdout, 'notAfter').replace(' ', 'T')),
    extensions: parseExtensions(t.stdout),
    text: t.stdout,
  }
}

/** Returns a key identifier as OpenSSL prints it, reduced to lowercase hex (`keyid:` and colons dropped). */
export function keyIdHex(value: string): string {
  return value
    .replace(/^keyid:/, '')
    .replaceAll(':', '')
    .toLowerCase()
}
