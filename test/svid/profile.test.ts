/**
 * The issuance profile of spiffe-rules.md §2, certificate by certificate: exactly the
 * extensions and criticality the rules list, as OpenSSL prints them and as svidkit's own
 * parser reads them; the signature algorithm per key type; serial numbers.
 */
import {AsnConvert} from '@peculiar/asn1-schema'
import {Certificate as AsnCertificate} from '@peculiar/asn1-x509'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {
  SvidkitError,
  initCa,
  issueToDirectory,
  readCertificates,
  type CreateAuthorityOptions,
  type IssueToDirectoryOptions,
  type KeyType,
  type ParsedCertificate,
} from '../../src/index.js'
import {certBlocks} from '../helpers/pem.js'
import {hasOpenssl, warnIfMissing} from '../helpers/peers.js'
import {keyIdHex, opensslView, type OpensslExtension} from '../helpers/openssl-text.js'
import {suiteTmpDir} from '../helpers/tmp.js'

warnIfMissing('openssl', hasOpenssl)

const TD = 'example.org'
const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
}

/** What spiffe-rules.md §2 says one certificate must carry, and nothing more. */
interface Profile {
  ca: boolean
  pathLen?: number
  keyUsage: ('digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign')[]
  /** EKU serverAuth + clientAuth (non-critical): leaves only. */
  eku: boolean
  uris: string[]
  dns?: string[]
  sanCritical: boolean
  /** The one permitted URI subtree of a critical nameConstraints, if any. */
  permitted?: string
  /** File (in the same CA or SVID directory set) whose SKI must be this AKI; none for a root. */
  issuer?: string
}

interface Case {
  name: string
  /** Certificate file, relative to the suite's directory. */
  file: string
  profile: Profile
}

const caProfile = (p: Partial<Profile>): Profile => ({
  ca: true,
  keyUsage: ['keyCertSign', 'cRLSign'],
  eku: false,
  uris: [`spiffe://${TD}`],
  sanCritical: false,
  ...p,
})
const leafProfile = (name: string, p: Partial<Profile>): Profile => ({
  ca: false,
  keyUsage: ['digitalSignature'],
  eku: true,
  uris: [`spiffe://${TD}/${name}`],
  sanCritical: false,
  ...p,
})

/** The CA directories of the suite, by name. */
const CAS: Record<string, Omit<CreateAuthorityOptions, 'trustDomain'>> = {
  p256: {},
  nonc: {intermediates: 2, nameConstraints: false},
  none: {pathLen: 'none'},
  num: {pathLen: 3},
  flat: {intermediates: 0},
}

/** The SVID directories of the suite (svid/<name>), by name: the CA and the issue options. */
const LEAVES: Record<string, [string, Partial<IssueToDirectoryOptions>]> = {
  default: ['p256', {}],
  empty: ['p256', {subject: ''}],
  dns: ['p256', {dns: ['a.example', 'b.example']}],
  rsa: ['p256', {keyType: 'rsa-2048'}],
  'rsa-ke': ['p256', {keyType: 'rsa-2048', keyEncipherment: true}],
  flat: ['flat', {}],
}

const leafFile = (name: string) => `svid/${name}/svid.pem`

const cases: Case[] = [
  {
    name: 'root, auto path length, name constraints',
    file: 'p256/root.pem',
    profile: caProfile({pathLen: 1, permitted: TD}),
  },
  {
    name: 'intermediate that signs leaves',
    file: 'p256/intermediate-1.pem',
    profile: caProfile({pathLen: 0, issuer: 'p256/root.pem'}),
  },
  {name: 'root, nameConstraints false', file: 'nonc/root.pem', profile: caProfile({pathLen: 2})},
  {
    name: 'first of two intermediates',
    file: 'nonc/intermediate-1.pem',
    profile: caProfile({pathLen: 1, issuer: 'nonc/root.pem'}),
  },
  {
    name: 'second of two intermediates',
    file: 'nonc/intermediate-2.pem',
    profile: caProfile({pathLen: 0, issuer: 'nonc/intermediate-1.pem'}),
  },
  {name: "root, path length 'none'", file: 'none/root.pem', profile: caProfile({permitted: TD})},
  {
    name: "intermediate, path length 'none'",
    file: 'none/intermediate-1.pem',
    profile: caProfile({issuer: 'none/root.pem'}),
  },
  {
    name: 'root, path length 3 over 1 intermediate',
    file: 'num/root.pem',
    profile: caProfile({pathLen: 3, permitted: TD}),
  },
  {
    name: 'intermediate under a root with path length 3',
    file: 'num/intermediate-1.pem',
    profile: caProfile({issuer: 'num/root.pem'}),
  },
  {name: 'root without intermediates', file: 'flat/root.pem', profile: caProfile({pathLen: 0, permitted: TD})},
  {
    name: 'leaf, default subject',
    file: leafFile('default'),
    profile: leafProfile('default', {issuer: 'p256/intermediate-1.pem'}),
  },
  {
    name: 'leaf, empty subject: critical SAN',
    file: leafFile('empty'),
    profile: leafProfile('empty', {sanCritical: true, issuer: 'p256/intermediate-1.pem'}),
  },
  {
    name: 'leaf with DNS SANs',
    file: leafFile('dns'),
    profile: leafProfile('dns', {dns: ['a.example', 'b.example'], issuer: 'p256/intermediate-1.pem'}),
  },
  {
    name: 'RSA leaf without keyEncipherment',
    file: leafFile('rsa'),
    profile: leafProfile('rsa', {issuer: 'p256/intermediate-1.pem'}),
  },
  {
    name: 'RSA leaf with keyEncipherment',
    file: leafFile('rsa-ke'),
    profile: leafProfile('rsa-ke', {
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      issuer: 'p256/intermediate-1.pem',
    }),
  },
  {name: 'leaf signed by the root', file: leafFile('flat'), profile: leafProfile('flat', {issuer: 'flat/root.pem'})},
]

