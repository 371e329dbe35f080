import {parseBundleBytes} from '../bundle/index.js'
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {inputName, readInput} from '../fs/read-input.js'
import {SvidkitError, isSvidkitError} from '../errors.js'
import {readCertificates} from '../x509/read.js'
import {keyMatches, readPrivateKey} from '../x509/keys.js'
import {csrDer, readCsrDer} from '../x509/csr.js'
import {containerKind, readSvidInput, type SvidInputOptions} from '../container/svid-input.js'
import {parseK8sSecrets} from '../container/k8s-secret-read.js'
import {hasPemArmour, parsePemBlocks} from '../x509/pem.js'
import {certificatePem, type ParsedCertificate} from '../x509/certificate.js'
import {certificateSummary, guessRole, type CertificateSummary} from '../x509/summary.js'
import {checkSvid} from '../verify/svid-checks.js'
import {Report, type Check, type Failure} from '../verify/result.js'
import {formatDuration} from '../time/duration.js'
import {checkCaProfile} from './ca-checks.js'

/** A certificate as `inspect` shows it: its summary, the rules it breaks and its checks. */
export interface InspectedCertificate extends CertificateSummary {
  /** The certificate itself, PEM (for `--format pem`). */
  pem: string
  violations: Failure[]
  warnings: string[]
  checks: Check[]
}

/** What one input file holds. */
export interface InspectedFile {
  path: string
  kind:
    'chain' | 'certificate' | 'bundle' | 'bundle-map' | 'key' | 'credential-bundle' | 'pkcs12' | 'k8s-secret' | 'csr'
  certificates: InspectedCertificate[]
  keys: {keyType: string; format: string; matchesCertificate: number | null; warnings: string[]}[]
  bundle?: {format: string; sequence: number | null; refreshHint: number | null; warnings: string[]}
  trustDomains?: {trustDomain: string; certificates: InspectedCertificate[]}[]
  /** A certificate signing request (`kind: 'csr'`): what it asks for; `issue --csr` certifies only its key. */
  csr?: {subject: string; sans: string[]; keyType: string; signature: 'valid' | 'invalid' | 'unchecked'}
  /** A PKCS#12 file: how it is protected. */
  protection?: string
  /** A Secret manifest: each entry of each Secret (`tls.crt`, `tls.key`, `ca.crt`), inspected as a file of its own. */
  parts?: InspectedFile[]
  warnings: string[]
}

/** Passwords and choices for container inputs (PKCS#12, encrypted keys). */
export type InspectOptions = Pick<SvidInputOptions, 'p12Password' | 'keyPassword'>

function inspectCertificate(
  c: ParsedCertificate,
  chain: ParsedCertificate[] | undefined,
  at: Date,
  role?: CertificateSummary['role'],
): InspectedCertificate {
  const r = new Report()
  const summary = certificateSummary(c, {role: role ?? guessRole(c), source: 'file', at})
  if (summary.role === 'leaf') checkSvid(chain ?? [c], undefined, r)
  else checkCaProfile(c, r)
  const t = at.getTime()
  if (t > c.notAfter.getTime()) r.warn('validity', `expired ${formatDuration(t - c.notAfter.getTime())} ago`)
  else if (t < c.notBefore.getTime())
    r.warn('validity', `not valid for another ${formatDuration(c.notBefore.getTime() - t)}`)
  else r.pass('validity', `valid for another ${formatDuration(Math.round((c.notAfter.getTime() - t) / 1000) * 1000)}`)
  return {...summary, pem: certificatePem(c), violations: r.sortedErrors(), warnings: r.warnings, checks: r.checks}
}

function inspectBundleFile(path: string, bytes: Buffer, at: Date): InspectedFile {
  const file = parseBundleBytes(bytes, path)
  if (file.kind === 'map') {
    return {
      path,
      kind: 'bundle-map',
      certificates: [],
      keys: [],
      trustDomains: [...file.bundles.entries()].map(([td, b]) => ({
        trustDomain: td,
        certificates: b.authorities.map((c) => inspectCertificate(c, undefined, at, 'root')),
      })),
      warnings: [...file.bundles.values()].flatMap((b) => b.warnings),
    }
  }
  const b = file.bundle
  return {
    path,
    kind: 'bundle',
    certificates: b.authorities.map((c) => inspectCertificate(c, undefined, at, 'root')),
    keys: [],
    bundle: {format: b.format, sequence: b.sequence ?? null, refreshHint: b.refreshHint ?? null, warnings: b.warnings},
    warnings: b.warnings,
  }
}

