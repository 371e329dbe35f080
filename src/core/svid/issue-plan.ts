/**
 * One `issue` run as a plan (options checked, CA loaded, output chosen) and the issuance of
 * SVID n from it: the same code on the main thread and in issuing workers (issue-pool.ts).
 */
import {join} from 'node:path'
import type {KeyObject} from 'node:crypto'
import {systemClock, type Clock} from '../clock.js'
import {SvidkitError, usageError} from '../errors.js'
import {loadAuthority} from '../ca/store.js'
import {chainNotAfter, signingCredential, type Authority, type CaCredential} from '../ca/authority.js'
import {readInput} from '../fs/read-input.js'
import type {FileToWrite} from '../fs/atomic-write.js'
import {csrDer, readCsrDer} from '../x509/csr.js'
import {formatInstant} from '../time/instant.js'
import {
  checkedDnsName,
  checkedIp,
  checkedSubject,
  DEFAULT_LEAF_SUBJECT,
  issuableId,
  issueSvid,
  type IssueOptions,
} from './issue.js'
import {parseSpiffeIdArg} from '../spiffe-id/index.js'
import {fileNames, type LayoutName} from '../fs/layout.js'
import {checkIssuedLeaf} from './leaf-check.js'
import {svidKeySpki} from './svid.js'
import type {LeafNote} from './recipe.js'
import {spkiDer} from '../x509/keys.js'
import {outputFiles, outputNames, type OutputSpec} from './output-files.js'
import {checkedSecretName, defaultSecretName} from './k8s-secret.js'

/** Where `issue` can write: the SVID directory layouts, plus a Kubernetes Secret manifest. */
export type OutputLayout = LayoutName | 'k8s-secret'

/** Options of `issueToDirectory` and `issueEach`. */
export interface IssueToDirectoryOptions extends Omit<IssueOptions, 'spiffeId' | 'publicKey'> {
  /** SPIFFE ID; `{n}` is replaced by 1..count. */
  spiffeId: string
  /** CA directory. Its root key may be absent (an offline root) when an intermediate signs. */
  ca: string
  /** Output directory; `{n}` is replaced, else SVID n goes to `<out>/<n>` when count > 1. */
  out: string
  /** Layout of the output directory. Default `spiffe-helper`. */
  layout?: OutputLayout
  /** File-name overrides (directory layouts only). */
  names?: {cert?: string; key?: string; bundle?: string}
  /** Number of SVIDs. Default 1. */
  count?: number
  /** Path of a PKCS#10 CSR whose public key is certified (its own SANs are ignored). */
  csr?: string
  /** Replace an SVID of the same layout already in the output directory. Default false. */
  force?: boolean
  /** `pem` (default) or `pkcs12`: key and chain in one password-protected svid.p12, the bundle beside it. */
  format?: 'pem' | 'pkcs12'
  /** Password of the PKCS#12 file (this or `p12PasswordFile` is required with format pkcs12). */
  p12Password?: string
  /** A file whose first line is the PKCS#12 password. */
  p12PasswordFile?: string
  /** metadata.name of the Secret with layout `k8s-secret`. Default `svid-` and the ID's path. */
  secretName?: string
  /**
   * Worker threads for a bulk run (issue-pool.ts): 0 issues on this thread only; default
   * chosen by the count (`workerCount`). At most os.availableParallelism().
   */
  workers?: number
  /** Stops a bulk run between SVIDs (SIGINT/SIGTERM): the run ends with an `interrupted` error. */
  signal?: AbortSignal
}

/** One written SVID (docs/errors.md "JSON documents", issue --json). */
export interface IssueResult {
  spiffeId: string
  files: {cert: string; key?: string; bundle: string}
  serial: string
  notBefore: string
  notAfter: string
  keyType: string
  /** The defects built in on purpose, and the reason code each makes `verify` report (the recipe's notes). */
  defects?: LeafNote[]
  warnings: string[]
}

/** Returns the public key of the CSR at `path` after checking its signature, with a warning for each part of it that is ignored (SANs, subject). */
async function readCsr(path: string): Promise<{key: KeyObject; warnings: string[]}> {
  const bytes = readInput(path, 'pem-invalid')
  const csr = readCsrDer(csrDer(bytes) ?? bytes, path)
  if (csr.signature === 'invalid') {
    throw new SvidkitError('pem-invalid', `the signature of CSR "${path}" does not verify`, {
      hint: 'the CSR was altered or not signed by its key',
    })
  }
  const warnings: string[] =
    csr.signature === 'unchecked'
      ? [`the signature of CSR "${path}" uses an algorithm svidkit does not check (RSA-PSS?): not verified`]
      : []
  if (csr.sans.length > 0)
    warnings.push(
      `the SANs in CSR "${path}" (${csr.sans.join(', ')}) are ignored: the SPIFFE ID comes from --spiffe-id`,
    )
  // docs/design.md promises this one: a CSR's subject never reaches the leaf.
  if (csr.subject !== '')
    warnings.push(
      `the subject of CSR "${path}" ("${csr.subject}") is ignored: the leaf subject comes from --subject (default O=svidkit)`,
    )
  return {key: csr.publicKey, warnings}
}

function p12Password(o: IssueToDirectoryOptions): string | undefined {
  if (o.p12Password !== undefined && o.p12PasswordFile !== undefined)
    throw usageError('give the PKCS#12 password once: --p12-password or --p12-password-file')
  if (o.p12PasswordFile === undefined) return o.p12Password
  const line = readInput(o.p12PasswordFile, 'key-invalid').toString('utf8').split(/\r?\n/)[0]
  if (line === '')
    throw usageError(`the password file "${o.p12PasswordFile}" is empty`, 'write the password on its first line')
  return line
}

