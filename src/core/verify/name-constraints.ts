/**
 * Name-constraint matching (RFC 5280 §4.2.1.10 and §6.1.3 (b), (c)). Each CA's subtrees
 * are compiled once into sets keyed by form, so checking a name costs a few set lookups
 * (one per label of a DNS name, one per distinct prefix length of an IP mask, one per RDN
 * of a DN), whatever the number of subtrees: SANs x subtrees is never walked. The work is
 * still counted against a budget (`NAME_CONSTRAINT_LIMITS`) shared by every path of one
 * verification, and the result for a (CA, certificate) pair is computed once.
 */
import type {ConstraintName, ParsedCertificate} from '../x509/certificate.js'
import {nameText} from '../x509/name-text.js'
import {canonicalRdns} from './name-match.js'
import {subjectNames} from './subject-names.js'

/** The budget of name-constraint work per verification (docs/security.md "Read and verify limits"). */
export const NAME_CONSTRAINT_LIMITS = {
  /** Work units: one per set lookup, subtree compiled, or name label read. */
  maxWork: 100_000,
} as const

/** Work left for one verification; shared by every path and CA. */
export interface NameConstraintBudget {
  left: number
  /** Results per CA and certificate below it, so that a second path costs nothing. */
  memo: Map<string, ConstraintViolation | null>
}

/** Returns a fresh budget. */
export function nameConstraintBudget(): NameConstraintBudget {
  return {left: NAME_CONSTRAINT_LIMITS.maxWork, memo: new Map()}
}

/** Thrown inside the matcher when the budget runs out. */
export class NameConstraintLimit extends Error {}

function spend(b: NameConstraintBudget, n: number): void {
  b.left -= n
  if (b.left < 0) throw new NameConstraintLimit('name-constraint budget exhausted')
}

/** Returns the host of a URI (its authority without userinfo and port), or undefined. For a SPIFFE ID that is the trust domain. */
function uriHost(uri: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri)
  if (!m) return undefined
  let host = m[1]
  const at = host.lastIndexOf('@')
  if (at >= 0) host = host.slice(at + 1)
  if (!host.startsWith('[')) host = host.replace(/:\d*$/, '')
  return host === '' ? undefined : host
}

/** Returns true when a URI constraint base is written as a URI or with a path: it matches nothing. */
export function isMalformedUriConstraint(base: string): boolean {
  return base.includes('://') || base.includes('/')
}

/** Returns true for a DNS name Go's crypto/x509 can parse: printable ASCII, no empty label (RFC 1034 §3.5, loosely). */
export function isParsableDnsName(name: string): boolean {
  if (name === '' || name.length > 253) return false
  if (!/^[\x21-\x7e]+$/.test(name)) return false
  return !name.split('.').some((l) => l === '')
}

/** Returns true for an rfc822Name with one `@`, a non-empty local part and a parsable domain. */
export function isParsableEmail(addr: string): boolean {
  const at = addr.lastIndexOf('@')
  return (
    at > 0 && !addr.slice(0, at).includes('@') && /^[\x21-\x7e]+$/.test(addr) && isParsableDnsName(addr.slice(at + 1))
  )
}

/** Domain subtrees: exact names and `.suffix` names (sub-domains only); an empty base admits everything. */
interface DomainSet {
  all: boolean
  exact: Set<string>
  sub: Set<string>
  /** Parents of exact bases (`a.b.c` -> `b.c`): a wildcard `*.b.c` covers `a.b.c`. */
  parents: Set<string>
}

interface Compiled {
  dns: DomainSet
  uri: DomainSet
  email: DomainSet & {mailboxes: Set<string>}
  /** Networks by prefix length: `len/family` -> network bytes as hex. */
  ip: Map<string, Set<string>>
  dn: Set<string>
  count: {dns: number; uri: number; email: number; ip: number; dn: number}
}

function domainSet(): DomainSet {
  return {all: false, exact: new Set(), sub: new Set(), parents: new Set()}
}

/** Returns the prefix length of a contiguous mask, or -1. */
function prefixLength(mask: Uint8Array): number {
  let n = 0
  let ended = false
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const one = (byte >> bit) & 1
      if (one && ended) return -1
      if (one) n++
      else ended = true
    }
  }
  return n
}

const HEX = Array.from({length: 256}, (_, i) => i.toString(16).padStart(2, '0'))

/** Returns the hex of `addr` with all but the first `prefix` bits cleared. */
function maskedHex(addr: Uint8Array, prefix: number): string {
  let out = ''
  for (let i = 0; i < addr.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8))
    out += HEX[addr[i] & ((0xff << (8 - bits)) & 0xff)]
  }
  return out
}

