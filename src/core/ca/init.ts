import {join} from 'node:path'
import {caTarget, checkCaTarget, recoverCaSwap, type CaWriteOptions} from './swap.js'
import {checkDirTrusted} from '../fs/dir-trust.js'
import {refuseStdioDir} from '../fs/layout.js'
import {parseTrustDomainArg} from '../spiffe-id/index.js'
import {certificateSummary, type CertificateSummary} from '../x509/summary.js'
import {systemClock} from '../clock.js'
import {createAuthority, type CreateAuthorityOptions} from './create.js'
import {CA_BUNDLE_JWKS, CA_BUNDLE_PEM, CA_METADATA, saveAuthorityAsync} from './store.js'
import type {Authority} from './authority.js'

/** What `initCa` wrote (docs/errors.md "JSON documents", ca init --json). */
export interface CaInitResult {
  trustDomain: string
  dir: string
  files: {
    bundle: string
    bundleJwks: string
    metadata: string
    certificates: string[]
    keys: string[]
  }
  /** The signing chain: the CA that signs leaves first, the root last. */
  chain: CertificateSummary[]
  warnings: string[]
}

/**
 * Returns the result of creating a trust domain's CA and writing it to `out`; refuses
 * (`output-exists`, exit 3) to replace an existing CA unless `force`.
 */
export async function initCa(
  opts: CreateAuthorityOptions & CaWriteOptions & {out: string; force?: boolean},
): Promise<CaInitResult & {authority: Authority}> {
  // Flags first (issue 20 item 11), then the output; refuse before generating keys; saveAuthorityAsync checks again.
  if (typeof opts.trustDomain === 'string') parseTrustDomainArg(opts.trustDomain)
  refuseStdioDir(opts.out, '--out')
  checkDirTrusted(caTarget(opts.out), {allowShared: opts.allowSharedDir})
  recoverCaSwap(opts.out)
  checkCaTarget(opts.out, opts.force ?? false)
  const {authority, warnings} = await createAuthority(opts)
  await saveAuthorityAsync(opts.out, authority, {force: opts.force, allowSharedDir: opts.allowSharedDir})
  const creds = [...authority.roots, ...authority.intermediates]
  const at = (opts.clock ?? systemClock).now()
  return {
    authority,
    trustDomain: authority.trustDomain.name,
    dir: opts.out,
    files: {
      bundle: join(opts.out, CA_BUNDLE_PEM),
      bundleJwks: join(opts.out, CA_BUNDLE_JWKS),
      metadata: join(opts.out, CA_METADATA),
      certificates: creds.map((c) => join(opts.out, c.certFile)),
      keys: creds.map((c) => join(opts.out, c.keyFile)),
    },
    chain: creds
      .map((c, i) => certificateSummary(c.cert, {role: i === 0 ? 'root' : 'intermediate', source: 'file', at}))
      .reverse(),
    warnings,
  }
}
