import {join} from 'node:path'
import {systemClock, type Clock} from '../clock.js'
import {SvidkitError, usageError} from '../errors.js'
import {readInput} from '../fs/read-input.js'
import {refuseStdioDir} from '../fs/layout.js'
import {TrustDomain, parseTrustDomainArg} from '../spiffe-id/index.js'
import {readCertificates} from '../x509/read.js'
import {keyMatches, readPrivateKey, signingKeyType} from '../x509/keys.js'
import {KEY_TYPES, type KeyType} from '../x509/key-type.js'
import {OID} from '../x509/oids.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {certificateSummary} from '../x509/summary.js'
import type {Authority, CaCredential} from './authority.js'
import {checkCaTarget, recoverCaSwap} from './swap.js'
import {CA_BUNDLE_JWKS, CA_BUNDLE_PEM, CA_METADATA, loadAuthority, saveAuthority} from './store.js'
import type {CaInitResult} from './init.js'
import {pushAll} from '../arrays.js'

/** Options of `importCa` (`svidkit ca import`). */
export interface ImportCaOptions {
  /** The CA that will sign SVIDs (PEM; may be followed by the certificates above it). */
  cert: string
  /** Its private key (PKCS#8, SEC1 or PKCS#1; encrypted PKCS#8 with `keyPassword`). */
  key: string
  keyPassword?: string
  /** Files with the certificates above it, up to the self-signed root. Default none. */
  chain?: string[]
  /** The trust domain. Default: the one the CA's URI name constraints permit, else its spiffe:// URI SAN. */
  trustDomain?: string
  out: string
  force?: boolean
  clock?: Clock
}

/** What `importCa` wrote, as `ca init` reports it, plus what the imported CA cannot do. */
export interface CaImportResult extends CaInitResult {
  /** Things svidkit cannot do with this CA (missing keys, no name constraints). */
  limits: string[]
}

const MAX_CHAIN = 6

function caInvalid(path: string, why: string, hint: string): SvidkitError {
  return new SvidkitError('ca-invalid', `cannot import "${path}": ${why}`, {path, hint})
}

function issuedBy(c: ParsedCertificate, parent: ParsedCertificate): boolean {
  return Buffer.compare(c.issuerDer, parent.subjectDer) === 0 && c.node.verify(parent.node.publicKey)
}

/** Returns the path from the signing CA (first) up to its self-signed root (last), from the certificates given. */
function pathToRoot(signing: ParsedCertificate, pool: ParsedCertificate[], source: string): ParsedCertificate[] {
  const path = [signing]
  for (;;) {
    const c = path[path.length - 1]
    // By name and signature (Node's checkIssued also wants keyCertSign, which checkCa reports by name).
    if (issuedBy(c, c)) return path
    if (path.length >= MAX_CHAIN)
      throw caInvalid(
        source,
        `no self-signed root within ${MAX_CHAIN} certificates`,
        'give the chain up to the root with --chain',
      )
    const parent = pool.find((p) => !path.includes(p) && issuedBy(c, p))
    if (!parent) {
      throw caInvalid(
        source,
        `the chain ends at "${c.issuer}", whose certificate was not given`,
        'pass the intermediates and the root above it with --chain FILE (repeatable)',
      )
    }
    path.push(parent)
  }
}

