import {join} from 'node:path'
import {createPublicKey, type KeyObject} from 'node:crypto'
import {systemClock} from '../clock.js'
import {SvidkitError, usageError} from '../errors.js'
import {loadAuthority} from '../ca/store.js'
import {readInput} from '../fs/read-input.js'
import {x509} from '../x509/provider.js'
import {formatInstant} from '../time/instant.js'
import {issueSvid, type IssueOptions} from './issue.js'
import {fileNames, type LayoutName} from './layout.js'
import {selfCheck} from './self-check.js'
import {defectCheck} from './defect-check.js'
import {writeSvidDir} from './write.js'

/** Options of `issueToDirectory`. */
export interface IssueToDirectoryOptions extends Omit<IssueOptions, 'spiffeId' | 'publicKey'> {
  /** SPIFFE ID; `{n}` is replaced by 1..count. */
  spiffeId: string
  /** CA directory. */
  ca: string
  /** Output directory; `{n}` is replaced, else SVID n goes to `<out>/<n>` when count > 1. */
  out: string
  /** Layout of the output directory. Default `spiffe-helper`. */
  layout?: LayoutName
  /** File-name overrides. */
  names?: {cert?: string; key?: string; bundle?: string}
  /** Number of SVIDs. Default 1. */
  count?: number
  /** Path of a PKCS#10 CSR whose public key is certified (its own SANs are ignored). */
  csr?: string
}

/** One written SVID (cli-contract.md "issue --json"). */
export interface IssueResult {
  spiffeId: string
  files: {cert: string; key?: string; bundle: string}
  serial: string
  notBefore: string
  notAfter: string
  keyType: string
  /** The defects built in on purpose, and the reason code each makes `verify` report. */
  defects?: {name: string; code: string; rule: string}[]
  warnings: string[]
}

async function readCsr(path: string): Promise<{key: KeyObject; warnings: string[]}> {
  const bytes = readInput(path, 'pem-invalid')
  let csr: x509.Pkcs10CertificateRequest
  try {
    csr = new x509.Pkcs10CertificateRequest(bytes.toString('latin1').includes('-----BEGIN') ? bytes.toString('latin1') : Uint8Array.from(bytes))
  } catch (err) {
    throw new SvidkitError('pem-invalid', `cannot parse CSR "${path}"`, {cause: err, hint: 'pass a PKCS#10 CERTIFICATE REQUEST (PEM or DER)'})
  }
  if (!(await csr.verify())) {
    throw new SvidkitError('pem-invalid', `the signature of CSR "${path}" does not verify`, {hint: 'the CSR was altered or not signed by its key'})
  }
  const warnings: string[] = []
  const raw = csr.extensions.find((e) => e.type === '2.5.29.17')
  const ext = raw ? new x509.SubjectAlternativeNameExtension(raw.rawData) : undefined
  if (ext && ext.names.items.length > 0) {
    warnings.push(
      `the SANs in CSR "${path}" (${ext.names.items.map((n) => `${n.type}:${n.value}`).join(', ')}) are ignored: the SPIFFE ID comes from --spiffe-id`,
    )
  }
  return {key: createPublicKey({key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki'}), warnings}
}

/**
 * Returns the SVIDs issued from the CA directory `ca` and written to `out` in a layout,
 * each checked against its bundle right after writing.
 */
export async function issueToDirectory(o: IssueToDirectoryOptions): Promise<IssueResult[]> {
  const count = o.count ?? 1
  if (!Number.isInteger(count) || count < 1) throw usageError(`count must be a positive integer, got ${count}`)
  const names = fileNames(o.layout ?? 'spiffe-helper', o.names)
  const authority = loadAuthority(o.ca)
  const csr = o.csr ? await readCsr(o.csr) : undefined
  if (csr && count > 1) throw usageError('--csr issues one certificate; drop --count')
  const clock = o.clock ?? systemClock
  const results: IssueResult[] = []
  for (let n = 1; n <= count; n++) {
    const id = o.spiffeId.replaceAll('{n}', String(n))
    const dir = o.out.includes('{n}') ? o.out.replaceAll('{n}', String(n)) : count > 1 ? join(o.out, String(n)) : o.out
    const issued = await issueSvid(authority, {...o, spiffeId: id, publicKey: csr?.key, clock})
    // Checked in memory before anything is written: a failing check never leaves a file behind.
    if (o.defects?.length) defectCheck(issued.svid, issued.bundle, o.defects, clock.now())
    else selfCheck(issued.svid, issued.bundle, clock.now())
    const files = writeSvidDir(dir, issued.svid, issued.bundle, names)
    const leaf = issued.svid.certificates[0]
    results.push({
      spiffeId: issued.svid.id.toString(),
      files,
      serial: leaf.serial,
      notBefore: formatInstant(leaf.notBefore),
      notAfter: formatInstant(leaf.notAfter),
      keyType: issued.keyType,
      ...(o.defects?.length ? {defects: o.defects.map((d) => ({name: d.name, code: d.code, rule: d.rule}))} : {}),
      warnings: [...(csr?.warnings ?? []), ...issued.warnings],
    })
  }
  return results
}
