import {existsSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {SvidkitError} from '../errors.js'
import {TrustDomain} from '../spiffe-id/index.js'
import {toJwks, toPemBundle} from '../bundle/index.js'
import type {FileToWrite} from '../fs/atomic-write.js'
import {readInput} from '../fs/read-input.js'
import {readCertificates} from '../x509/read.js'
import {readPrivateKey, keyMatches} from '../x509/keys.js'
import {KEY_TYPES, type KeyType} from '../x509/key-type.js'
import {jwkThumbprint, jwtBundleEntry} from '../jwt/jwt-key.js'
import {bundleAuthorities, type Authority, type CaCredential} from './authority.js'
import {caPath, checkCaTarget, recoverCaSwap, swapCaDir, swapCaDirAsync, type CaWriteOptions} from './swap.js'

/** Name of the metadata file of a CA directory. */
export const CA_METADATA = 'ca.json'
export const CA_BUNDLE_PEM = 'bundle.pem'
export const CA_BUNDLE_JWKS = 'bundle.spiffe.json'

/** The metadata file of a CA directory (docs/design.md "ca init", layout). */
interface CaMetadata {
  version: 1
  trustDomain: string
  keyType: KeyType
  nameConstraints: boolean
  sequence: number
  generation: number
  /** Roots in the bundle; the first is active. */
  roots: {cert: string; key: string}[]
  /** Intermediates from the root's child down to the CA that signs leaves. */
  intermediates: {cert: string; key: string}[]
  /** The chain order as it goes into an SVID file: signing CA first (informational). */
  signingChain: string[]
  /** The JWT authority key file and its kid (absent in CAs made before JWT-SVID support). */
  jwt?: {key: string; kid: string}
}

function metadataOf(a: Authority): CaMetadata {
  return {
    version: 1,
    trustDomain: a.trustDomain.name,
    keyType: a.keyType,
    nameConstraints: a.nameConstraints,
    sequence: a.sequence,
    generation: a.generation,
    roots: a.roots.map((c) => ({cert: c.certFile, key: c.keyFile})),
    intermediates: a.intermediates.map((c) => ({cert: c.certFile, key: c.keyFile})),
    signingChain: [...a.intermediates]
      .reverse()
      .map((c) => c.certFile)
      .concat(a.roots[0].certFile),
    ...(a.jwt ? {jwt: {key: a.jwt.keyFile, kid: a.jwt.kid}} : {}),
  }
}

/** Returns true when the credential's key is at hand (an offline key reads as absent). */
function hasKey(c: CaCredential): boolean {
  try {
    return c.key !== undefined
  } catch {
    return false
  }
}

/** Returns the files of a CA directory: metadata, bundles, certificates (0644) and keys (0600). */
function authorityToFiles(dir: string, a: Authority): FileToWrite[] {
  const files: FileToWrite[] = []
  for (const c of [...a.roots, ...a.intermediates]) {
    files.push({path: join(dir, c.certFile), data: c.cert.node.toString(), mode: 0o644})
    if (!hasKey(c)) continue // an offline CA key (the root, or a CA above an imported signing CA) stays elsewhere
    files.push({
      path: join(dir, c.keyFile),
      data: c.key.export({format: 'pem', type: 'pkcs8'}).toString(),
      mode: 0o600,
    })
  }
  if (a.jwt)
    files.push({
      path: join(dir, a.jwt.keyFile),
      data: a.jwt.key.export({format: 'pem', type: 'pkcs8'}).toString(),
      mode: 0o600,
    })
  const roots = bundleAuthorities(a)
  const jwtAuthorities = a.jwt ? [jwtBundleEntry(a.jwt)] : []
  files.push({path: join(dir, CA_BUNDLE_PEM), data: toPemBundle(roots), mode: 0o644})
  files.push({
    path: join(dir, CA_BUNDLE_JWKS),
    data: toJwks(roots, {sequence: a.sequence, jwtAuthorities}),
    mode: 0o644,
  })
  // Metadata last: a directory with ca.json is complete.
  files.push({path: join(dir, CA_METADATA), data: JSON.stringify(metadataOf(a), null, 2) + '\n', mode: 0o644})
  return files
}

/**
 * Writes the authority to `dir` as one unit (docs/security.md): the whole CA is written
 * into a staging directory beside it and swapped in by renames, so a crash leaves the old
 * CA or the new one, never a mix. Refuses (exit 3, `output-exists`) a directory that
 * already holds files unless `force`, and even with `force` one holding files that are not
 * part of a CA. Returns the paths written.
 */
export function saveAuthority(dir: string, a: Authority, opts: {force?: boolean} & CaWriteOptions = {}): string[] {
  const files = checkedFiles(dir, a, opts)
  swapCaDir(dir, files, opts)
  return files.map((f) => f.path)
}

/** saveAuthority for an async caller (`ca init`): the files are fsynced at once. */
export async function saveAuthorityAsync(
  dir: string,
  a: Authority,
  opts: {force?: boolean} & CaWriteOptions = {},
): Promise<string[]> {
  const files = checkedFiles(dir, a, opts)
  await swapCaDirAsync(dir, files, opts)
  return files.map((f) => f.path)
}

/** The files of the authority, once an interrupted swap is finished and the target may be written. */
function checkedFiles(dir: string, a: Authority, opts: {force?: boolean}): FileToWrite[] {
  recoverCaSwap(dir)
  checkCaTarget(dir, opts.force ?? false)
  return authorityToFiles(dir, a)
}

function caInvalid(dir: string, why: string): SvidkitError {
  return new SvidkitError('ca-invalid', `"${dir}" is not a usable CA directory: ${why}`, {path: dir})
}

function parseMetadata(dir: string): CaMetadata {
  const path = join(dir, CA_METADATA)
  let raw: unknown
  // Bounded, regular file only; unreadable is its own error (permission-denied, not-a-regular-file).
  const text = readInput(path, 'ca-invalid').toString('utf8')
  try {
    raw = JSON.parse(text)
  } catch {
    throw caInvalid(dir, `${CA_METADATA} is not valid JSON`)
  }
  const m = raw as Partial<CaMetadata>
  const isRefList = (v: unknown): v is {cert: string; key: string}[] =>
    Array.isArray(v) &&
    v.every(
      (x) => typeof x?.cert === 'string' && typeof x?.key === 'string' && !x.cert.includes('/') && !x.key.includes('/'),
    )
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.trustDomain !== 'string' ||
    !KEY_TYPES.includes(m.keyType as KeyType) ||
    !isRefList(m.roots) ||
    m.roots.length === 0 ||
    !isRefList(m.intermediates)
  ) {
    throw caInvalid(dir, `${CA_METADATA} lacks trustDomain, keyType, roots or intermediates`)
  }
  return {
    version: 1,
    trustDomain: m.trustDomain,
    keyType: m.keyType as KeyType,
    nameConstraints: m.nameConstraints !== false,
    sequence: Number.isSafeInteger(m.sequence) ? (m.sequence as number) : 1,
    generation: Number.isSafeInteger(m.generation) ? (m.generation as number) : 1,
    roots: m.roots,
    intermediates: m.intermediates,
    signingChain: m.signingChain ?? [],
    ...(isJwtRef(m.jwt) ? {jwt: m.jwt} : {}),
  }
}

