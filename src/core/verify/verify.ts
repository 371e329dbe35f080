import type {KeyObject} from 'node:crypto'
import type {SpiffeId, TrustDomain} from '../spiffe-id/index.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {EKU_NAMES, OID} from '../x509/oids.js'
import {formatInstant} from '../time/instant.js'
import {formatDuration} from '../time/duration.js'
import {lookupBundle, type BundleSet} from '../bundle/index.js'
import {checkSvid} from './svid-checks.js'
import {buildPaths, type CertPath, type PathSearch} from './path.js'
import {evaluatePath, PATH_STEPS, type PathOutcome} from './path-checks.js'
import {Report, summarizeChain, type VerifyResult} from './result.js'
import {minOf} from '../arrays.js'

/** Inputs of `verifySvid`: everything already read and parsed. */
export interface VerifyInput {
  /** Leaf first, then whatever else the chain file held. */
  chain: ParsedCertificate[]
  /** Optional private key: checked against the leaf (step 7). */
  key?: KeyObject
  /** Bundles bound to trust domains (docs/design.md, `verify` and `inspect`). */
  bundles: BundleSet
  /** Evaluation time. */
  at: Date
  /** Accepted SPIFFE IDs (any one of them); none = any. */
  expectIds?: SpiffeId[]
  /** Required trust domain. */
  expectTrustDomain?: TrustDomain
  /** Turns an incomplete leaf EKU into `eku-incomplete` (step 12). */
  strict?: boolean
  /** Warnings from reading the inputs (key format, bundle entries…), reported first. */
  warnings?: string[]
}

/**
 * Returns the verdict of the X509-SVID verification algorithm of X509-SVID §5,
 * every step recorded as a check; `errors[0]` is the primary reason (lowest step).
 */
export function verifySvid(input: VerifyInput): VerifyResult {
  const r = new Report()
  for (const w of [...(input.warnings ?? []), ...input.bundles.warnings]) r.note(w)
  r.pass('read', `read ${input.chain.length} certificate(s)${input.key ? ' and a private key' : ''}`)
  const leaf = input.chain[0]
  const id = checkSvid(input.chain, input.key, r)

  let anchor: ParsedCertificate | undefined
  let usedPath: CertPath | undefined
  let bundleInfo: VerifyResult['bundle']
  let expiresInMs: number | undefined
  if (!id) {
    r.skipped('bundle', 'no SPIFFE ID, so no trust domain to choose a bundle by')
    r.skipped('path', 'no bundle')
  } else {
    const td = id.trustDomain.name
    const bundle = lookupBundle(input.bundles, td)
    if (!bundle) {
      const have = [...input.bundles.byTrustDomain.keys()]
      r.fail(8, 'bundle', {
        code: 'bundle-not-found',
        message: `no X.509 bundle for trust domain "${td}"`,
        hint: have.length
          ? `the bundles given are for ${have.map((t) => `"${t}"`).join(', ')}; pass the bundle of "${td}" (--bundle ${td}=FILE or a bundle map). Bundles are never shared across trust domains`
          : `pass the bundle of "${td}": --bundle ${td}=FILE`,
      })
      r.skipped('path', "no bundle for the leaf's trust domain")
    } else {
      bundleInfo = {trustDomain: td, sources: bundle.sources.map((s) => ({path: s.path, binding: s.binding}))}
      if (bundle.authorities.length === 0) {
        r.fail(8, 'bundle', {
          code: 'untrusted-chain',
          message: `x509bundle: no X.509 authorities in the bundle for trust domain "${td}"`,
          hint: 'the bundle is empty, so this trust domain trusts nothing: check that the bundle file was written completely',
        })
        r.skipped('path', 'empty bundle')
      } else {
        r.pass(
          'bundle',
          `bundle for "${td}" with ${bundle.authorities.length} authorit${bundle.authorities.length === 1 ? 'y' : 'ies'} (${bundle.sources.map((s) => `${s.path}: ${s.binding}`).join('; ')})`,
        )
        const search = buildPaths(leaf, input.chain.slice(1), bundle.authorities)
        const best = checkPaths(search, input, r)
        if (best) {
          usedPath = best.path
          anchor = best.path.anchor
          bundleInfo.anchor = anchor.subject
          if (best.reached === PATH_STEPS.length) {
            const all = [...best.path.certs, anchor]
            const earliest = minOf(all.map((c) => c.notAfter.getTime()))
            expiresInMs = earliest - input.at.getTime()
            const life = leaf.notAfter.getTime() - leaf.notBefore.getTime()
            const left = leaf.notAfter.getTime() - input.at.getTime()
            if (left < life * 0.1) r.note(`leaf expires in ${formatDuration(left)}, less than 10% of its ${formatDuration(life)} lifetime`)
          }
        }
      }
    }
    checkExpectations(id, input, r)
  }
  checkEku(leaf, input.strict ?? false, r)

  const errors = r.sortedErrors()
  return {
    valid: errors.length === 0,
    spiffeId: id?.toString() ?? null,
    trustDomain: id?.trustDomain.name ?? null,
    errors,
    warnings: r.warnings,
    checks: r.checks,
    chain: summarizeChain(input.chain, usedPath, input.at),
    ...(bundleInfo ? {bundle: bundleInfo} : {}),
    at: formatInstant(input.at),
    ...(expiresInMs === undefined ? {} : {expiresInMs}),
  }
}

