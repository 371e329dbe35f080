import {lstatSync} from 'node:fs'
import {join} from 'node:path'
import {systemClock, type Clock} from '../clock.js'
import {usageError} from '../errors.js'
import {parseSpiffeIdArg, parseTrustDomainArg, SpiffeId} from '../spiffe-id/index.js'
import {bindBundles, loadBundleSpecs, parseBundleBytes} from '../bundle/index.js'
import {readSvidInput} from '../container/svid-input.js'
import {inputName, readInput} from '../fs/read-input.js'
import {readCertificates} from '../x509/read.js'
import {readPrivateKey, type PrivateKeyMaterial} from '../x509/keys.js'
import {hasPemArmour} from '../x509/pem.js'
import {resolveLayout, singleFileOutput, type LayoutName} from '../fs/layout.js'
import {verifySvid} from './verify.js'
import type {VerifyResult} from './result.js'

/** Options of `verifyFiles`: paths and flags as the `verify` command takes them. */
export interface VerifyFilesOptions {
  /** Chain file (leaf first; PEM or DER; may also hold the key). */
  file?: string
  /** SVID directory instead of `file`: chain, key and bundle are read from it. */
  dir?: string
  /** Layout of `dir`. Default: detected from the files present (`resolveLayout`). */
  layout?: LayoutName
  /** File-name overrides for `dir`. */
  names?: {cert?: string; key?: string; bundle?: string}
  /** Private key file; default: the directory's key, or a key block inside `file`. */
  key?: string
  /** `--bundle [TD=]FILE` values; default with `dir`: the directory's bundle file. */
  bundles?: string[]
  /** Accepted SPIFFE IDs (`--expect-id`, any one). */
  expectIds?: string[]
  /** Required trust domain. */
  expectTrustDomain?: string
  /** Evaluation time. Default now. */
  at?: Date
  /** Most certificates on a certification path, leaf included. Default 10. */
  maxDepth?: number
  /** True when `at` was chosen by the user (`--at`): messages speak of the evaluation time. Default false. */
  atGiven?: boolean
  /** go-spiffe-strict bundles and the EKU rule. Default false. */
  strict?: boolean
  /** Password of a PKCS#12 `file` (`--p12-password-file`); without it such a file throws `passwordNeeded`. */
  p12Password?: string
  /** Password of an encrypted PKCS#8 key (`--key-password-file`). */
  keyPassword?: string
  /** Which Secret of a manifest `file` holding several (`--secret-name`). */
  secretName?: string
  clock?: Clock
}

function leafTrustDomain(uris: string[] | undefined): string | undefined {
  if (uris?.length !== 1) return undefined
  try {
    return SpiffeId.parse(uris[0]).trustDomain.name
  } catch {
    return undefined
  }
}

/**
 * Returns the verification result for SVID files (X509-SVID §5). Read problems
 * throw (exit 3), binding problems throw usage errors (exit 2); a rejected SVID is a
 * result with `valid: false` (exit 4 in the command).
 */
export function verifyFiles(o: VerifyFilesOptions): VerifyResult {
  if (o.file && o.dir) throw usageError('give an SVID file or --dir, not both')
  if (!o.file && !o.dir)
    throw usageError(
      'give an SVID file to verify, or --dir DIR',
      'svidkit verify svid.pem --bundle example.org=bundle.pem',
    )
  const expectIds = (o.expectIds ?? []).map(parseSpiffeIdArg)
  const expectTd = o.expectTrustDomain === undefined ? undefined : parseTrustDomainArg(o.expectTrustDomain)
  let chainPath = o.file as string
  let keyPath = o.key
  let bundles = o.bundles ?? []
  const notes: string[] = []
  // An issue --format pkcs12 or --layout k8s-secret directory: its one file, read as a file argument is.
  const single = o.dir !== undefined && o.layout === undefined ? singleFileOutput(o.dir) : undefined
  if (single) {
    chainPath = single.file
    if (bundles.length === 0 && single.bundle) bundles = [single.bundle]
  } else if (o.dir) {
    const {names} = resolveLayout(o.dir, {
      layout: o.layout,
      names: o.names,
      notDirectoryHint: `--dir takes the SVID directory; to verify this file give it as the argument: svidkit verify ${o.dir} --bundle FILE`,
    })
    chainPath = join(o.dir, names.cert)
    // An issue --csr directory holds no key (it stays with whoever made the CSR): verified without it, and said so.
    if (keyPath === undefined && !names.combined && !lstatSync(join(o.dir, names.key), {throwIfNoEntry: false})) {
      notes.push(`no key file "${join(o.dir, names.key)}" (an issue --csr directory?): verified without the key check`)
    } else keyPath ??= join(o.dir, names.key)
    // The directory's bundle is part of the SVID set: missing, it is a missing input (exit 3).
    if (bundles.length === 0) bundles = [join(o.dir, names.bundle)]
  }
  // A PKCS#12 file or a Secret manifest holds the key (and a Secret the bundle) beside the chain.
  const input = readSvidInput(readInput(chainPath, 'pem-invalid'), inputName(chainPath), o)
  const chainBytes = input.chain
  const chain = readCertificates(chainBytes, input.chainSource)
  const password = {password: o.keyPassword}
  let key: PrivateKeyMaterial | undefined
  if (keyPath !== undefined) key = readPrivateKey(readInput(keyPath, 'key-invalid'), inputName(keyPath), password)
  else if (input.key) key = input.key
  else if (
    hasPemArmour(chainBytes.toString('latin1')) &&
    /-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----/.test(chainBytes.toString('latin1'))
  ) {
    key = readPrivateKey(chainBytes, input.chainSource, password)
  }
  const expectedTds = new Set(expectIds.map((i) => i.trustDomain.name))
  const ctx = {
    expectedTrustDomain: expectTd?.name ?? (expectedTds.size === 1 ? [...expectedTds][0] : undefined),
    leafTrustDomain: leafTrustDomain(chain[0].san?.uris),
    strict: o.strict,
  }
  const bundleSet =
    bundles.length === 0 && input.bundle
      ? bindBundles(
          [
            {
              path: input.bundle.source,
              file: parseBundleBytes(input.bundle.bytes, input.bundle.source, {strict: o.strict}),
            },
          ],
          ctx,
        )
      : loadBundleSpecs(bundles, ctx)
  return verifySvid({
    chain,
    key: key?.keyObject,
    bundles: bundleSet,
    at: o.at ?? (o.clock ?? systemClock).now(),
    atGiven: o.atGiven,
    maxDepth: o.maxDepth,
    expectIds,
    expectTrustDomain: expectTd,
    strict: o.strict,
    warnings: [...notes, ...(key?.warnings ?? [])],
  })
}
