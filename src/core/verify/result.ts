import type {ReasonCode} from '../errors.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {certificateSummary, guessRole, type CertificateSummary} from '../x509/summary.js'
import type {CertPath} from './path.js'

/** The outcome of one verification step. */
export interface Check {
  name: string
  status: 'pass' | 'fail' | 'warn' | 'skip'
  code?: ReasonCode
  message: string
}

/** One failure: a reason code of docs/errors.md, a go-spiffe-style message and a hint. */
export interface Failure {
  code: ReasonCode
  message: string
  hint: string
}

/** What `verifySvid` returns (docs/errors.md, JSON documents). */
export interface VerifyResult {
  valid: boolean
  spiffeId: string | null
  trustDomain: string | null
  errors: Failure[]
  warnings: string[]
  checks: Check[]
  /** The chain file's certificates, then the anchor of the path used (if any). */
  chain: CertificateSummary[]
  /** The trust anchor and how its bundle was bound, when a path was found. */
  bundle?: {trustDomain: string; sources: {path: string; binding: string}[]; anchor?: string}
  /** Evaluation time (RFC 3339). */
  at: string
  /** Time from `at` to the earliest notAfter on the path, in ms. */
  expiresInMs?: number
  /** `x509` when the chain was judged by `verifyChain` (RFC 5280 only, no SPIFFE rules); absent for SVIDs. */
  profile?: 'x509'
  /** With `verify --connect`: where the chain came from. */
  connection?: {target: string; servername: string | null; protocol: string | null}
}

/** Accumulates checks, failures and warnings in step order. */
export class Report {
  readonly checks: Check[] = []
  readonly errors: (Failure & {step: number})[] = []
  readonly warnings: string[] = []
  /** The notes already kept: a Set, since a bundle map of 60,000 trust domains brings as many warnings (includes() was quadratic). */
  private readonly noted = new Set<string>()

  pass(name: string, message: string): void {
    this.checks.push({name, status: 'pass', message})
  }

  skipped(name: string, message: string): void {
    this.checks.push({name, status: 'skip', message})
  }

  warn(name: string, message: string): void {
    this.checks.push({name, status: 'warn', message})
    this.warnings.push(message)
    this.noted.add(message)
  }

  /** Adds a warning without a check row. */
  note(message: string): void {
    if (this.noted.has(message)) return
    this.noted.add(message)
    this.warnings.push(message)
  }

  fail(step: number, name: string, f: Failure): void {
    this.checks.push({name, status: 'fail', code: f.code, message: f.message})
    this.errors.push({...f, step})
  }

  /** Returns the failures sorted by step (errors[0] is the primary reason, from the lowest step). */
  sortedErrors(): Failure[] {
    return [...this.errors].sort((a, b) => a.step - b.step).map(({code, message, hint}) => ({code, message, hint}))
  }
}

/**
 * Returns the chain summaries for a result. With a certification path: the path in order
 * (leaf, intermediates, the anchor from the bundle), then any chain-file certificate not
 * on it (`onPath: false`). Without one: the chain file as given, leaf first.
 */
export function summarizeChain(chain: ParsedCertificate[], path: CertPath | undefined, at: Date): CertificateSummary[] {
  if (!path)
    return chain.map((c, i) => certificateSummary(c, {role: i === 0 ? 'leaf' : guessRole(c), source: 'chain', at}))
  const out = path.certs.map((c, i) =>
    certificateSummary(c, {role: i === 0 ? 'leaf' : 'intermediate', source: 'chain', at}),
  )
  out.push(certificateSummary(path.anchor, {role: 'root', source: 'bundle', at}))
  for (const c of chain) {
    if (!path.certs.includes(c))
      out.push({...certificateSummary(c, {role: guessRole(c), source: 'chain', at}), onPath: false})
  }
  return out
}
