import {systemClock, type Clock} from '../clock.js'
import {usageError} from '../errors.js'
import {parseTrustDomainArg, type TrustDomain} from '../spiffe-id/index.js'
import {buildCertificate} from '../x509/build.js'
import {generateKeyPair} from '../x509/keys.js'
import {createJwtKey, jwtKeyOf} from '../jwt/jwt-key.js'
import {SEEDED_WARNING, seededKeyPair, seededSerial} from '../x509/seeded.js'
import type {KeyType} from '../x509/key-type.js'
import {formatInstant} from '../time/instant.js'
import type {Authority, CaCredential} from './authority.js'
import {BACKDATE_MS, caProfile} from './profile.js'

/** Options of `createAuthority`. */
export interface CreateAuthorityOptions {
  /** The trust domain (bare name or `spiffe://name`). */
  trustDomain: TrustDomain | string
  /** Number of intermediates under the root, 0–5. Default 1. */
  intermediates?: number
  /** Key type of every CA. Default `ec-p256`. */
  keyType?: KeyType
  /** Root lifetime in ms. Default 10 years (87600h), like `step ca init`. */
  ttlMs?: number
  /** Intermediate lifetime in ms, capped at the parent's notAfter. Default 1 year (8760h). */
  intermediateTtlMs?: number
  /**
   * Root pathLenConstraint: `'auto'` (default) gives each CA the number of CAs below it
   * (so the CA that signs leaves has 0); `'none'` omits it; a number sets the root's and
   * must be at least the number of intermediates.
   */
  pathLen?: 'auto' | 'none' | number
  /** Critical URI name constraints permitting only the trust domain. Default true. */
  nameConstraints?: boolean
  /** Clock. Default: the system clock. */
  clock?: Clock
  /** First generation number used in subject names (root rollovers). Default 1. */
  generation?: number
  /** Derive every key, serial and ECDSA signature from this seed (byte-stable test fixtures; x509/seeded.ts). Default: random. */
  seed?: string
  /** Also create a JWT authority (`jwt-key.pem`, a `jwt-svid` bundle entry) for JWT-SVIDs. Default true. */
  jwtAuthority?: boolean
}

/** What `createAuthority` made, with warnings for the user. */
export interface CreatedAuthority {
  authority: Authority
  warnings: string[]
}

const DEFAULT_ROOT_TTL_MS = 87_600 * 3_600_000
export const DEFAULT_INTERMEDIATE_TTL_MS = 8_760 * 3_600_000
const MAX_INTERMEDIATES = 5
/** File name of the JWT authority key in a CA directory. */
const JWT_KEY_FILE = 'jwt-key.pem'

/** Returns a new JWT authority key, derived from the seed when there is one. */
function jwtAuthorityKey(trustDomain: string, seed: string | undefined) {
  return seed === undefined
    ? createJwtKey()
    : jwtKeyOf(seededKeyPair(seed, `${trustDomain}/jwt authority`, 'ec-p256').privateKey)
}

/** Returns the subject DN of a CA certificate of this trust domain. */
export function caSubject(trustDomain: string, role: string): string {
  return `O=svidkit, OU=${trustDomain.slice(0, 64).replaceAll(',', '\\,')}, CN=${role}`
}

/** Returns one CA certificate and key, signed by `parent` (or self-signed). */
export async function createCaCredential(opts: {
  trustDomain: string
  keyType: KeyType
  role: string
  notBefore: Date
  notAfter: Date
  pathLen?: number
  nameConstraints: boolean
  /** The issuing CA; absent for a self-signed root. */
  parent?: CaCredential
  certFile: string
  keyFile: string
  /** Seed for the key, serial and signature (x509/seeded.ts). */
  seed?: string
}): Promise<CaCredential> {
  const label = `${opts.trustDomain}/${opts.role}`
  const keys =
    opts.seed === undefined ? await generateKeyPair(opts.keyType) : seededKeyPair(opts.seed, label, opts.keyType)
  const cert = await buildCertificate({
    subject: caSubject(opts.trustDomain, opts.role),
    issuerName: opts.parent?.cert.subjectDer,
    authorityKeyId: opts.parent?.cert.ski,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    publicKey: keys.publicKey,
    signingKey: opts.parent?.key ?? keys.privateKey,
    ...(opts.seed === undefined ? {} : {serial: seededSerial(opts.seed, label), deterministic: true}),
    ...caProfile({trustDomain: opts.trustDomain, pathLen: opts.pathLen, nameConstraints: opts.nameConstraints}),
  })
  return {cert, key: keys.privateKey, certFile: opts.certFile, keyFile: opts.keyFile}
}

