import type {ParsedCertificate} from '../x509/certificate.js'
import {WEAK_SIGNATURE_OIDS} from '../x509/oids.js'
import {publicKeyInfo} from './cert-facts.js'
import {canonicalName} from './name-match.js'

/** A certification path: leaf, intermediates upwards, and the trust anchor last. */
export interface CertPath {
  certs: ParsedCertificate[]
  anchor: ParsedCertificate
}

/** Why no path was found, for hints, and how much work the search did. */
export interface PathSearch {
  paths: CertPath[]
  /** A link was refused because it was signed with SHA-1 or MD5. */
  weakSignature: boolean
  /** A candidate issuer had the right name but its key did not verify the signature. */
  badSignature: boolean
  /** Signatures actually verified (each child/issuer-key pair at most once). */
  signatureChecks: number
  /** Partial paths extended (every step of the search). */
  steps: number
  /** The search stopped because a budget of `PATH_LIMITS` was exhausted. */
  limited: boolean
  /** A candidate issuer had the right name but a key svidkit does not verify with (DSA, …): the message of ca-checks.ts `keyProblem`. */
  unsupportedKey?: string
}

/**
 * The budgets of the path search (documented in docs/security.md "Read and verify limits"). They bound
 * the work for any input, like Go's crypto/x509 (at most 100 signature checks per
 * verification): a chain of look-alike certificates cannot make the search explode.
 */
export const PATH_LIMITS = {
  /** Certificates from the chain on one path (leaf and intermediates; the anchor is not counted). */
  maxDepth: 10,
  /** Distinct signature verifications. */
  maxSignatureChecks: 100,
  /** Partial paths extended, cached signature results included. */
  maxSteps: 1000,
  /** Complete paths collected; the search stops (successfully) once it has this many. */
  maxPaths: 16,
} as const

/** Returns the key type of `c` when svidkit does not verify signatures with it (anything but RSA, ECDSA and Ed25519). */
function keyKind(c: ParsedCertificate): string | undefined {
  const t = publicKeyInfo(c)
  if (!t) return 'unreadable'
  return t.type === 'rsa' || t.type === 'rsa-pss' || t.type === 'ec' || t.type === 'ed25519'
    ? undefined
    : (t.type ?? 'unknown')
}

const keyIds = new WeakMap<ParsedCertificate, string>()

/** Returns the identity used to de-duplicate candidates: subject name and public key. */
function subjectKey(c: ParsedCertificate): string {
  let id = keyIds.get(c)
  if (id === undefined) {
    let spki: string
    try {
      spki = c.node.publicKey.export({type: 'spki', format: 'der'}).toString('hex')
    } catch {
      spki = `unreadable:${c.sha256}`
    }
    id = `${Buffer.from(c.subjectDer).toString('hex')}/${spki}`
    keyIds.set(c, id)
  }
  return id
}

const issuerKeys = new WeakMap<ParsedCertificate, string>()
const subjectKeys = new WeakMap<ParsedCertificate, string>()

/** Returns the RFC 5280 §7.1 form of a certificate's issuer name (cached). */
function issuerKey(c: ParsedCertificate): string {
  let k = issuerKeys.get(c)
  if (k === undefined) issuerKeys.set(c, (k = canonicalName(c.issuerDer)))
  return k
}

/** Returns the RFC 5280 §7.1 form of a certificate's subject name (cached). */
function subjectNameKey(c: ParsedCertificate): string {
  let k = subjectKeys.get(c)
  if (k === undefined) subjectKeys.set(c, (k = canonicalName(c.subjectDer)))
  return k
}

/** Groups certificates by the §7.1 form of their subject name. */
function bySubject(certs: ParsedCertificate[]): Map<string, ParsedCertificate[]> {
  const m = new Map<string, ParsedCertificate[]>()
  for (const c of certs) {
    const k = subjectNameKey(c)
    const list = m.get(k)
    if (list) list.push(c)
    else m.set(k, [c])
  }
  return m
}

/** Orders issuer candidates: an SKI equal to the child's AKI first, unknown next, a different SKI last. */
function byKeyIdMatch(child: ParsedCertificate): (a: ParsedCertificate, b: ParsedCertificate) => number {
  const rank = (p: ParsedCertificate): number => (!child.aki || !p.ski ? 1 : p.ski === child.aki ? 0 : 2)
  return (a, b) => rank(a) - rank(b)
}

