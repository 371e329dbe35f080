import {join} from 'node:path'
import {toPemBundle} from '../bundle/index.js'
import {ensureDir, writeFilesAtomic, type FileToWrite} from '../fs/atomic-write.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {toPem} from '../x509/pem.js'
import type {SvidFileNames} from '../fs/layout.js'
import {hasPrivateKey, svidKeyPkcs8, type X509Svid} from './svid.js'

/** PEM of the CA certificates, which every SVID of a bulk run repeats (its chain and bundle). */
const caPems = new WeakMap<ParsedCertificate, string>()

function certPem(c: ParsedCertificate, leaf: boolean): string {
  if (leaf) return toPem('CERTIFICATE', c.der)
  let pem = caPems.get(c)
  if (pem === undefined) caPems.set(c, (pem = toPem('CERTIFICATE', c.der)))
  return pem
}

/** Returns the PEM of the chain file: leaf, then intermediates (never the root). */
export function chainPem(certs: ParsedCertificate[]): string {
  return certs.map((c, i) => certPem(c, i === 0)).join('')
}

const bundlePems = new WeakMap<ParsedCertificate, {certs: readonly ParsedCertificate[]; pem: string}>()

/** Returns the PEM of the bundle file, encoded once per set of CA certificates. */
export function bundlePem(certs: readonly ParsedCertificate[]): string {
  const hit = certs.length > 0 ? bundlePems.get(certs[0]) : undefined
  if (hit && hit.certs.length === certs.length && hit.certs.every((c, i) => c === certs[i])) return hit.pem
  const pem = toPemBundle(certs)
  if (certs.length > 0) bundlePems.set(certs[0], {certs: [...certs], pem})
  return pem
}

/** Returns the PKCS#8 PEM of the SVID's key ('' when issued for a CSR). */
export function keyPem(svid: X509Svid): string {
  const der = svidKeyPkcs8(svid)
  return der ? toPem('PRIVATE KEY', der) : ''
}

/** Returns the paths of an SVID directory's files by role (the key's only when the SVID has a key). */
export function svidPaths(
  dir: string,
  svid: X509Svid,
  names: SvidFileNames,
): {cert: string; key?: string; bundle: string} {
  return {
    cert: join(dir, names.cert),
    ...(hasPrivateKey(svid) ? {key: join(dir, names.key)} : {}),
    bundle: join(dir, names.bundle),
  }
}

/**
 * Returns the files of an SVID directory in a layout, at `paths` (svidPaths): chain (0644),
 * key (PKCS#8, 0600), bundle (0644); a credential bundle is key then chain in one file (0600).
 */
export function svidFiles(
  paths: ReturnType<typeof svidPaths>,
  svid: X509Svid,
  bundle: ParsedCertificate[],
  names: SvidFileNames,
): FileToWrite[] {
  const files: FileToWrite[] = []
  if (names.combined) {
    files.push({path: paths.cert, data: keyPem(svid) + chainPem(svid.certificates), mode: 0o600})
  } else {
    files.push({path: paths.cert, data: chainPem(svid.certificates), mode: 0o644})
    if (paths.key !== undefined) files.push({path: paths.key, data: keyPem(svid), mode: 0o600})
  }
  files.push({path: paths.bundle, data: bundlePem(bundle), mode: 0o644})
  return files
}

/**
 * Writes an SVID directory with temporary files and renames, so no file is ever torn and
 * the key is 0600 even when a key file existed before with another mode. Returns the
 * paths written, by role.
 */
export function writeSvidDir(
  dir: string,
  svid: X509Svid,
  bundle: ParsedCertificate[],
  names: SvidFileNames,
): {cert: string; key?: string; bundle: string} {
  ensureDir(dir)
  const paths = svidPaths(dir, svid, names)
  writeFilesAtomic(svidFiles(paths, svid, bundle, names))
  return paths
}
