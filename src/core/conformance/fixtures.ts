/**
 * The trust domains a suite is made from, all created at the suite's fixed instant: their
 * authorities, and helpers turning issued SVIDs into PEM case fields.
 */
import {createPublicKey} from 'node:crypto'
import {fixedClock, type Clock} from '../clock.js'
import {createAuthority} from '../ca/create.js'
import {bundleAuthorities, type Authority, type CaCredential} from '../ca/authority.js'
import {caProfile} from '../ca/profile.js'
import {issueSvid} from '../svid/issue.js'
import {recipeFor, type Defect, type DefectPlan} from '../defects/index.js'
import {svidKeyPkcs8} from '../svid/svid.js'
import {buildCertificate, type CertificateTemplate} from '../x509/build.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {generateKeyPair, type KeyPair} from '../x509/keys.js'
import type {KeyType} from '../x509/key-type.js'
import {toPem} from '../x509/pem.js'
import {seededKeyPair, seededSerial} from '../x509/seeded.js'

export const TD = 'example.org'
export const OTHER_TD = 'other.test'
export const WORKLOAD = `spiffe://${TD}/workload`
const YEAR = 365 * 24 * 3_600_000

/** The authorities of a suite and its clock. */
export interface Fixtures {
  now: Date
  /** validation_time of every case: the suite's instant plus one minute. */
  at: string
  clock: Clock
  /** example.org: root with URI name constraints, one intermediate. */
  a: Authority
  /** example.org before and after a root rollover (no pathLenConstraint, so a cross-certificate fits in the path). */
  r1: Authority
  r2: Authority
  /** other.test: no name constraints (so only bundle binding stops it vouching for example.org). */
  b: Authority
  /** The suite's seed (`--seed`): every key, serial and signature derives from it; undefined: random. */
  seed?: string
  /** SVIDs issued so far: each issued SVID gets a seed of its own (`<seed>/svid <n>`), so none share a serial. */
  issued: number
}

/** Returns the authorities of a suite created at `now`, derived from `seed` when there is one. */
export async function makeFixtures(now: Date, seed?: string): Promise<Fixtures> {
  const clock = fixedClock(now)
  // Two authorities of one trust domain must not share keys: each gets a seed of its own.
  const part = (name: string) => (seed === undefined ? {} : {seed: `${seed}/${name}`})
  return {
    now,
    at: new Date(now.getTime() + 60_000).toISOString().replace('.000Z', 'Z'),
    clock,
    a: (await createAuthority({trustDomain: TD, clock, ...part('a')})).authority,
    r1: (await createAuthority({trustDomain: TD, clock, pathLen: 'none', ...part('r1')})).authority,
    r2: (await createAuthority({trustDomain: TD, clock, generation: 2, pathLen: 'none', ...part('r2')})).authority,
    b: (await createAuthority({trustDomain: OTHER_TD, clock, nameConstraints: false, ...part('b')})).authority,
    ...(seed === undefined ? {} : {seed}),
    issued: 0,
  }
}

/** Returns a key pair for one part of the suite (`label`): from the seed, or fresh. */
export async function suiteKeyPair(f: Fixtures, type: KeyType, label: string): Promise<KeyPair> {
  return f.seed === undefined ? generateKeyPair(type) : seededKeyPair(f.seed, label, type)
}

/** Returns the serial and signing mode of one certificate the suite makes itself (`label`): seeded, or random. */
function suiteCertFields(f: Fixtures, label: string): {serial?: string; deterministic?: boolean} {
  return f.seed === undefined ? {} : {serial: seededSerial(f.seed, label), deterministic: true}
}

export const pem = (c: ParsedCertificate): string => toPem('CERTIFICATE', c.der)
export const rootsPem = (a: Authority): string[] => bundleAuthorities(a).map(pem)

/** Returns a defect recipe that is not in the catalogue (path-family cases). */
export function recipe(name: string, plan: DefectPlan): Defect {
  return {name, code: 'untrusted-chain', rule: name, aspect: 'chain', plan}
}

/** The PEM fields of one issued SVID. */
export interface IssuedPem {
  leaf: string
  intermediates: string[]
  key: string | null
}

/** Returns an SVID of `a` for `id` (with defects) as PEM case fields. */
export async function issuePem(f: Fixtures, a: Authority, id: string, defects: Defect[] = []): Promise<IssuedPem> {
  const n = ++f.issued
  const seed = f.seed === undefined ? {} : {seed: `${f.seed}/svid ${n}`}
  const {svid} = await issueSvid(a, {spiffeId: id, recipe: recipeFor(defects), clock: f.clock, ...seed})
  const der = svidKeyPkcs8(svid)
  return {
    leaf: pem(svid.certificates[0]),
    intermediates: svid.certificates.slice(1).map(pem),
    key: der ? toPem('PRIVATE KEY', der) : null,
  }
}

/** Returns a CA certificate for `subjectOf`'s subject and key, signed by `issuer` (a cross-certificate when both are roots). */
export async function crossCertify(
  f: Fixtures,
  subjectOf: CaCredential,
  issuer: CaCredential,
  td: string,
): Promise<ParsedCertificate> {
  return buildCertificate({
    subject: subjectOf.cert.subject,
    subjectName: subjectOf.cert.subjectDer,
    issuerName: issuer.cert.subjectDer,
    authorityKeyId: issuer.cert.ski,
    notBefore: new Date(f.now.getTime() - 10_000),
    notAfter: new Date(f.now.getTime() + YEAR),
    publicKey: createPublicKey(subjectOf.key),
    signingKey: issuer.key,
    ...suiteCertFields(f, `cross ${subjectOf.cert.serial} by ${issuer.cert.serial}`),
    ...caProfile({trustDomain: td, nameConstraints: true}),
  })
}

/** Returns `a` with its signing intermediate replaced by a new one under its root carrying these name constraints. */
export async function withConstrainedIntermediate(
  f: Fixtures,
  a: Authority,
  nc: CertificateTemplate['nameConstraints'],
): Promise<Authority> {
  const root = a.roots[0]
  const label = `constrained intermediate ${JSON.stringify(nc)}`
  const keys = await suiteKeyPair(f, 'ec-p256', label)
  const cert = await buildCertificate({
    subject: `O=svidkit, OU=${a.trustDomain.name}, CN=constrained intermediate`,
    issuerName: root.cert.subjectDer,
    authorityKeyId: root.cert.ski,
    notBefore: new Date(f.now.getTime() - 10_000),
    notAfter: new Date(f.now.getTime() + YEAR),
    publicKey: keys.publicKey,
    signingKey: root.key,
    ...suiteCertFields(f, label),
    ...caProfile({trustDomain: a.trustDomain.name, pathLen: 0, nameConstraints: false}),
    nameConstraints: nc,
  })
  return {
    ...a,
    intermediates: [{cert, key: keys.privateKey, certFile: 'constrained.pem', keyFile: 'constrained-key.pem'}],
  }
}