function addDomain(set: DomainSet, base: string): void {
  const b = base.toLowerCase()
  if (b === '' || b === '.') set.all = true
  else if (b.startsWith('.')) set.sub.add(b.slice(1))
  else {
    set.exact.add(b)
    const dot = b.indexOf('.')
    if (dot > 0) set.parents.add(b.slice(dot + 1))
  }
}

function compile(list: ConstraintName[]): Compiled {
  const c: Compiled = {
    dns: domainSet(),
    uri: domainSet(),
    email: {...domainSet(), mailboxes: new Set()},
    ip: new Map(),
    dn: new Set(),
    count: {dns: 0, uri: 0, email: 0, ip: 0, dn: 0},
  }
  for (const n of list) {
    if (n.type === 'dns') addDomain(c.dns, n.value)
    else if (n.type === 'uri') {
      if (!isMalformedUriConstraint(n.value)) addDomain(c.uri, n.value)
    } else if (n.type === 'email') {
      const at = n.value.lastIndexOf('@')
      if (at >= 0) c.email.mailboxes.add(`${n.value.slice(0, at)}@${n.value.slice(at + 1).toLowerCase()}`)
      else addDomain(c.email, n.value)
    } else if (n.type === 'ip' && n.raw && (n.raw.length === 8 || n.raw.length === 32)) {
      const half = n.raw.length / 2
      const prefix = prefixLength(n.raw.subarray(half))
      if (prefix < 0) continue
      const key = `${prefix}/${half}`
      let nets = c.ip.get(key)
      if (!nets) c.ip.set(key, (nets = new Set()))
      nets.add(maskedHex(n.raw.subarray(0, half), prefix))
    } else if (n.type === 'dn' && n.raw) c.dn.add(canonicalRdns(n.raw).join('\n'))
    else continue
    c.count[n.type]++
  }
  return c
}

const compiled = new WeakMap<ParsedCertificate, {permitted: Compiled; excluded: Compiled}>()

function compiledOf(ca: ParsedCertificate, b: NameConstraintBudget): {permitted: Compiled; excluded: Compiled} {
  let c = compiled.get(ca)
  if (!c) {
    const nc = ca.nameConstraints as NonNullable<ParsedCertificate['nameConstraints']>
    spend(b, nc.permitted.length + nc.excluded.length)
    c = {permitted: compile(nc.permitted), excluded: compile(nc.excluded)}
    compiled.set(ca, c)
  }
  return c
}

/**
 * Returns true when `name` (lower case) is inside the domain subtrees of `set`. For DNS
 * names a base also admits its sub-domains (`hostOnly` false); for the host of a URI or
 * an email address a base without a leading period admits that host only (RFC 5280 §4.2.1.10).
 */
function inDomains(set: DomainSet, name: string, b: NameConstraintBudget, hostOnly = false): boolean {
  if (set.all) return true
  spend(b, 1)
  if (set.exact.has(name)) return true
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) {
    spend(b, 1)
    const suffix = name.slice(i + 1)
    if ((!hostOnly && set.exact.has(suffix)) || set.sub.has(suffix)) return true
  }
  return false
}

/** One name a constraint rejected. */
interface ConstraintViolation {
  type: ConstraintName['type']
  value: string
  excluded: boolean
  /** A permitted URI constraint was written as a URI or with a path. */
  malformedBase?: string
  /** The name could not be parsed for matching (Go: "cannot parse dnsName"). */
  unparsable?: boolean
}

function ipText(ip: Uint8Array): string {
  if (ip.length === 4) return [...ip].join('.')
  if (ip.length === 16)
    return Buffer.from(ip)
      .toString('hex')
      .replace(/(.{4})(?!$)/g, '$1:')
  return Buffer.from(ip).toString('hex')
}

function ipIn(nets: Map<string, Set<string>>, ip: Uint8Array, b: NameConstraintBudget): boolean {
  for (const [key, set] of nets) {
    spend(b, 1)
    const slash = key.indexOf('/')
    if (Number(key.slice(slash + 1)) === ip.length && set.has(maskedHex(ip, Number(key.slice(0, slash))))) return true
  }
  return false
}

function dnIn(set: Set<string>, name: Uint8Array, b: NameConstraintBudget): boolean {
  spend(b, 1 + (name.length >> 6))
  const rdns = canonicalRdns(name)
  let prefix = ''
  for (let k = 0; k <= rdns.length; k++) {
    spend(b, 1)
    if (k > 0) prefix = k === 1 ? rdns[0] : `${prefix}\n${rdns[k - 1]}`
    if (set.has(prefix)) return true
  }
  return false
}