const base = suiteTmpDir()
const path = (...p: string[]) => join(base(), ...p)

async function ca(name: string, o: Omit<CreateAuthorityOptions, 'trustDomain'>): Promise<string> {
  await initCa({trustDomain: TD, out: path(name), ...o})
  return path(name)
}

async function leaf(name: string, caDir: string, o: Partial<IssueToDirectoryOptions> = {}): Promise<string> {
  await issueToDirectory({spiffeId: `spiffe://${TD}/${name}`, ca: caDir, out: path('svid', name), ...o})
  return path(leafFile(name))
}

beforeAll(async () => {
  for (const [name, o] of Object.entries(CAS)) await ca(name, o)
  for (const [name, [caName, o]] of Object.entries(LEAVES)) await leaf(name, path(caName), o)
}, 60_000)

const KU_TEXT = {
  digitalSignature: 'Digital Signature',
  keyEncipherment: 'Key Encipherment',
  keyCertSign: 'Certificate Sign',
  cRLSign: 'CRL Sign',
}

/** Returns the extensions OpenSSL must print, SKI/AKI values aside. */
function opensslExpected(p: Profile): Record<string, OpensslExtension> {
  const e: Record<string, OpensslExtension> = {
    'X509v3 Basic Constraints': {
      critical: true,
      value: p.ca ? `CA:TRUE${p.pathLen === undefined ? '' : `, pathlen:${p.pathLen}`}` : 'CA:FALSE',
    },
    'X509v3 Key Usage': {critical: true, value: p.keyUsage.map((k) => KU_TEXT[k]).join(', ')},
    'X509v3 Subject Alternative Name': {
      critical: p.sanCritical,
      value: [...p.uris.map((u) => `URI:${u}`), ...(p.dns ?? []).map((d) => `DNS:${d}`)].join(', '),
    },
  }
  if (p.eku)
    e['X509v3 Extended Key Usage'] = {
      critical: false,
      value: 'TLS Web Server Authentication, TLS Web Client Authentication',
    }
  if (p.permitted) e['X509v3 Name Constraints'] = {critical: true, value: `Permitted:\nURI:${p.permitted}`}
  return e
}

function parsed(file: string): ParsedCertificate {
  return readCertificates(readFileSync(file), file)[0]
}

describe('extensions as OpenSSL prints them', () => {
  it.skipIf(!hasOpenssl).for(cases)('$name', ({name, file, profile}) => {
    const v = opensslView(path(file))
    const {'X509v3 Subject Key Identifier': ski, 'X509v3 Authority Key Identifier': aki, ...rest} = v.extensions
    expect({name, extensions: rest}).toEqual({name, extensions: opensslExpected(profile)})
    expect(ski).toEqual({critical: false, value: expect.stringMatching(/^([0-9A-F]{2}:)+[0-9A-F]{2}$/)})
    if (profile.issuer) {
      expect(aki?.critical).toBe(false)
      expect(keyIdHex(aki!.value)).toBe(
        keyIdHex(opensslView(path(profile.issuer)).extensions['X509v3 Subject Key Identifier'].value),
      )
    } else {
      expect(aki).toBeUndefined()
    }
    if (profile.ca) expect(v.subject).not.toBe('')
    expect(v.subject).not.toMatch(/spiffe:/)
  })
})