function outputSpec(o: IssueToDirectoryOptions): OutputSpec {
  const layout = o.layout ?? 'spiffe-helper'
  const format = o.format ?? 'pem'
  const overridden = Object.values(o.names ?? {}).some((v) => v !== undefined)
  const password = p12Password(o)
  if (layout === 'k8s-secret') {
    if (format === 'pkcs12')
      throw usageError(
        '--format pkcs12 does not apply to --layout k8s-secret',
        'a Secret manifest holds PEM; drop one of them',
      )
    if (overridden)
      throw usageError(
        '--cert-file, --key-file and --bundle-file do not apply to --layout k8s-secret',
        'the manifest is secret.yaml; its keys are tls.crt, tls.key and ca.crt',
      )
    const fixed = o.secretName === undefined ? undefined : checkedSecretName(o.secretName)
    return {kind: 'k8s-secret', secretName: (id) => fixed ?? defaultSecretName(id)}
  }
  if (o.secretName !== undefined) throw usageError(`--secret-name applies to --layout k8s-secret only, not "${layout}"`)
  const names = fileNames(layout, o.names)
  if (format === 'pkcs12') {
    if (password === undefined)
      throw usageError(
        '--format pkcs12 needs a password',
        'pass --p12-password-file FILE (or --p12-password, visible to other users in ps)',
      )
    return {kind: 'pkcs12', password, bundle: names.bundle}
  }
  if (password !== undefined) throw usageError('a PKCS#12 password applies to --format pkcs12 only')
  return {kind: 'layout', layout, names}
}

/** Returns the output directory of SVID n. */
export function dirOf(o: IssueToDirectoryOptions, n: number, count: number): string {
  return o.out.includes('{n}') ? o.out.replaceAll('{n}', String(n)) : count > 1 ? join(o.out, String(n)) : o.out
}

/** What every SVID of one `issue` run shares: read and checked once, on each thread that issues. */
export interface IssuePlan {
  o: IssueToDirectoryOptions
  count: number
  spec: OutputSpec
  names: string[]
  authority: Authority
  signer: CaCredential
  cap: Date
  clock: Clock
  csr?: {key: KeyObject; warnings: string[]}
}

/** Returns the plan of a run: options checked, the CA loaded (its chain checked), the output chosen. */
export async function issuePlan(o: IssueToDirectoryOptions): Promise<IssuePlan> {
  const count = o.count ?? 1
  if (!Number.isInteger(count) || count < 1) throw usageError(`count must be a positive integer, got ${count}`)
  if (o.csr && o.keyType !== undefined)
    throw usageError(
      '--key-type does not apply with --csr: the CSR decides the key',
      "drop --key-type; the certificate gets the CSR's public key",
    )
  if (o.csr && count > 1) throw usageError('--csr issues one certificate; drop --count')
  const spec = outputSpec(o)
  if (o.csr && spec.kind !== 'layout')
    throw usageError(
      `--csr writes no key, which ${spec.kind === 'pkcs12' ? '--format pkcs12' : '--layout k8s-secret'} needs`,
    )
  // Every value is checked before a file is read or the output looked at (issue 20 item 11).
  const firstId = o.spiffeId.replaceAll('{n}', '1')
  parseSpiffeIdArg(firstId)
  for (const d of o.dns ?? []) checkedDnsName(d)
  for (const ip of o.ips ?? []) checkedIp(ip)
  checkedSubject(o.subject ?? DEFAULT_LEAF_SUBJECT, [])
  const authority = loadAuthority(o.ca)
  issuableId(authority, firstId)
  const csr = o.csr ? await readCsr(o.csr) : undefined
  const signer = signingCredential(authority)
  return {
    o,
    count,
    spec,
    names: outputNames(spec),
    authority,
    signer: signer,
    cap: chainNotAfter(authority),
    clock: o.clock ?? systemClock,
    csr,
  }
}

/**
 * Returns SVID n of a run, checked in memory (X509-SVID §4, §5; leaf-check.ts) before
 * anything is written, with the files to write and the result to report. A failing check
 * throws, so it never leaves a file behind.
 */
export async function issueOne(
  p: IssuePlan,
  n: number,
): Promise<{dir: string; files: FileToWrite[]; result: IssueResult}> {
  const {o, csr, clock} = p
  const dir = dirOf(o, n, p.count)
  const seed = o.seed === undefined ? undefined : `${o.seed}/${n}`
  const issued = await issueSvid(p.authority, {
    ...o,
    spiffeId: o.spiffeId.replaceAll('{n}', String(n)),
    publicKey: csr?.key,
    clock,
    seed,
  })
  const leaf = issued.svid.certificates[0]
  const now = clock.now()
  if (o.recipe?.check) o.recipe.check(issued.svid, issued.bundle, now)
  else {
    const expectation = {
      spiffeId: issued.svid.id.toString(),
      issuer: p.signer.cert,
      keySpki: svidKeySpki(issued.svid) ?? (csr ? spkiDer(csr.key) : new Uint8Array(0)),
      chainNotAfter: p.cap,
      at: now,
    }
    checkIssuedLeaf(leaf.der, expectation, o.notBefore !== undefined || o.notAfter !== undefined)
  }
  const {files, paths} = outputFiles(p.spec, dir, issued.svid, issued.bundle, seed)
  const result: IssueResult = {
    spiffeId: issued.svid.id.toString(),
    files: paths,
    serial: leaf.serial,
    notBefore: formatInstant(leaf.notBefore),
    notAfter: formatInstant(leaf.notAfter),
    keyType: issued.keyType,
    ...(o.recipe?.notes?.length ? {defects: o.recipe.notes} : {}),
    warnings: [...(csr?.warnings ?? []), ...issued.warnings],
  }
  return {dir, files, result}
}