/**
 * Returns the first name of `subject` that the name constraints of `ca` reject, or
 * undefined. Names are compared only with subtrees of their own form; when permitted
 * subtrees of a form exist a name of that form must be inside one, and it must be inside
 * no excluded one. A wildcard DNS name is rejected when an excluded subtree holds a name
 * it covers. Throws `NameConstraintLimit` when the budget runs out.
 */
export function constraintViolation(
  ca: ParsedCertificate,
  subject: ParsedCertificate,
  b: NameConstraintBudget,
): ConstraintViolation | undefined {
  if (!ca.nameConstraints) return undefined
  const key = `${ca.sha256}/${subject.sha256}`
  const known = b.memo.get(key)
  if (known !== undefined) return known ?? undefined
  const v = check(ca, subject, b)
  b.memo.set(key, v ?? null)
  return v
}

function check(
  ca: ParsedCertificate,
  subject: ParsedCertificate,
  b: NameConstraintBudget,
): ConstraintViolation | undefined {
  const {permitted: p, excluded: x} = compiledOf(ca, b)
  const nc = ca.nameConstraints as NonNullable<ParsedCertificate['nameConstraints']>
  const names = subjectNames(subject)
  spend(b, 1)
  for (const raw of names.dns) {
    spend(b, 1)
    const name = raw.toLowerCase()
    if (!isParsableDnsName(name.startsWith('*.') ? name.slice(2) : name))
      return {type: 'dns', value: raw, excluded: false, unparsable: true}
    if (p.count.dns > 0 && !inDomains(p.dns, name, b)) return {type: 'dns', value: raw, excluded: false}
    if (x.count.dns > 0 && (inDomains(x.dns, name, b) || (name.startsWith('*.') && x.dns.parents.has(name.slice(2)))))
      return {type: 'dns', value: raw, excluded: true}
  }
  for (const [i, raw] of names.emails.entries()) {
    const constrained = p.count.email > 0 || x.count.email > 0
    // Go parses every rfc822Name SAN under a CA with name constraints; DN emailAddress values only matter to email subtrees.
    if (!constrained && i >= names.dnEmailsFrom) break
    spend(b, 1)
    if (!isParsableEmail(raw)) return {type: 'email', value: raw, excluded: false, unparsable: true}
    if (!constrained) continue
    const at = raw.lastIndexOf('@')
    const mailbox = `${raw.slice(0, at)}@${raw.slice(at + 1).toLowerCase()}`
    const domain = raw.slice(at + 1).toLowerCase()
    const inside = (c: Compiled) => c.email.mailboxes.has(mailbox) || inDomains(c.email, domain, b, true)
    if (p.count.email > 0 && !inside(p)) return {type: 'email', value: raw, excluded: false}
    if (x.count.email > 0 && inside(x)) return {type: 'email', value: raw, excluded: true}
  }
  const uriConstraints = nc.permitted.some((n) => n.type === 'uri') || nc.excluded.some((n) => n.type === 'uri')
  for (const raw of names.uris) {
    if (!uriConstraints) break
    const host = uriHost(raw)?.toLowerCase()
    if (host === undefined) return {type: 'uri', value: raw, excluded: false, unparsable: true}
    const malformed = nc.permitted.find((n) => n.type === 'uri' && isMalformedUriConstraint(n.value))?.value
    if (nc.permitted.some((n) => n.type === 'uri') && (p.count.uri === 0 || !inDomains(p.uri, host, b, true)))
      return {type: 'uri', value: raw, excluded: false, ...(malformed ? {malformedBase: malformed} : {})}
    if (x.count.uri > 0 && inDomains(x.uri, host, b, true)) return {type: 'uri', value: raw, excluded: true}
  }
  for (const ip of names.ips) {
    if (p.count.ip === 0 && x.count.ip === 0 && !nc.permitted.some((n) => n.type === 'ip')) break
    if (nc.permitted.some((n) => n.type === 'ip') && !ipIn(p.ip, ip, b))
      return {type: 'ip', value: ipText(ip), excluded: false}
    if (x.count.ip > 0 && ipIn(x.ip, ip, b)) return {type: 'ip', value: ipText(ip), excluded: true}
  }
  for (const dn of names.directoryNames) {
    if (p.count.dn === 0 && x.count.dn === 0) break
    const text = subject.subjectDer === dn ? subject.subject : nameTextOr(dn)
    if (p.count.dn > 0 && !dnIn(p.dn, dn, b)) return {type: 'dn', value: text, excluded: false}
    if (x.count.dn > 0 && dnIn(x.dn, dn, b)) return {type: 'dn', value: text, excluded: true}
  }
  return undefined
}

function nameTextOr(dn: Uint8Array): string {
  try {
    return nameText(dn)
  } catch {
    return Buffer.from(dn).toString('hex')
  }
}