function untrustedHint(search: PathSearch, input: VerifyInput): string {
  const leaf = input.chain[0]
  const issuer = `"${leaf.issuer}"${leaf.aki ? ` (AKI ${leaf.aki})` : ''}`
  if (search.weakSignature) return 'a link in the chain is signed with SHA-1 or MD5, which svidkit refuses; reissue with SHA-256 or better'
  if (search.badSignature) {
    return `a certificate named like the issuer is there, but its key did not sign the certificate below it: a look-alike CA, or a CA that was recreated; the leaf's issuer is ${issuer}`
  }
  if (input.chain.length === 1) {
    return `the chain file holds only the leaf, issued by ${issuer}, and the bundle has no such root: append the intermediate(s) after the leaf (cat svid.pem intermediate.pem); for openssl verify pass them with -untrusted`
  }
  return `no path from the leaf's issuer ${issuer} through the ${input.chain.length - 1} intermediate(s) given to a root of the bundle: the bundle may belong to another CA or be out of date`
}

function checkPaths(search: PathSearch, input: VerifyInput, r: Report): PathOutcome | undefined {
  if (search.paths.length === 0 && search.limited) {
    r.fail(9, 'path', {
      code: 'path-limit',
      message: `path search stopped after ${search.signatureChecks} signature checks and ${search.steps} steps without reaching an authority of the bundle`,
      hint: `the chain holds ${input.chain.length} certificates with look-alike names; send only the leaf and its intermediates, in order (limits: docs/security.md "Read and verify limits")`,
    })
    for (const name of PATH_STEPS) r.skipped(name, 'no certification path')
    return undefined
  }
  if (search.limited)
    r.note(`the path search stopped at its limit after ${search.signatureChecks} signature checks; only the paths found so far were evaluated`)
  if (search.paths.length === 0) {
    r.fail(9, 'path', {
      code: 'untrusted-chain',
      message: 'x509svid: could not verify leaf certificate: x509: certificate signed by unknown authority',
      hint: untrustedHint(search, input),
    })
    for (const name of PATH_STEPS) r.skipped(name, 'no certification path')
    return undefined
  }
  const outcomes = search.paths.map((p) => evaluatePath(p, input.at))
  const best = outcomes.reduce((a, b) => (b.reached > a.reached ? b : a))
  const names = [...best.path.certs.map((c, i) => (i === 0 && c.san?.uris[0]) || c.subject || c.serial), best.path.anchor.subject].map((s) => `"${s}"`)
  r.pass('path', `path of ${best.path.certs.length + 1} certificates: ${names.join(' -> ')}`)
  warnCaEku([...best.path.certs.slice(1), best.path.anchor], r)
  PATH_STEPS.forEach((name, i) => {
    if (i < best.reached) r.pass(name, PASS_TEXT[name])
    else if (i === best.reached && best.failure) r.fail(10, name, best.failure)
    else r.skipped(name, 'an earlier path check failed')
  })
  return best
}

/**
 * Adds a warning for each CA on the path that carries an extended key usage: Go and
 * OpenSSL intersect EKUs down the chain, so such a CA silently limits what its leaves
 * may be used for (X509-SVID §4.4 describes EKU for leaves only).
 */
function warnCaEku(cas: ParsedCertificate[], r: Report): void {
  for (const ca of cas) {
    if (!ca.extKeyUsage) continue
    const purposes = ca.extKeyUsage.oids.map((o) => EKU_NAMES[o] ?? o).join(', ')
    r.note(
      `CA "${ca.subject}" on the path carries an extended key usage (${purposes}): verifiers that intersect EKUs along the chain (Go, OpenSSL) limit its leaves to these purposes`,
    )
  }
}

const PASS_TEXT: Record<(typeof PATH_STEPS)[number], string> = {
  validity: 'every certificate on the path is within its validity period',
  'name-constraints': 'no name constraint on the path excludes the leaf',
  'path-length': 'every pathLenConstraint on the path holds',
  'critical-extensions': 'no unhandled critical extension on the path',
}

function checkExpectations(id: SpiffeId, input: VerifyInput, r: Report): void {
  const ids = input.expectIds ?? []
  if (ids.length === 0) r.skipped('expected-id', 'no --expect-id given')
  else if (ids.some((e) => e.equals(id))) r.pass('expected-id', `"${id}" is expected`)
  else
    r.fail(11, 'expected-id', {
      code: 'id-mismatch',
      message: `unexpected ID "${id}"`,
      hint: `expected ${ids.map((e) => `"${e}"`).join(' or ')}: the peer is another workload, or its registration entry differs`,
    })
  const td = input.expectTrustDomain
  if (!td) r.skipped('expected-trust-domain', 'no --expect-trust-domain given')
  else if (id.memberOf(td)) r.pass('expected-trust-domain', `in trust domain "${td.name}"`)
  else
    r.fail(11, 'expected-trust-domain', {
      code: 'trust-domain-mismatch',
      message: `unexpected trust domain "${id.trustDomain.name}"`,
      hint: `expected trust domain "${td.name}"`,
    })
}

function checkEku(leaf: ParsedCertificate, strict: boolean, r: Report): void {
  const eku = leaf.extKeyUsage
  if (!eku) {
    r.skipped('eku', 'the leaf has no extended key usage')
    return
  }
  const server = eku.oids.includes(OID.serverAuth)
  const client = eku.oids.includes(OID.clientAuth)
  if (server && client) {
    r.pass('eku', 'leaf EKU has serverAuth and clientAuth')
    return
  }
  const message =
    !server && !client
      ? 'missing both serverAuth and clientAuth extended key usage'
      : !server
        ? 'missing serverAuth extended key usage'
        : 'missing clientAuth extended key usage'
  if (strict) {
    r.fail(12, 'eku', {
      code: 'eku-incomplete',
      message,
      hint: 'an X509-SVID is used as both TLS client and server: issue it with EKU serverAuth and clientAuth',
    })
  } else r.warn('eku', `${message}: the SVID works only as a TLS ${server ? 'server' : client ? 'client' : 'peer where EKU is ignored'}`)
}
