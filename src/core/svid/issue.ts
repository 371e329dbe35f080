import {KeyObject, createPublicKey} from 'node:crypto'
import {ipBytes, ipText} from '../x509/general-names.js'
import {systemClock, type Clock} from '../clock.js'
import {SvidkitError, usageError} from '../errors.js'
import {checkIssuable, parseSpiffeIdArg, type SpiffeId} from '../spiffe-id/index.js'
import {buildCertificateParts, nameDer, type CertificateTemplate} from '../x509/build.js'
import {generateKeyPair, generateKeyPairNow, keyTypeOfKeyObject, NewEcKey, spkiDer} from '../x509/keys.js'
import {isRsa, type KeyType} from '../x509/key-type.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {formatInstant} from '../time/instant.js'
import {formatDuration} from '../time/duration.js'
import {bundleAuthorities, chainAboveLeaf, chainNotAfter, signingCredential, type Authority} from '../ca/authority.js'
import {BACKDATE_MS} from '../ca/profile.js'
import {leafProfile} from './profile.js'
import {PROFILE_RECIPE, type LeafContext, type LeafRecipe, type LeafResult, type LeafSigner} from './recipe.js'
import {describeTemplate} from '../x509/leaf-describe.js'
import {svidWithNewKey, type X509Svid} from './svid.js'
import {SEEDED_WARNING, seededKeyPair, seededSerial} from '../x509/seeded.js'

/** Options of `issueSvid`. */
export interface IssueOptions {
  /** The SPIFFE ID; must be in the authority's trust domain and have a path. */
  spiffeId: SpiffeId | string
  /** Key type of the new leaf key. Default `ec-p256`. */
  keyType?: KeyType
  /** Lifetime in ms when `notAfter` is not given. Default 1 hour. */
  ttlMs?: number
  /** Explicit notBefore; default now − 10 s (backdated as SPIRE does). */
  notBefore?: Date
  /** Explicit notAfter; default notBefore-anchored now + TTL. Capped at the issuing chain's notAfter. */
  notAfter?: Date
  /** DNS SANs to add (SPIFFE-unaware peers only). Default none. */
  dns?: string[]
  /** IP SANs to add, IPv4 or IPv6 literals (SPIFFE-unaware peers only). Default none. */
  ips?: string[]
  /** Subject DN. Default `O=svidkit`; `''` gives an empty subject and a critical SAN. */
  subject?: string
  /** Add keyEncipherment to RSA leaves (TLS 1.2 RSA key exchange). Default false. */
  keyEncipherment?: boolean
  /** Certify this public key (from a CSR) instead of generating a key pair. */
  publicKey?: KeyObject
  /** Where the leaf departs from the X509-SVID profile (recipe.ts; core/defects makes them). Default: the profile. */
  recipe?: LeafRecipe
  /** Clock. Default the system clock. */
  clock?: Clock
  /** Derive the leaf key, serial and ECDSA signature from this seed (byte-stable fixtures, x509/seeded.ts). Default: random. */
  seed?: string
}

/** A new SVID, the bundle it verifies against, and warnings for the user. */
export interface IssuedSvid {
  svid: X509Svid
  bundle: ParsedCertificate[]
  keyType: string
  warnings: string[]
}

const DEFAULT_SVID_TTL_MS = 3_600_000
export const DEFAULT_LEAF_SUBJECT = 'O=svidkit'

/** Returns the SPIFFE ID if it can be issued by this authority; throws a usage error otherwise. */
export function issuableId(authority: Authority, spiffeId: SpiffeId | string): SpiffeId {
  const id = typeof spiffeId === 'string' ? parseSpiffeIdArg(spiffeId) : spiffeId
  if (id.isRoot()) {
    throw usageError(
      `refusing to issue a leaf with the root-path ID "${id}"`,
      `a workload SVID needs a path, e.g. ${id}/workload (use --defect leaf-root-path to make one on purpose)`,
    )
  }
  checkIssuable(id)
  if (!id.memberOf(authority.trustDomain)) {
    throw usageError(
      `"${id}" is not in the CA's trust domain "${authority.trustDomain.name}"`,
      `use an ID under spiffe://${authority.trustDomain.name}/, or another --ca`,
    )
  }
  return id
}

