import type {ConstraintName, ParsedCertificate} from '../x509/certificate.js'

/**
 * Returns the host of a URI (its authority without userinfo and port), or undefined.
 * For a SPIFFE ID that is the trust domain (X509-SVID SPIFFE Trust Domain and Bundle §4).
 */
export function uriHost(uri: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri)
  if (!m) return undefined
  let host = m[1]
  const at = host.lastIndexOf('@')
  if (at >= 0) host = host.slice(at + 1)
  if (!host.startsWith('[')) host = host.replace(/:\d*$/, '')
  return host
}

/** Returns true when a constraint base is written as a URI or with a path: it matches nothing. */
export function isMalformedUriConstraint(base: string): boolean {
  return base.includes('://') || base.includes('/')
}

function hostMatches(host: string, base: string): boolean {
  if (isMalformedUriConstraint(base)) return false
  const h = host.toLowerCase()
  const b = base.toLowerCase()
  if (b.startsWith('.')) return h.endsWith(b) && h.length > b.length
  return h === b
}

function dnsMatches(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '')
  const b = base.toLowerCase().replace(/^\./, '')
  if (b === '') return true
  return n === b || n.endsWith(`.${b}`)
}

function emailMatches(addr: string, base: string): boolean {
  const a = addr.toLowerCase()
  const b = base.toLowerCase()
  if (b.includes('@')) return a === b
  const domain = a.slice(a.lastIndexOf('@') + 1)
  return b.startsWith('.') ? domain.endsWith(b) : domain === b
}

function ipMatches(ipHex: string, baseHex: string): boolean {
  // base = address || mask, each as long as the address
  if (baseHex.length !== ipHex.length * 2) return false
  const addr = Buffer.from(ipHex, 'hex')
  const net = Buffer.from(baseHex.slice(0, ipHex.length), 'hex')
  const mask = Buffer.from(baseHex.slice(ipHex.length), 'hex')
  return addr.every((byte, i) => (byte & mask[i]) === (net[i] & mask[i]))
}

function matches(type: ConstraintName['type'], value: string, c: ConstraintName): boolean {
  switch (type) {
    case 'uri': {
      const host = uriHost(value)
      return host !== undefined && hostMatches(host, c.value)
    }
    case 'dns':
      return dnsMatches(value, c.value)
    case 'email':
      return emailMatches(value, c.value)
    case 'ip':
      return ipMatches(value, c.value)
    default:
      return false
  }
}

/** One name a constraint rejected. */
export interface ConstraintViolation {
  type: ConstraintName['type']
  value: string
  excluded: boolean
  /** A permitted URI constraint was written as a URI or with a path. */
  malformedBase?: string
}

/**
 * Returns the first name of `subject` that the name constraints of `ca` reject, or
 * undefined. Names are compared only with constraints of their own type; if permitted
 * subtrees of a type exist the name must match one, and it must match no excluded one.
 */
export function constraintViolation(ca: ParsedCertificate, subject: ParsedCertificate): ConstraintViolation | undefined {
  const nc = ca.nameConstraints
  if (!nc) return undefined
  const names: [ConstraintName['type'], string][] = [
    ...(subject.san?.uris ?? []).map((v) => ['uri', v] as [ConstraintName['type'], string]),
    ...(subject.san?.dns ?? []).map((v) => ['dns', v] as [ConstraintName['type'], string]),
    ...(subject.san?.emails ?? []).map((v) => ['email', v] as [ConstraintName['type'], string]),
    ...(subject.san?.ips ?? []).map((v) => ['ip', v] as [ConstraintName['type'], string]),
  ]
  for (const [type, value] of names) {
    const permitted = nc.permitted.filter((c) => c.type === type)
    if (permitted.length > 0 && !permitted.some((c) => matches(type, value, c))) {
      const malformed = type === 'uri' ? permitted.find((c) => isMalformedUriConstraint(c.value))?.value : undefined
      return {type, value, excluded: false, malformedBase: malformed}
    }
    if (nc.excluded.some((c) => c.type === type && matches(type, value, c))) return {type, value, excluded: true}
  }
  return undefined
}