describe('extensions as svidkit parses them', () => {
  it.for(cases)('$name', ({name, file, profile: p}) => {
    const c = parsed(path(file))
    const expected = [
      {oid: OID.basicConstraints, critical: true},
      {oid: OID.keyUsage, critical: true},
      ...(p.eku ? [{oid: OID.extKeyUsage, critical: false}] : []),
      {oid: OID.subjectAltName, critical: p.sanCritical},
      ...(p.permitted ? [{oid: OID.nameConstraints, critical: true}] : []),
      {oid: OID.subjectKeyIdentifier, critical: false},
      ...(p.issuer ? [{oid: OID.authorityKeyIdentifier, critical: false}] : []),
    ]
    const byOid = (a: {oid: string}, b: {oid: string}) => a.oid.localeCompare(b.oid)
    expect({name, extensions: [...c.extensions].sort(byOid)}).toEqual({name, extensions: expected.sort(byOid)})
    expect(c.version).toBe(3)
    expect(c.basicConstraints).toEqual({ca: p.ca, pathLen: p.pathLen, critical: true})
    expect(c.keyUsage).toEqual({names: p.keyUsage, critical: true})
    expect(c.extKeyUsage).toEqual(p.eku ? {oids: [OID.serverAuth, OID.clientAuth], critical: false} : undefined)
    expect(c.san).toEqual({uris: p.uris, dns: p.dns ?? [], ips: [], emails: [], other: 0, critical: p.sanCritical})
    expect(c.nameConstraints).toEqual(
      p.permitted ? {permitted: [{type: 'uri', value: p.permitted}], excluded: [], critical: true} : undefined,
    )
    expect(c.ski).toMatch(/^[0-9a-f]{40}$/)
    expect(c.aki).toBe(p.issuer ? parsed(path(p.issuer)).ski : undefined)
    expect(c.subject === '').toBe(p.sanCritical)
  })

  it('refuses keyEncipherment on a non-RSA leaf (exit 2)', async () => {
    const err = await issueToDirectory({
      spiffeId: `spiffe://${TD}/ke`,
      ca: path('p256'),
      out: path('svid', 'ke'),
      keyEncipherment: true,
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SvidkitError)
    expect((err as SvidkitError).code).toBe('usage')
    expect((err as SvidkitError).exit).toBe(2)
  })
})

// spiffe-rules.md §2: P-256 → ECDSA-SHA256, P-384 → ECDSA-SHA384, RSA → SHA256 PKCS#1 v1.5, Ed25519.
const signatures: {keyType: KeyType; openssl: string; oid: string}[] = [
  {keyType: 'ec-p256', openssl: 'ecdsa-with-SHA256', oid: '1.2.840.10045.4.3.2'},
  {keyType: 'ec-p384', openssl: 'ecdsa-with-SHA384', oid: '1.2.840.10045.4.3.3'},
  {keyType: 'rsa-2048', openssl: 'sha256WithRSAEncryption', oid: '1.2.840.113549.1.1.11'},
  {keyType: 'ed25519', openssl: 'ED25519', oid: '1.3.101.112'},
]

describe('signature algorithm follows the signing key', () => {
  it.for(signatures)('$keyType CA signs with $openssl', async ({keyType, openssl, oid}) => {
    const dir = await ca(`sig-${keyType}`, {keyType, intermediates: 1})
    // The leaf key type differs from the CA's on purpose: the issuer's key picks the algorithm.
    const leafFile = await leaf(`sig-${keyType}`, dir, {keyType: keyType === 'ec-p256' ? 'ed25519' : 'ec-p256'})
    for (const file of [join(dir, 'root.pem'), join(dir, 'intermediate-1.pem'), leafFile]) {
      expect(parsed(file).signatureOid).toBe(oid)
      if (hasOpenssl) expect(opensslView(file).signatureAlgorithm).toBe(openssl)
    }
  })
})

/** Returns the content bytes of the serialNumber INTEGER (two's complement, as encoded). */
function serialBytes(pem: string): Uint8Array {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64')
  return new Uint8Array(AsnConvert.parse(der, AsnCertificate).tbsCertificate.serialNumber)
}

describe('serial numbers', () => {
  it('are positive, at least 64 bits, at most 20 bytes, distinct, and reported as lowercase hex', async () => {
    const results = await issueToDirectory({
      spiffeId: `spiffe://${TD}/serial-{n}`,
      ca: path('p256'),
      out: path('serials', '{n}'),
      count: 16,
    })
    const files = [
      ...results.map((r) => r.files.cert),
      join(path('p256'), 'root.pem'),
      join(path('p256'), 'intermediate-1.pem'),
    ]
    const seen = new Set<string>()
    for (const file of files) {
      const bytes = serialBytes(certBlocks(readFileSync(file, 'utf8'))[0])
      expect(bytes[0] & 0x80).toBe(0) // positive
      expect(bytes.length).toBeLessThanOrEqual(20)
      const value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
      expect(value.toString(2).length).toBeGreaterThanOrEqual(64)
      const hex = value.toString(16)
      expect(parsed(file).serial).toBe(hex)
      if (hasOpenssl) expect(opensslView(file).serial.toLowerCase().replace(/^0+/, '')).toBe(hex)
      seen.add(hex)
    }
    expect(seen.size).toBe(files.length)
    expect(results.map((r) => r.serial)).toEqual(results.map((r) => parsed(r.files.cert).serial))
  })
})