function inspectPkcs12(path: string, bytes: Buffer, at: Date, o: InspectOptions): InspectedFile {
  const input = readSvidInput(bytes, path, o)
  // Shown as the credential bundle it amounts to: the chain, then the key (never printed).
  const keyPem = input.key ? input.key.keyObject.export({format: 'pem', type: 'pkcs8'}).toString() : ''
  return {
    ...inspectPemOrDer(path, Buffer.concat([input.chain, Buffer.from(keyPem)]), at),
    kind: 'pkcs12',
    protection: input.protection,
  }
}

function inspectSecrets(path: string, bytes: Buffer, at: Date, o: InspectOptions): InspectedFile {
  const parts: InspectedFile[] = []
  const warnings: string[] = []
  for (const s of parseK8sSecrets(bytes.toString('utf8'), path)) {
    const name = s.name || `document ${s.document}`
    for (const [entry, value] of Object.entries(s.data)) {
      if (!['tls.crt', 'tls.key', 'ca.crt'].includes(entry)) {
        warnings.push(`Secret "${name}" entry "${entry}" is not an SVID file: not shown`)
        continue
      }
      parts.push(inspectBytes(`${path}: ${name} ${entry}`, value, at, o))
    }
  }
  return {path, kind: 'k8s-secret', certificates: [], keys: [], parts, warnings}
}

function inspectCsr(path: string, der: Uint8Array): InspectedFile {
  const c = readCsrDer(der, path)
  const warnings = c.signature === 'invalid' ? ['the CSR signature does not verify: issue --csr refuses it'] : []
  return {
    path,
    kind: 'csr',
    certificates: [],
    keys: [],
    csr: {subject: c.subject, sans: c.sans, keyType: c.keyType, signature: c.signature},
    warnings,
  }
}

function inspectPemOrDer(path: string, bytes: Buffer, at: Date, o: InspectOptions = {}): InspectedFile {
  const text = bytes.toString('latin1')
  const types = hasPemArmour(text) ? parsePemBlocksOrThrow(text, path) : []
  const hasKey = types.some((t) => /PRIVATE KEY$/.test(t))
  const hasCert = types.includes('CERTIFICATE') || (!hasPemArmour(text) && !looksLikeKeyDer(bytes))
  if (hasPemArmour(text) && !hasKey && !hasCert) {
    const found = [...new Set(types)].join(', ') || 'no readable PEM block'
    throw new SvidkitError('pem-invalid', `no certificate or private key in "${path}" (found ${found})`, {
      hint: 'inspect reads certificates, chains, bundles, private keys, CSRs, PKCS#12 files and Secret manifests',
    })
  }
  const certs = hasCert ? readCertificates(bytes, path) : []
  const key =
    hasKey || (!hasPemArmour(text) && !hasCert) ? readPrivateKey(bytes, path, {password: o.keyPassword}) : undefined
  const leafFirst = certs.length > 0 && (!certs[0].basicConstraints?.ca || hasPathId(certs[0]))
  const inspected = certs.map((c, i) =>
    inspectCertificate(
      c,
      leafFirst && i === 0 ? certs : undefined,
      at,
      leafFirst ? (i === 0 ? 'leaf' : 'intermediate') : undefined,
    ),
  )
  const kind: InspectedFile['kind'] =
    key && certs.length
      ? 'credential-bundle'
      : key
        ? 'key'
        : certs.length > 1
          ? leafFirst
            ? 'chain'
            : 'bundle'
          : 'certificate'
  return {
    path,
    kind,
    certificates: inspected,
    keys: key
      ? [
          {
            keyType: key.keyType,
            format: key.format,
            matchesCertificate: nullIfNeg(certs.findIndex((c) => keyMatches(key.keyObject, c.node))),
            warnings: key.warnings,
          },
        ]
      : [],
    warnings: key?.warnings ?? [],
  }
}