/** Returns [notBefore, notAfter] for a leaf, capped at `cap`, with a warning when the cap bites. */
function leafValidity(
  opts: {notBefore?: Date; notAfter?: Date; ttlMs?: number},
  now: Date,
  cap: Date,
  warnings: string[],
): [Date, Date] {
  const ttl = opts.ttlMs ?? DEFAULT_SVID_TTL_MS
  if (!(ttl > 0))
    throw usageError(
      `the lifetime must be positive, got ${formatDuration(ttl)}`,
      'give a positive duration such as 1h or 720h (to backdate, use --not-before)',
    )
  // Certificates hold whole seconds: compute in whole seconds so caps compare exactly.
  const t = Math.floor(now.getTime() / 1000) * 1000
  let nb: number
  let na: number
  if (opts.notBefore && opts.notAfter) {
    nb = opts.notBefore.getTime()
    na = opts.notAfter.getTime()
  } else if (opts.notBefore) {
    nb = opts.notBefore.getTime()
    na = Math.max(nb, t) + ttl
  } else if (opts.notAfter) {
    na = opts.notAfter.getTime()
    nb = Math.min(t - BACKDATE_MS, na - ttl)
  } else {
    nb = t - BACKDATE_MS
    na = t + ttl
  }
  if (na <= nb)
    throw usageError(`notAfter ${formatInstant(new Date(na))} is not after notBefore ${formatInstant(new Date(nb))}`)
  if (cap.getTime() <= t && (!opts.notAfter || opts.notAfter.getTime() > cap.getTime())) {
    throw new SvidkitError('ca-expired', `the issuing CA expired at ${formatInstant(cap)}`)
  }
  if (na > cap.getTime()) {
    warnings.push(
      `notAfter capped at the issuer's notAfter ${formatInstant(cap)} (requested ${formatInstant(new Date(na))}): an SVID cannot outlive the CA chain that signs it`,
    )
    na = cap.getTime()
    if (na <= nb)
      throw new SvidkitError(
        'ca-expired',
        `the issuing CA expires at ${formatInstant(cap)}, before the requested notBefore`,
      )
  }
  return [new Date(nb), new Date(na)]
}

