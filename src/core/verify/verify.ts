import type {KeyObject} from 'node:crypto'
import type {SpiffeId, TrustDomain} from '../spiffe-id/index.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {OID} from '../x509/oids.js'
import {formatInstant} from '../time/instant.js'
import {formatDuration} from '../time/duration.js'
import {lookupBundle, type BundleSet} from '../bundle/index.js'
import {checkSvid} from './svid-checks.js'
import type {CertPath} from './path.js'
import {PATH_STEPS} from './path-checks.js'
import {validatePath} from './path-validation.js'
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
  /** True when the caller chose `at` (`--at`): messages speak of the evaluation time, not of now. Default false. */
  atGiven?: boolean
  /** Adds the RFC 5280 MUSTs for conforming CAs to path validation and turns an incomplete leaf EKU into `eku-incomplete` (step 12). */
  strict?: boolean
  /** Chain certificates on a path at most, leaf included. Default `PATH_LIMITS.maxDepth` (10). */
  maxDepth?: number
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
        const best = validatePath(
          {
            leaf,
            intermediates: input.chain.slice(1),
            anchors: bundle.authorities,
            at: input.at,
            atGiven: input.atGiven ?? false,
            strict: input.strict ?? false,
            maxDepth: input.maxDepth,
            intermediateFlags: false,
            anchorWords: 'a root of the bundle',
          },
          r,
        )
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
            if (left < life * 0.1)
              r.note(
                `leaf expires ${input.atGiven ? `${formatDuration(left)} after the evaluation time` : `in ${formatDuration(left)}`}, less than 10% of its ${formatDuration(life)} lifetime`,
              )
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
  } else
    r.warn(
      'eku',
      `${message}: the SVID works only as a TLS ${server ? 'server' : client ? 'client' : 'peer where EKU is ignored'}`,
    )
}