/** Checks one CA of the path can sign what is below it (RFC 5280 §4.2.1.9, §4.2.1.3; X509-SVID §4.1). */
function checkCa(c: ParsedCertificate, below: number, source: string, at: Date): void {
  const what = below === 0 ? 'the signing CA' : `the CA "${c.subject}"`
  if (!c.basicConstraints?.ca)
    throw caInvalid(
      source,
      `${what} is not a CA (basicConstraints CA:TRUE missing)`,
      'import a CA certificate, not a leaf',
    )
  if (!c.keyUsage?.names.includes('keyCertSign')) {
    throw caInvalid(
      source,
      `${what} lacks keyCertSign in its key usage`,
      'X509-SVID §4.1: signing certificates must assert keyCertSign; reissue the CA with it',
    )
  }
  if (c.basicConstraints.pathLen !== undefined && c.basicConstraints.pathLen < below) {
    throw caInvalid(
      source,
      `${what} has pathLenConstraint ${c.basicConstraints.pathLen} but ${below} CA(s) below it`,
      'reissue the CA with a larger path length',
    )
  }
  if (c.notAfter.getTime() <= at.getTime()) {
    throw new SvidkitError('ca-expired', `cannot import "${source}": ${what} expired at ${c.notAfter.toISOString()}`, {
      path: source,
    })
  }
}

/** Returns the URI name-constraint bases of the path (permitted, excluded), lowercased. */
function uriConstraints(path: ParsedCertificate[]): {permitted: string[][]; excluded: string[]} {
  const permitted: string[][] = []
  const excluded: string[] = []
  for (const c of path) {
    const nc = c.nameConstraints
    if (!nc) continue
    const p = nc.permitted.filter((n) => n.type === 'uri').map((n) => n.value.toLowerCase())
    if (p.length) permitted.push(p)
    pushAll(
      excluded,
      nc.excluded.filter((n) => n.type === 'uri').map((n) => n.value.toLowerCase()),
    )
  }
  return {permitted, excluded}
}

const sanTrustDomain = (uri: string) => uri.slice('spiffe://'.length).split('/')[0].toLowerCase()
const matches = (base: string, host: string) => (base.startsWith('.') ? host.endsWith(base) : host === base)

function chooseTrustDomain(
  o: ImportCaOptions,
  path: ParsedCertificate[],
  nc: ReturnType<typeof uriConstraints>,
): TrustDomain {
  if (o.trustDomain !== undefined) return parseTrustDomainArg(o.trustDomain)
  const fromConstraints = [...new Set(nc.permitted.flat().filter((b) => !b.startsWith('.')))]
  if (fromConstraints.length === 1) return TrustDomain.parse(fromConstraints[0])
  const fromSans = [
    ...new Set(
      path
        .flatMap((c) => c.san?.uris ?? [])
        .filter((u) => u.startsWith('spiffe://'))
        .map(sanTrustDomain),
    ),
  ]
  if (fromSans.length === 1) return TrustDomain.parse(fromSans[0])
  throw usageError(
    `cannot tell the trust domain of "${o.cert}" (${fromConstraints.length > 1 ? `its name constraints permit ${fromConstraints.join(', ')}` : 'no URI name constraint or spiffe:// SAN names one'})`,
    'give it with --trust-domain example.org',
  )
}

/**
 * Returns the result of turning an existing CA (made by openssl, step, cfssl, Vault) into a
 * svidkit CA directory at `out`, after checking it can sign X509-SVIDs: CA:TRUE and keyCertSign
 * on every CA of its path, the key matches, path lengths hold, nothing has expired, and its URI
 * name constraints (if any) permit the trust domain. Only the signing CA's key is imported; the
 * keys above it stay offline (listed in `limits`).
 */