/** Returns one representative per subject+key, keeping the first in file order. */
function distinct(certs: ParsedCertificate[], keep: (c: ParsedCertificate) => string): ParsedCertificate[] {
  const seen = new Set<string>()
  return certs.filter((c) => {
    const k = keep(c)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/**
 * Returns the paths from `leaf` through `intermediates` (chain-file certificates, any
 * order) to one of `anchors` (X509-SVID §5 and RFC 5280 §6.1). A link needs the issuer
 * name to match the parent's subject (RFC 5280 §7.1: case, white space and string type do
 * not matter; path checks say when the bytes differ) and the signature to verify under the
 * parent's key; links signed with SHA-1 or MD5 are refused. Anchors' own signatures are not
 * checked. A self-issued certificate (a CA key rollover's NewWithOld or OldWithNew, RFC 5280
 * §6.1) is a link like any other; a loop is impossible as a path never holds one subject and
 * key twice. `maxDepth` (default `PATH_LIMITS.maxDepth`) caps the chain certificates on a path.
 *
 * The work is bounded (`PATH_LIMITS`): candidates are de-duplicated (exact copies; and
 * a path never holds two certificates with the same subject and key, a loop by RFC 4158
 * §5.2), issuers whose SKI matches the child's AKI are tried first, and every signature
 * check is done once. When a budget runs out the search stops with `limited` set.
 */
export function buildPaths(
  leaf: ParsedCertificate,
  intermediates: ParsedCertificate[],
  anchors: ParsedCertificate[],
  maxDepth: number = PATH_LIMITS.maxDepth,
): PathSearch {
  const search: PathSearch = {
    paths: [],
    weakSignature: false,
    badSignature: false,
    signatureChecks: 0,
    steps: 0,
    limited: false,
  }
  const pool = bySubject(distinct(intermediates, (c) => c.sha256).filter((c) => c.sha256 !== leaf.sha256))
  const roots = bySubject(distinct(anchors, (c) => c.sha256))
  const verdicts = new Map<ParsedCertificate, Map<string, boolean>>()

  const signedBy = (child: ParsedCertificate, parent: ParsedCertificate): boolean | undefined => {
    let memo = verdicts.get(child)
    if (!memo) verdicts.set(child, (memo = new Map()))
    const key = subjectKey(parent)
    const known = memo.get(key)
    if (known !== undefined) return known
    if (search.signatureChecks >= PATH_LIMITS.maxSignatureChecks) {
      search.limited = true
      return undefined
    }
    const kind = keyKind(parent)
    if (kind !== undefined) {
      search.unsupportedKey = `"${parent.subject}" has a ${kind} key, which svidkit does not verify signatures with (as Go)`
      memo.set(key, false)
      return false
    }
    search.signatureChecks++
    let ok: boolean
    try {
      ok = child.node.verify(parent.node.publicKey)
    } catch {
      ok = false
    }
    memo.set(key, ok)
    return ok
  }

  const exhausted = (): boolean => search.limited || search.paths.length >= PATH_LIMITS.maxPaths

  const walk = (current: ParsedCertificate, path: ParsedCertificate[], onPath: Set<string>): void => {
    if (exhausted()) return
    if (++search.steps > PATH_LIMITS.maxSteps) {
      search.limited = true
      return
    }
    const weak = WEAK_SIGNATURE_OIDS.has(current.signatureOid)
    const order = byKeyIdMatch(current)
    const before = search.paths.length
    // Once a candidate whose SKI matches the AKI led to a path, candidates with another SKI are not tried.
    const skip = (p: ParsedCertificate): boolean =>
      search.paths.length > before && Boolean(current.aki && p.ski && p.ski !== current.aki)
    for (const anchor of [...(roots.get(issuerKey(current)) ?? [])].sort(order)) {
      if (skip(anchor)) continue
      if (weak) {
        search.weakSignature = true
        continue
      }
      const ok = signedBy(current, anchor)
      if (ok === undefined) return
      if (ok) search.paths.push({certs: [...path], anchor})
      else if (keyKind(anchor) === undefined) search.badSignature = true
      if (exhausted()) return
    }
    if (path.length >= maxDepth) return
    for (const next of [...(pool.get(issuerKey(current)) ?? [])].sort(order)) {
      const id = subjectKey(next)
      if (onPath.has(id) || skip(next)) continue
      if (weak) {
        search.weakSignature = true
        continue
      }
      const ok = signedBy(current, next)
      if (ok === undefined) return
      if (!ok) {
        if (keyKind(next) === undefined) search.badSignature = true
        continue
      }
      onPath.add(id)
      walk(next, [...path, next], onPath)
      onPath.delete(id)
      if (exhausted()) return
    }
  }
  walk(leaf, [leaf], new Set([subjectKey(leaf)]))
  return search
}
