import {closeSync, fstatSync, openSync, readSync, constants as C} from 'node:fs'
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {SvidkitError, usageError} from '../errors.js'
import {toPemBundle} from '../bundle/index.js'
import {bundleAuthorities, type Authority} from '../ca/authority.js'
import {issueSvid, type IssueOptions} from '../svid/issue.js'
import {chainPem, keyPem} from '../svid/write.js'
import type {SvidFileNames} from '../fs/layout.js'
import {readCertificates} from '../x509/read.js'
import {formatInstant} from '../time/instant.js'
import type {FileRole, Knobs} from './knobs.js'
import type {SetFile, WriterMode} from './writers/index.js'

/** Writers that rewrite the whole set even when only the bundle changed (docs/rotation.md R16). */
const WHOLE_SET_WRITERS = new Set<WriterMode>(['spiffe-helper', 'kubelet', 'dir-symlink'])

/** The bytes of one rotation's set, before any writer touches the disk. */
interface RotationContent {
  files: SetFile[]
  /** Roles whose bytes differ from what is on disk now. */
  changes: Set<FileRole>
  serial: string
  spiffeId: string
  notBefore: string
  notAfter: string
  sha256: {cert: string; key: string; bundle: string}
  warnings: string[]
}

/** Largest file of a set read back from disk: anything bigger is not an SVID file. */
const MAX_SET_FILE = 1 << 20

/** Returns a regular file's bytes (bounded; a FIFO or device is never read), else undefined. */
function readOrUndefined(path: string): Buffer | undefined {
  let fd: number
  try {
    fd = openSync(path, C.O_RDONLY | C.O_NONBLOCK)
  } catch {
    return undefined
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile() || st.size > MAX_SET_FILE) return undefined
    const buf = Buffer.alloc(st.size)
    let off = 0
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off)
      if (n === 0) break
      off += n
    }
    return buf.subarray(0, off)
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

/** Returns the current bytes of the set on disk, by role (undefined when absent). */
export function currentSet(dir: string, names: SvidFileNames): {cert?: Buffer; key?: Buffer; bundle?: Buffer} {
  return {
    cert: readOrUndefined(join(dir, names.cert)),
    key: readOrUndefined(join(dir, names.key)),
    bundle: readOrUndefined(join(dir, names.bundle)),
  }
}

/**
 * Returns the set one rotation writes: a new SVID (new key, same SPIFFE ID) unless the
 * rotation keeps the leaf (bundle-only, or a root `add`/`drop-old` step), with the bundle
 * from the authority, in `--order` and the layout's file names.
 */
export async function rotationContent(o: {
  dir: string
  names: SvidFileNames
  authority: Authority
  keepLeaf: boolean
  spiffeId?: string
  issue: Omit<IssueOptions, 'spiffeId'>
  intermediatesInBundle: boolean
  knobs: Knobs
  /**
   * `--bundle-only` with this writer mode: only the bundle file is written (a ConfigMap or
   * ClusterTrustBundle delivered on its own), except where the real writer rewrites more:
   * spiffe-helper rewrites all three in place (R16), kubelet and dir-symlink publish a whole new
   * version directory.
   */
  bundleOnly?: WriterMode
}): Promise<RotationContent> {
  const now = currentSet(o.dir, o.names)
  let certPem: Buffer
  let keyBytes: Buffer
  let warnings: string[] = []
  if (o.keepLeaf) {
    if (!now.cert || !now.key) {
      throw usageError(
        `"${o.dir}" has no SVID to keep`,
        'run a leaf rotation first (rotate --kind leaf) so the directory holds a certificate and key',
      )
    }
    certPem = o.names.combined
      ? Buffer.from(
          now.cert.toString('latin1').replace(/-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n?/, ''),
          'latin1',
        )
      : now.cert
    keyBytes = o.names.combined
      ? Buffer.from(
          /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n?/.exec(now.cert.toString('latin1'))?.[0] ??
            '',
          'latin1',
        )
      : now.key
  } else {
    const id = o.spiffeId ?? idOnDisk(now.cert, join(o.dir, o.names.cert))
    const issued = await issueSvid(o.authority, {...o.issue, spiffeId: id})
    warnings = issued.warnings
    const chain = o.intermediatesInBundle ? issued.svid.certificates.slice(0, 1) : issued.svid.certificates
    certPem = Buffer.from(chainPem(chain))
    keyBytes = Buffer.from(keyPem(issued.svid))
  }
  const roots = bundleAuthorities(o.authority)
  const bundleCerts = o.intermediatesInBundle
    ? [...roots, ...[...o.authority.intermediates].reverse().map((c) => c.cert)]
    : roots
  const bundle = Buffer.from(toPemBundle(bundleCerts))
  const leaf = readCertificates(certPem, 'new chain')[0]
  const byRole: Record<FileRole, SetFile> = o.names.combined
    ? {
        cert: {name: o.names.cert, data: Buffer.concat([keyBytes, certPem]), mode: 0o600, roles: ['cert', 'key']},
        key: {name: o.names.cert, data: Buffer.alloc(0), mode: 0o600, roles: []},
        bundle: {name: o.names.bundle, data: bundle, mode: o.knobs.certMode, roles: ['bundle']},
      }
    : {
        cert: {name: o.names.cert, data: certPem, mode: o.knobs.certMode, roles: ['cert']},
        key: {name: o.names.key, data: keyBytes, mode: o.knobs.keyMode, roles: ['key']},
        bundle: {name: o.names.bundle, data: bundle, mode: o.knobs.certMode, roles: ['bundle']},
      }
  const bundleAlone = o.bundleOnly !== undefined && !WHOLE_SET_WRITERS.has(o.bundleOnly)
  const files = o.knobs.order
    .map((r) => byRole[r])
    .filter((f) => f.roles.length > 0 && (!bundleAlone || f.roles.includes('bundle')))
  const certFile = byRole.cert.data
  const keyFile = o.names.combined ? certFile : byRole.key.data
  const changes = new Set<FileRole>()
  if (!now.cert || !now.cert.equals(certFile)) changes.add('cert')
  if (!now.key || !now.key.equals(keyFile)) changes.add('key')
  if (!now.bundle || !now.bundle.equals(bundle)) changes.add('bundle')
  return {
    files,
    changes,
    serial: leaf.serial,
    spiffeId: leaf.san?.uris[0] ?? '',
    notBefore: formatInstant(leaf.notBefore),
    notAfter: formatInstant(leaf.notAfter),
    sha256: {cert: sha256(certFile), key: sha256(keyFile), bundle: sha256(bundle)},
    warnings,
  }
}

function idOnDisk(cert: Buffer | undefined, path: string): string {
  if (!cert) throw usageError(`"${path}" does not exist yet: give --spiffe-id for the first rotation`)
  try {
    const uri = readCertificates(cert, path)[0].san?.uris[0]
    if (uri) return uri
  } catch (err) {
    throw new SvidkitError('pem-invalid', `cannot read the current SVID "${path}" to keep its SPIFFE ID`, {
      cause: err,
      hint: 'give --spiffe-id',
    })
  }
  throw usageError(`the current SVID "${path}" has no URI SAN: give --spiffe-id`)
}