function isJwtRef(v: unknown): v is {key: string; kid: string} {
  const r = v as {key?: unknown; kid?: unknown} | undefined
  return typeof r?.key === 'string' && typeof r.kid === 'string' && !r.key.includes('/')
}

/** Returns the JWT authority of a CA directory; its kid must be the key's thumbprint. */
function loadJwtCredential(dir: string, ref: {key: string; kid: string}): NonNullable<Authority['jwt']> {
  const keyPath = join(dir, ref.key)
  const key = readPrivateKey(readInput(keyPath, 'key-invalid'), keyPath).keyObject
  if (jwkThumbprint(key) !== ref.kid) throw caInvalid(dir, `the kid in ${CA_METADATA} does not belong to "${ref.key}"`)
  return {key, kid: ref.kid, keyFile: ref.key}
}

function loadCredential(dir: string, ref: {cert: string; key: string}): CaCredential {
  const certPath = join(dir, ref.cert)
  const keyPath = join(dir, ref.key)
  const certs = readCertificates(readInput(certPath, 'pem-invalid'), certPath)
  const key = readPrivateKey(readInput(keyPath, 'key-invalid'), keyPath)
  if (!keyMatches(key.keyObject, certs[0].node)) {
    throw new SvidkitError('key-mismatch', `"${keyPath}" does not belong to "${certPath}"`, {
      exit: 3,
      path: keyPath,
      hint: 'the CA directory was edited by hand or half-replaced; recreate it with "svidkit ca init --force"',
    })
  }
  return {cert: certs[0], key: key.keyObject, certFile: ref.cert, keyFile: ref.key}
}