/** Returns the subject DN if it encodes to what was written ('' = empty); throws a usage error otherwise. */
export function checkedSubject(text: string, warnings: string[]): string {
  if (text.trim() === '') return ''
  let der: Uint8Array
  try {
    der = nameDer(text)
  } catch (err) {
    throw usageError(
      `invalid subject "${text}": ${(err as Error).message}`,
      'write the subject as RFC 4514 attributes, e.g. "O=example, CN=web"',
    )
  }
  // An empty SEQUENCE (30 00) means nothing in the text was an attribute.
  if (der.length <= 2)
    throw usageError(
      `invalid subject "${text}": no attribute=value pairs`,
      'write the subject as RFC 4514 attributes, e.g. "O=example, CN=web", or "" for an empty subject',
    )
  if (/spiffe:\/\//i.test(text))
    warnings.push(
      'the subject holds a SPIFFE ID: identity is read from the URI SAN only, and CN is limited to 64 characters (X509-SVID §2; RFC 5280 ub-common-name)',
    )
  return text
}

const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/

/** Returns the DNS name if it is a valid host name (optionally a leading "*." wildcard); throws a usage error otherwise. */
export function checkedDnsName(name: string): string {
  if (ipBytes(name.replace(/^\[(.*)\]$/, '$1')))
    throw usageError(
      `--dns "${name}" is an IP address, not a DNS name`,
      `give it as an IP SAN: --ip ${name.replace(/^\[(.*)\]$/, '$1')}`,
    )
  const host = name.startsWith('*.') ? name.slice(2) : name
  if (host.length === 0 || host.length > 253 || !host.split('.').every((l) => DNS_LABEL.test(l))) {
    throw usageError(`invalid DNS name "${name}"`, 'a DNS SAN is a host name such as web.example.org')
  }
  return name
}

/** Returns the canonical text of an IP SAN (as certificates show it back), or throws a usage error. */
export function checkedIp(text: string): string {
  const bytes = ipBytes(text.replace(/^\[(.*)\]$/, '$1'))
  if (!bytes)
    throw usageError(
      `invalid IP address "${text}"`,
      'an IP SAN is an IPv4 (127.0.0.1) or IPv6 (::1) address literal; host names go in --dns',
    )
  return ipText(bytes)
}

async function newLeafKey(
  options: Pick<IssueOptions, 'publicKey' | 'keyType' | 'seed'>,
): Promise<{publicKey: KeyObject | Uint8Array; privateKey?: KeyObject | NewEcKey; keyType: string}> {
  if (options.seed !== undefined && !options.publicKey) {
    const pair = seededKeyPair(options.seed, 'leaf', options.keyType ?? 'ec-p256')
    return {publicKey: spkiDer(pair.privateKey), privateKey: pair.privateKey, keyType: options.keyType ?? 'ec-p256'}
  }
  if (options.publicKey) {
    const k = options.publicKey.type === 'public' ? options.publicKey : createPublicKey(options.publicKey)
    return {publicKey: new Uint8Array(k.export({format: 'der', type: 'spki'})), keyType: keyTypeOfKeyObject(k)}
  }
  const keyType = options.keyType ?? 'ec-p256'
  // EC keys: known by their DER, the KeyObject made only if asked for (keys.ts NewEcKey).
  if (keyType === 'ec-p256' || keyType === 'ec-p384') {
    const key = new NewEcKey(keyType)
    return {publicKey: key.spki, privateKey: key, keyType}
  }
  // Ed25519 keys take tens of microseconds: the thread-pool round trip would cost more.
  const pair = isRsa(keyType) ? await generateKeyPair(keyType) : generateKeyPairNow(keyType)
  // The SPKI from the private key; the PKCS#8 written later comes from the same export (keys.ts).
  return {publicKey: spkiDer(pair.privateKey), privateKey: pair.privateKey, keyType}
}

/**
 * Returns a new X509-SVID signed by the authority's signing CA, following the leaf
 * profile of X509-SVID §4, with a fresh key (or the given CSR public key). With a
 * `recipe`, the SVID departs from the profile exactly where the recipe says (recipe.ts).
 */
export async function issueSvid(authority: Authority, options: IssueOptions): Promise<IssuedSvid> {
  const warnings: string[] = []
  const clock = options.clock ?? systemClock
  const now = clock.now()
  const id = issuableId(authority, options.spiffeId)
  const recipe = options.recipe ?? PROFILE_RECIPE
  const [notBefore, notAfter] = recipe.validity?.(now) ?? leafValidity(options, now, chainNotAfter(authority), warnings)
  const subject = checkedSubject(options.subject ?? DEFAULT_LEAF_SUBJECT, warnings)
  const dns = (options.dns ?? []).map(checkedDnsName)
  const ips = (options.ips ?? []).map(checkedIp)
  const ctx: LeafContext = {
    id: id.toString(),
    trustDomain: authority.trustDomain.name,
    authority,
    now,
    keyType: options.keyType ?? 'ec-p256',
    ...(options.seed === undefined ? {} : {seed: options.seed}),
  }
  const signer: LeafSigner = recipe.signer ? await recipe.signer(ctx) : signingCredential(authority)
  if (options.seed !== undefined) warnings.push(SEEDED_WARNING)
  const key = await newLeafKey(options)
  if (options.keyEncipherment && !isRsa(key.keyType as KeyType)) {
    throw usageError('keyEncipherment applies to RSA keys only', 'drop --key-encipherment or use an rsa-* --key-type')
  }

  const template: CertificateTemplate = {
    subject,
    issuerName: signer.cert.subjectDer,
    authorityKeyId: signer.cert.ski,
    notBefore,
    notAfter,
    publicKey: key.publicKey,
    signingKey: signer.key,
    ...(options.seed === undefined ? {} : {serial: seededSerial(options.seed, `leaf:${id}`), deterministic: true}),
    ...leafProfile({spiffeId: id.toString(), dns, ips, subject, keyEncipherment: options.keyEncipherment}),
  }
  recipe.template?.(template, ctx)
  const made: LeafResult = {
    leaf: describeTemplate(template, buildCertificateParts(template)),
    chain: signer.chain ?? chainAboveLeaf(authority),
  }
  const {leaf, chain, replacementKey} = recipe.result ? await recipe.result(made, ctx) : made
  const privateKey = replacementKey ?? key.privateKey
  const certificates = [leaf, ...chain]
  return {
    svid:
      privateKey instanceof NewEcKey ? svidWithNewKey(id, certificates, privateKey) : {id, certificates, privateKey},
    bundle: bundleAuthorities(authority),
    keyType: key.keyType,
    warnings,
  }
}
