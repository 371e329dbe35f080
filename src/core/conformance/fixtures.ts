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
import {generateKeyPair} from '../x509/keys.js'
import {toPem} from '../x509/pem.js'

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
}

/** Returns the authorities of a suite created at `now`. */
export async function makeFixtures(now: Date): Promise<Fixtures> {
  const clock = fixedClock(now)
  return {
    now,
    at: new Date(now.getTime() + 60_000).toISOString().replace('.000Z', 'Z'),
    clock,
    a: (await createAuthority({trustDomain: TD, clock})).authority,
    r1: (await createAuthority({trustDomain: TD, clock, pathLen: 'none'})).authority,
    r2: (await createAuthority({trustDomain: TD, clock, generation: 2, pathLen: 'none'})).authority,
    b: (await createAuthority({trustDomain: OTHER_TD, clock, nameConstraints: false})).authority,
  }
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
  const {svid} = await issueSvid(a, {spiffeId: id, recipe: recipeFor(defects), clock: f.clock})
  const der = svidKeyPkcs8(svid)
  return {leaf: pem(svid.certificates[0]), intermediates: svid.certificates.slice(1).map(pem), key: der ? toPem('PRIVATE KEY', der) : null}
}

/** Returns a CA certificate for `subjectOf`'s subject and key, signed by `issuer` (a cross-certificate when both are roots). */
export async function crossCertify(f: Fixtures, subjectOf: CaCredential, issuer: CaCredential, td: string): Promise<ParsedCertificate> {
  return buildCertificate({
    subject: subjectOf.cert.subject,
    subjectName: subjectOf.cert.subjectDer,
    issuerName: issuer.cert.subjectDer,
    authorityKeyId: issuer.cert.ski,
    notBefore: new Date(f.now.getTime() - 10_000),
    notAfter: new Date(f.now.getTime() + YEAR),
    publicKey: createPublicKey(subjectOf.key),
    signingKey: issuer.key,
    ...caProfile({trustDomain: td, nameConstraints: true}),
  })
}

/** Returns `a` with its signing intermediate replaced by a new one under its root carrying these name constraints. */
export async function withConstrainedIntermediate(f: Fixtures, a: Authority, nc: CertificateTemplate['nameConstraints']): Promise<Authority> {
  const root = a.roots[0]
  const keys = await generateKeyPair('ec-p256')
  const cert = await buildCertificate({
    subject: `O=svidkit, OU=${a.trustDomain.name}, CN=constrained intermediate`,
    issuerName: root.cert.subjectDer,
    authorityKeyId: root.cert.ski,
    notBefore: new Date(f.now.getTime() - 10_000),
    notAfter: new Date(f.now.getTime() + YEAR),
    publicKey: keys.publicKey,
    signingKey: root.key,
    ...caProfile({trustDomain: a.trustDomain.name, pathLen: 0, nameConstraints: false}),
    nameConstraints: nc,
  })
  return {...a, intermediates: [{cert, key: keys.privateKey, certFile: 'constrained.pem', keyFile: 'constrained-key.pem'}]}
}