/**
 * Returns a root credential whose key file is absent: the certificate is loaded, and the
 * key is read only when something signs with the root (rotation), failing then with a
 * message that names the missing file.
 */
function offlineRoot(dir: string, ref: {cert: string; key: string}): CaCredential {
  const certPath = join(dir, ref.cert)
  const cert = readCertificates(readInput(certPath, 'pem-invalid'), certPath)[0]
  const cred = {cert, certFile: ref.cert, keyFile: ref.key} as CaCredential
  let key: CaCredential['key'] | undefined
  Object.defineProperty(cred, 'key', {
    enumerable: true,
    get: () => {
      if (!key) {
        if (!existsSync(join(dir, ref.key))) {
          throw new SvidkitError(
            'file-not-found',
            `the ${ref.cert.startsWith('root') ? 'root' : 'CA'} key "${join(dir, ref.key)}" is offline (absent)`,
            {
              path: join(dir, ref.key),
              hint: 'issuing needs only the intermediate key; put the root key back to rotate or to re-certify CAs',
            },
          )
        }
        key = loadCredential(dir, ref).key
      }
      return key
    },
  })
  return cred
}

/**
 * Returns the authority stored in `dir` by `saveAuthority`. A missing directory or
 * metadata file is `file-not-found`; unreadable parts give their own codes (`pem-invalid`,
 * `key-invalid`) and a key that does not match its certificate is refused (exit 3).
 */
export function loadAuthority(dir: string): Authority {
  caPath(dir)
  if (!existsSync(dir)) recoverCaSwap(dir)
  if (!existsSync(dir)) {
    throw new SvidkitError('file-not-found', `CA directory "${dir}" does not exist`, {
      path: dir,
      hint: 'create one with "svidkit ca init --trust-domain <td> --out <dir>", or point --ca at it',
    })
  }
  if (!statSync(dir).isDirectory()) {
    throw new SvidkitError('not-a-directory', `--ca "${dir}" is a file, not a directory`, {
      path: dir,
      hint: 'point --ca at the CA directory (the one holding ca.json), not at a file in it',
    })
  }
  if (!existsSync(join(dir, CA_METADATA))) {
    throw new SvidkitError('file-not-found', `"${dir}" is not a CA directory: it has no ${CA_METADATA}`, {
      path: dir,
      hint: 'point --ca at a directory made by "svidkit ca init"',
    })
  }
  const m = parseMetadata(dir)
  let td: TrustDomain
  try {
    td = TrustDomain.parse(m.trustDomain)
  } catch {
    throw caInvalid(dir, `trust domain "${m.trustDomain}" in ${CA_METADATA} is invalid`)
  }
  // An offline root (its key kept elsewhere, as in real deployments) is fine when an intermediate signs leaves.
  const roots = m.roots.map((r) =>
    m.intermediates.length > 0 && !existsSync(join(dir, r.key)) ? offlineRoot(dir, r) : loadCredential(dir, r),
  )
  // So is any intermediate above the one that signs leaves (a CA brought in by "ca import" with only its signing key).
  const intermediates = m.intermediates.map((r, i) =>
    i < m.intermediates.length - 1 && !existsSync(join(dir, r.key)) ? offlineRoot(dir, r) : loadCredential(dir, r),
  )
  // The signing chain must link: each intermediate signed by the one above it, the first by the active root.
  intermediates.forEach((c, i) => {
    const parent = i === 0 ? roots[0] : intermediates[i - 1]
    if (!c.cert.node.verify(parent.cert.node.publicKey)) {
      throw caInvalid(dir, `"${c.certFile}" is not signed by "${parent.certFile}" (the files come from different CAs)`)
    }
  })
  const jwt = m.jwt ? {jwt: loadJwtCredential(dir, m.jwt)} : {}
  return {
    trustDomain: td,
    keyType: m.keyType,
    nameConstraints: m.nameConstraints,
    sequence: m.sequence,
    generation: m.generation,
    roots,
    intermediates,
    ...jwt,
  }
}