/**
 * Returns a new trust-domain authority in memory: a self-signed root and a chain of
 * intermediates, each following the signing-certificate profile of X509-SVID §3.2 and §4.
 */
export async function createAuthority(options: CreateAuthorityOptions): Promise<CreatedAuthority> {
  const td = typeof options.trustDomain === 'string' ? parseTrustDomainArg(options.trustDomain) : options.trustDomain
  const n = options.intermediates ?? 1
  if (!Number.isInteger(n) || n < 0 || n > MAX_INTERMEDIATES) {
    throw usageError(`intermediates must be 0 to ${MAX_INTERMEDIATES}, got ${n}`)
  }
  const pathLen = options.pathLen ?? 'auto'
  if (typeof pathLen === 'number' && (!Number.isInteger(pathLen) || pathLen < n)) {
    throw usageError(
      `path length ${pathLen} on the root leaves no room for ${n} intermediate${n === 1 ? '' : 's'}`,
      `use --path-len ${n} or more, or --path-len none`,
    )
  }
  const keyType = options.keyType ?? 'ec-p256'
  const clock = options.clock ?? systemClock
  const nameConstraints = options.nameConstraints ?? true
  // Certificates hold whole seconds: compute in whole seconds so caps compare exactly.
  const now = Math.floor(clock.now().getTime() / 1000) * 1000
  const ttl = options.ttlMs ?? DEFAULT_ROOT_TTL_MS
  const intTtl = options.intermediateTtlMs ?? DEFAULT_INTERMEDIATE_TTL_MS
  if (ttl <= 0 || intTtl <= 0) throw usageError('TTL must be positive')
  const gen = options.generation ?? 1
  const warnings: string[] = options.seed === undefined ? [] : [SEEDED_WARNING]
  const notBefore = new Date(now - BACKDATE_MS)

  const pathLenFor = (below: number): number | undefined =>
    pathLen === 'none' ? undefined : pathLen === 'auto' ? below : below === n ? pathLen : undefined

  const root = await createCaCredential({
    trustDomain: td.name,
    keyType,
    role: `root CA ${gen}`,
    notBefore,
    notAfter: new Date(now + ttl),
    pathLen: pathLenFor(n),
    nameConstraints,
    seed: options.seed,
    certFile: gen === 1 ? 'root.pem' : `root-${gen}.pem`,
    keyFile: gen === 1 ? 'root-key.pem' : `root-${gen}-key.pem`,
  })
  const intermediates: CaCredential[] = []
  let parent = root
  for (let i = 1; i <= n; i++) {
    let notAfter = now + intTtl
    if (notAfter > parent.cert.notAfter.getTime()) {
      notAfter = parent.cert.notAfter.getTime()
      warnings.push(
        `intermediate ${i} lifetime capped at its parent's notAfter ${formatInstant(new Date(notAfter))}: a CA cannot outlive its issuer`,
      )
    }
    const suffix = gen === 1 ? `${i}` : `${gen}-${i}`
    const child = await createCaCredential({
      trustDomain: td.name,
      keyType,
      role: `intermediate CA ${suffix}`,
      notBefore,
      notAfter: new Date(notAfter),
      pathLen: pathLenFor(n - i),
      nameConstraints: false,
      parent,
      seed: options.seed,
      certFile: `intermediate-${suffix}.pem`,
      keyFile: `intermediate-${suffix}-key.pem`,
    })
    intermediates.push(child)
    parent = child
  }
  return {
    authority: {
      trustDomain: td,
      keyType,
      roots: [root],
      intermediates,
      nameConstraints,
      sequence: 1,
      generation: gen,
      ...(options.jwtAuthority === false
        ? {}
        : {jwt: {...jwtAuthorityKey(td.name, options.seed), keyFile: JWT_KEY_FILE}}),
    },
    warnings,
  }
}