/** A CA-flagged certificate whose SPIFFE ID has a path is a (broken) leaf, not a CA: CAs name the trust domain only. */
function hasPathId(c: ParsedCertificate): boolean {
  return (c.san?.uris ?? []).some((u) => /^spiffe:\/\/[^/]+\/./.test(u))
}

function nullIfNeg(i: number): number | null {
  return i < 0 ? null : i
}

function looksLikeKeyDer(bytes: Buffer): boolean {
  try {
    readPrivateKey(bytes, '')
    return true
  } catch {
    return false
  }
}

function parsePemBlocksOrThrow(text: string, path: string): string[] {
  try {
    return parsePemBlocks(text).map((b) => b.type)
  } catch (err) {
    throw new SvidkitError('pem-invalid', `${(err as Error).message} in "${path}"`, {cause: err})
  }
}

/**
 * Returns what a file holds, SPIFFE-aware: certificates (role, SPIFFE ID, extensions,
 * fingerprints, validity, and which rules each breaks, checked statically), keys (type,
 * format, which certificate they belong to; never the key itself) and bundles.
 */
export function inspectFile(path: string, at: Date, o: InspectOptions = {}): InspectedFile {
  let bytes: Buffer
  try {
    bytes = readInput(path, 'pem-invalid')
  } catch (err) {
    if (isSvidkitError(err) && err.code === 'not-a-regular-file' && isDirectory(path)) {
      throw new SvidkitError('not-a-regular-file', err.message, {path, hint: directoryHint(path)})
    }
    throw err
  }
  const name = inputName(path)
  return inspectBytes(name, bytes, at, o)
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Returns a hint naming the files `inspect` can read in a directory (inspect takes files, not --dir). */
function directoryHint(dir: string): string {
  let names: string[] = []
  try {
    names = readdirSync(dir, {withFileTypes: true})
      .filter((d) => d.isFile() && /\.(pem|crt|cer|key|der|json)$/i.test(d.name))
      .map((d) => d.name)
      .sort()
  } catch {
    // unreadable: fall back to the generic hint
  }
  if (names.length === 0) return `inspect takes files; "${dir}" holds no .pem, .crt, .key, .der or .json file`
  const shown = names.slice(0, 6).map((n) => join(dir, n))
  return `inspect takes files, not a directory: svidkit inspect ${shown.join(' ')}${names.length > 6 ? ' ...' : ''}`
}

/**
 * Returns the chain a server presented (leaf first) as `inspect` shows a chain file:
 * `target` is `host:port`. Nothing is verified: inspect only looks.
 */
export function inspectPresentedChain(target: string, certs: ParsedCertificate[], at: Date): InspectedFile {
  return {
    path: target,
    kind: certs.length > 1 ? 'chain' : 'certificate',
    certificates: certs.map((c, i) =>
      inspectCertificate(c, i === 0 ? certs : undefined, at, i === 0 ? 'leaf' : 'intermediate'),
    ),
    keys: [],
    warnings: [
      'the chain was fetched from a live server and not verified: use "svidkit verify --connect" with the bundle to verify it',
    ],
  }
}

/** Returns what `bytes` (read from `path`) hold, as `inspectFile` does. */
export function inspectBytes(path: string, bytes: Buffer, at: Date, o: InspectOptions = {}): InspectedFile {
  const container = containerKind(bytes)
  if (container === 'pkcs12') return inspectPkcs12(path, bytes, at, o)
  if (container === 'k8s-secret') return inspectSecrets(path, bytes, at, o)
  const csr = csrDer(bytes)
  if (csr) return inspectCsr(path, csr)
  const head = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
  if (head.startsWith('{') || head.startsWith('[')) return inspectBundleFile(path, bytes, at)
  try {
    return inspectPemOrDer(path, bytes, at, o)
  } catch (err) {
    if (isSvidkitError(err)) throw err
    throw new SvidkitError('pem-invalid', `cannot read "${path}": ${(err as Error).message}`, {cause: err})
  }
}
