import {usageError} from '../errors.js'
import {issueOne, issuePlan, type IssueResult, type IssueToDirectoryOptions} from './issue-plan.js'

/** The `--out` value that means standard output. */
export const STDOUT_OUT = '-'

/**
 * Returns one SVID as PEM text, chain (leaf first) then private key (`issue --out -`), checked
 * in memory like any issued SVID; nothing is written to disk. The bundle is the CA's
 * `bundle.pem`. PKCS#12, Secret manifests and `--count` need files: a usage error.
 */
export async function issueToPem(o: IssueToDirectoryOptions): Promise<{pem: string; result: IssueResult}> {
  if ((o.count ?? 1) > 1)
    throw usageError('--out - writes one SVID to standard output; drop --count, or give --out a directory')
  if (o.format === 'pkcs12')
    throw usageError('--out - writes PEM; --format pkcs12 needs a directory', 'give --out a directory for svid.p12')
  if (o.layout === 'k8s-secret')
    throw usageError(
      '--out - writes PEM; --layout k8s-secret needs a directory',
      'give --out a directory for secret.yaml',
    )
  if (o.force) throw usageError('--force does not apply to --out - (nothing is replaced)')
  const plan = await issuePlan({...o, out: STDOUT_OUT, layout: 'spiffe-helper', names: {}})
  const {files, result} = await issueOne(plan, 1)
  const text = (path: string | undefined) =>
    Buffer.from(files.find((f) => f.path === path)?.data ?? '').toString('utf8')
  return {
    pem: text(result.files.cert) + text(result.files.key),
    result: {
      ...result,
      files: {
        cert: STDOUT_OUT,
        ...(result.files.key ? {key: STDOUT_OUT} : {}),
        bundle: plan.o.ca.replace(/\/?$/, '/bundle.pem'),
      },
    },
  }
}