export function importCa(o: ImportCaOptions): CaImportResult {
  const at = (o.clock ?? systemClock).now()
  if (o.trustDomain !== undefined) parseTrustDomainArg(o.trustDomain) // a bad flag is exit 2 before any file is read
  refuseStdioDir(o.out, '--out')
  const given = readCertificates(readInput(o.cert, 'pem-invalid'), o.cert)
  const pool = [...given.slice(1), ...(o.chain ?? []).flatMap((f) => readCertificates(readInput(f, 'pem-invalid'), f))]
  const key = readPrivateKey(readInput(o.key, 'key-invalid'), o.key, {password: o.keyPassword})
  const signing = given[0]
  if (!keyMatches(key.keyObject, signing.node)) {
    throw new SvidkitError('key-mismatch', `"${o.key}" does not belong to "${o.cert}"`, {
      exit: 3,
      hint: 'give the key of the first certificate in --cert',
    })
  }
  const path = pathToRoot(signing, pool, o.cert)
  path.forEach((c, i) => checkCa(c, i, o.cert, at))
  const nc = uriConstraints(path)
  const td = chooseTrustDomain(o, path, nc)
  const denied =
    nc.permitted.find((set) => !set.some((b) => matches(b, td.name))) ??
    (nc.excluded.some((b) => matches(b, td.name)) ? nc.excluded : undefined)
  if (denied) {
    throw caInvalid(
      o.cert,
      `its URI name constraints (${denied.join(', ')}) exclude the trust domain "${td.name}"`,
      'import it for a trust domain its constraints permit, or use another CA',
    )
  }
  let keyType: KeyType
  try {
    keyType = signingKeyType(key.keyObject)
  } catch {
    throw caInvalid(
      o.cert,
      `its key type "${key.keyType}" is not one svidkit signs with`,
      `svidkit signs with ${KEY_TYPES.join(', ')}`,
    )
  }
  const warnings = [...key.warnings]
  const limits: string[] = []
  for (const c of path) {
    const others = (c.san?.uris ?? []).filter((u) => u.startsWith('spiffe://') && sanTrustDomain(u) !== td.name)
    if (others.length) warnings.push(`the CA "${c.subject}" names ${others.join(', ')}, not trust domain "${td.name}"`)
    const eku = c.extKeyUsage?.oids
    if (
      eku &&
      !eku.includes(OID.anyExtendedKeyUsage) &&
      !(eku.includes(OID.serverAuth) && eku.includes(OID.clientAuth))
    ) {
      warnings.push(
        `the CA "${c.subject}" restricts extended key usage: Go and other verifiers reject SVIDs used for a purpose it lacks`,
      )
    }
  }
  if (nc.permitted.length === 0)
    limits.push(
      `no URI name constraint: this CA can sign for any trust domain (svidkit issues only spiffe://${td.name} SVIDs from it)`,
    )
  if (path.length > 1) {
    limits.push(
      'only the signing CA key is imported: rotating the root or the intermediates (rotate --ca-rotate) needs their keys in the directory',
    )
  }
  limits.push('the bundle holds this root only: a rollover to another root is done with svidkit, not imported')
  const root = path[path.length - 1]
  const cred = (c: ParsedCertificate, certFile: string, keyFile: string): CaCredential =>
    ({cert: c, key: c === signing ? key.keyObject : undefined, certFile, keyFile}) as unknown as CaCredential
  const intermediates = path
    .slice(0, -1)
    .reverse()
    .map((c, i) => cred(c, `intermediate-${i + 1}.pem`, `intermediate-${i + 1}-key.pem`))
  const authority: Authority = {
    trustDomain: td,
    keyType,
    roots: [cred(root, 'root.pem', 'root-key.pem')],
    intermediates,
    nameConstraints: root.nameConstraints !== undefined,
    sequence: 1,
    generation: 1,
  }
  recoverCaSwap(o.out)
  checkCaTarget(o.out, o.force ?? false)
  saveAuthority(o.out, authority, {force: o.force})
  loadAuthority(o.out) // what was written loads back (keys match, the chain links)
  const creds = [...authority.roots, ...authority.intermediates]
  return {
    trustDomain: td.name,
    dir: o.out,
    files: {
      bundle: join(o.out, CA_BUNDLE_PEM),
      bundleJwks: join(o.out, CA_BUNDLE_JWKS),
      metadata: join(o.out, CA_METADATA),
      certificates: creds.map((c) => join(o.out, c.certFile)),
      keys: [join(o.out, (creds.find((c) => c.cert === signing) as CaCredential).keyFile)],
    },
    chain: path.map((c, i) =>
      certificateSummary(c, {role: i === path.length - 1 ? 'root' : 'intermediate', source: 'file', at}),
    ),
    warnings,
    limits,
  }
}
