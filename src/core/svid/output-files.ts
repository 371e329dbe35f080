import {join} from 'node:path'
import {seededBytes} from '../x509/seeded.js'
import type {FileToWrite} from '../fs/atomic-write.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {K8S_SECRET_FILE, k8sSecretYaml} from './k8s-secret.js'
import {fileNames, type LayoutName} from '../fs/layout.js'
import {PKCS12_FILE} from './output-target.js'
import {pkcs12Der} from './pkcs12.js'
import type {X509Svid} from './svid.js'
import {bundlePem, chainPem, keyPem, svidFiles, svidPaths} from './write.js'

/** How `issue` writes an SVID: a directory layout, a Kubernetes Secret manifest, or PKCS#12 beside the bundle. */
export type OutputSpec =
  | {kind: 'layout'; layout: LayoutName; names: ReturnType<typeof fileNames>}
  | {kind: 'k8s-secret'; secretName: (spiffeId: string) => string}
  | {kind: 'pkcs12'; password: string; bundle: string}

/** Returns the file names an output writes into its directory. */
export function outputNames(o: OutputSpec): string[] {
  if (o.kind === 'layout') return [...new Set([o.names.cert, o.names.key, o.names.bundle])]
  if (o.kind === 'k8s-secret') return [K8S_SECRET_FILE]
  return [PKCS12_FILE, o.bundle]
}

/** Returns the files of one SVID in this output, and their paths by role (docs/errors.md `files`). */
export function outputFiles(
  o: OutputSpec,
  dir: string,
  svid: X509Svid,
  bundle: ParsedCertificate[],
  /** Seed of the run (`--seed`): PKCS#12 salts and IVs come from it. */
  seed?: string,
): {files: FileToWrite[]; paths: {cert: string; key?: string; bundle: string}} {
  if (o.kind === 'layout') {
    const paths = svidPaths(dir, svid, o.names)
    return {files: svidFiles(paths, svid, bundle, o.names), paths}
  }
  if (o.kind === 'k8s-secret') {
    const path = join(dir, K8S_SECRET_FILE)
    const data = k8sSecretYaml({
      name: o.secretName(svid.id.toString()),
      chainPem: chainPem(svid.certificates),
      keyPem: keyPem(svid),
      bundlePem: bundlePem(bundle),
    })
    return {files: [{path, data, mode: 0o600}], paths: {cert: path, key: path, bundle: path}}
  }
  const p12 = join(dir, PKCS12_FILE)
  const b = join(dir, o.bundle)
  if (!svid.privateKey) throw new Error('pkcs12 output needs the private key')
  const der = pkcs12Der({
    privateKey: svid.privateKey,
    certificates: svid.certificates.map((c) => c.der),
    password: o.password,
    friendlyName: svid.id.toString(),
    ...(seed === undefined ? {} : {random: (purpose: string, n: number) => seededBytes(seed, `pkcs12:${purpose}`, n)}),
  })
  return {
    files: [
      {path: p12, data: der, mode: 0o600},
      {path: b, data: bundlePem(bundle), mode: 0o644},
    ],
    paths: {cert: p12, key: p12, bundle: b},
  }
}
