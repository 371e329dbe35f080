import {readlinkSync, statSync} from 'node:fs'
import {readInput} from '../fs/read-input.js'
import {createHash, type KeyObject} from 'node:crypto'
import {join} from 'node:path'
import {SvidkitError, isSvidkitError, type ReasonCode} from '../errors.js'
import {SpiffeId} from '../spiffe-id/index.js'
import {parsePemBundle, authorityTrustDomains} from '../bundle/index.js'
import {readCertificates} from '../x509/read.js'
import {keyMatches, readPrivateKey} from '../x509/keys.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import type {SvidFileNames} from '../fs/layout.js'
import {singleBundleSet} from '../bundle/single-set.js'
import {verifySvid} from '../verify/verify.js'
import {sleep} from '../time/sleep.js'

/** The raw bytes of a set as read from disk. */
export interface RawSet {
  cert: Buffer
  key: Buffer
  bundle?: Buffer
  /** `..data` target before and after the reads (kubelet layouts). */
  dataLink?: string
}

/** A validated (cert, key, bundle) set. */
export interface LoadedSet {
  chain: ParsedCertificate[]
  key: KeyObject
  bundle: ParsedCertificate[]
  spiffeId: string
  serial: string
  notBefore: Date
  notAfter: Date
  raw: RawSet
  sha256: {cert: string; key: string; bundle: string}
  hash: string
}

/** Why a read or validation failed. */
interface Invalid {
  code: ReasonCode | string
  message: string
}

function sha(b: Buffer | undefined): string {
  return createHash('sha256')
    .update(b ?? Buffer.alloc(0))
    .digest('hex')
}

function readlinkOrUndefined(p: string): string | undefined {
  try {
    return readlinkSync(p)
  } catch {
    return undefined
  }
}

// Bounded, regular files only (a FIFO or device planted in the directory cannot stall or flood the consumer).
function readFile(path: string, code: ReasonCode): Buffer {
  try {
    return readInput(path, code)
  } catch (err) {
    if (isSvidkitError(err) && err.code === 'file-not-found') {
      throw new SvidkitError('file-not-found', `no such file "${path}" (a writer may be replacing it)`, {path})
    }
    throw err
  }
}

/**
 * Returns the bytes of the set: C, K and B (or the credential bundle and B), C then K
 * `readGapMs` apart. For a kubelet layout `..data` is read before and after, and the set
 * is re-read when it moved in between (docs/rotation.md "Consumers", reference).
 */
export async function readSet(
  dir: string,
  names: SvidFileNames,
  o: {readGapMs?: number; withBundle?: boolean; stableDataLink?: boolean} = {},
): Promise<RawSet> {
  // Naive consumers read once, straddling swaps and all (R11): only the reference one re-reads.
  const attempts = o.stableDataLink === false ? 1 : 3
  for (let attempt = 0; attempt < attempts; attempt++) {
    const before = readlinkOrUndefined(join(dir, '..data'))
    const cert = readFile(join(dir, names.cert), 'pem-invalid')
    if (o.readGapMs) await sleep(o.readGapMs)
    const key = names.combined ? cert : readFile(join(dir, names.key), 'key-invalid')
    const bundle = o.withBundle === false ? undefined : readFile(join(dir, names.bundle), 'bundle-invalid')
    const after = readlinkOrUndefined(join(dir, '..data'))
    if (before === after || attempts === 1) return {cert, key, bundle, dataLink: after}
  }
  throw new SvidkitError('key-mismatch', `"${dir}/..data" kept moving while the set was read`)
}

/** Returns the hashes of a raw set (cert, key and bundle file bytes, as `rotate` reports them). */
export function setHashes(raw: RawSet): {cert: string; key: string; bundle: string} {
  return {cert: sha(raw.cert), key: sha(raw.key), bundle: sha(raw.bundle)}
}

/** Returns one hash over the whole set, for skipping no-op reloads. */
function setHash(raw: RawSet): string {
  return sha(Buffer.concat([raw.cert, Buffer.from([0]), raw.key, Buffer.from([0]), raw.bundle ?? Buffer.alloc(0)]))
}

/** Returns the failure as an observation (code and message). */
export function toInvalid(err: unknown): Invalid {
  if (isSvidkitError(err)) return {code: err.code, message: err.message}
  return {code: 'error', message: (err as Error).message}
}

/**
 * Returns the set validated the way `verify` does (docs/rotation.md "Consumers", reference): chain and
 * key parse, the key matches the leaf, the chain verifies against B (authorities of the
 * leaf's trust domain only), now is within validity, and the SPIFFE rules hold. Throws
 * an Invalid-shaped SvidkitError otherwise.
 */
export function validateSet(raw: RawSet, o: {at: Date; expectIds?: SpiffeId[]; checkBundle?: boolean}): LoadedSet {
  const chain = readCertificates(raw.cert, 'certificate file')
  const key = readPrivateKey(raw.key, 'key file').keyObject
  if (!keyMatches(key, chain[0].node))
    throw new SvidkitError('key-mismatch', 'leaf certificate does not match private key')
  const id = SpiffeId.parse(chain[0].san?.uris[0] ?? '')
  let bundle: ParsedCertificate[] = []
  if (o.checkBundle !== false) {
    // An empty bundle file is a valid "trust nothing" bundle on its own, but to a consumer it is
    // nearly always a bundle being rewritten in place (R2): never swap to an empty trust.
    if (!raw.bundle || raw.bundle.toString('latin1').trim() === '') {
      throw new SvidkitError('bundle-invalid', 'the bundle file is empty (a writer may be rewriting it)')
    }
    const b = parsePemBundle(raw.bundle, 'bundle file')
    // Never pool: only authorities of the leaf's trust domain, or naming none.
    bundle = b.authorities.filter((a) => {
      const tds = authorityTrustDomains({authorities: [a]}).trustDomains
      return tds.length === 0 || tds.includes(id.trustDomain.name)
    })
    const result = verifySvid({
      chain,
      key,
      bundles: singleBundleSet(id.trustDomain.name, bundle),
      at: o.at,
      expectIds: o.expectIds,
    })
    if (!result.valid) throw new SvidkitError(result.errors[0].code, result.errors[0].message)
  }
  const leaf = chain[0]
  return {
    chain,
    key,
    bundle,
    spiffeId: id.toString(),
    serial: leaf.serial,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    raw,
    sha256: setHashes(raw),
    hash: setHash(raw),
  }
}

/** Returns the newest mtime (ms) among the set's files, following symlinks. */
export function newestMtime(dir: string, names: SvidFileNames): number {
  let m = 0
  for (const n of [names.cert, names.key, names.bundle]) {
    try {
      m = Math.max(m, statSync(join(dir, n)).mtimeMs)
    } catch {
      // absent
    }
  }
  return m
}
