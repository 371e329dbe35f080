/**
 * The shape of verify's reports, so results can be compared with go-spiffe and scripted
 * (cli-contract.md "JSON output", spiffe-rules.md §3): the human report shows every
 * check and the chain tree; `--json` has the contract fields with their types, checks in
 * the order of the algorithm's steps, serials as lowercase hex without leading zeros and
 * times as RFC 3339 UTC.
 */
import {X509Certificate} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {chainPem, signingCredential} from '../../src/index.js'
import {leafProfile} from '../../src/core/svid/profile.js'
import {buildCertificate} from '../../src/core/x509/build.js'
import {generateKeyPair} from '../../src/core/x509/keys.js'
import type {VerifyResult} from '../../src/index.js'
import {runCli} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {HOUR, issueTo, makeCa, OTHER_TD, plain, svidFiles, TD, WEB, type CaFixture} from './fixtures.js'

/** The document `verify --json` prints. */
type Doc = VerifyResult

/** The check names in the order of the steps of spiffe-rules.md §3. */
const STEP_ORDER = [
  'read',
  'uri-san',
  'spiffe-id',
  'root-path',
  'leaf-flags',
  'signing-certs',
  'key-match',
  'bundle',
  'path',
  'keys',
  'validity',
  'name-constraints',
  'ca-flags',
  'path-length',
  'critical-extensions',
  'profile',
  'expected-id',
  'expected-trust-domain',
  'eku',
]
const CONTRACT_FIELDS = ['valid', 'spiffeId', 'trustDomain', 'errors', 'warnings', 'checks', 'chain']
/** Top-level fields svidkit adds beyond the contract's minimum. */
const KNOWN_EXTRA_FIELDS = ['bundle', 'at', 'expiresInMs']
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/
const SERIAL = /^(0|[1-9a-f][0-9a-f]*)$/

const base = suiteTmpDir()
let ca: CaFixture
let other: CaFixture
let web: string
let expired: string
let zeroSerialChain: string
const ZERO_SERIAL = '0a' + 'b1'.repeat(15)

beforeAll(async () => {
  ;[ca, other] = await Promise.all([makeCa(join(base(), 'ca'), TD), makeCa(join(base(), 'ca-other'), OTHER_TD)])
  web = await issueTo(ca, join(base(), 'web'))
  expired = await issueTo(ca, join(base(), 'expired'), {defects: ['expired']})
  // A leaf whose serial's hex starts with "0" (its DER INTEGER is 0x0a b1 …).
  const signer = signingCredential(ca.authority)
  const keys = await generateKeyPair('ec-p256')
  const leaf = await buildCertificate({
    serial: ZERO_SERIAL,
    subject: 'O=svidkit',
    issuerName: signer.cert.subjectDer,
    authorityKeyId: signer.cert.ski,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + HOUR),
    publicKey: keys.publicKey,
    signingKey: signer.key,
    ...leafProfile({spiffeId: WEB, subject: 'O=svidkit'}),
  })
  zeroSerialChain = join(base(), 'zero-serial.pem')
  writeFileSync(zeroSerialChain, chainPem([leaf, signer.cert]))
})

function checkShape(doc: Doc): void {
  for (const k of CONTRACT_FIELDS) expect(doc, k).toHaveProperty(k)
  expect(Object.keys(doc).filter((k) => !CONTRACT_FIELDS.includes(k) && !KNOWN_EXTRA_FIELDS.includes(k))).toEqual([])
  expect(typeof doc.valid).toBe('boolean')
  expect(doc.spiffeId === null || typeof doc.spiffeId === 'string').toBe(true)
  expect(doc.trustDomain === null || typeof doc.trustDomain === 'string').toBe(true)
  expect(Array.isArray(doc.errors)).toBe(true)
  for (const e of doc.errors) {
    expect(Object.keys(e).sort()).toEqual(['code', 'hint', 'message'])
    for (const v of Object.values(e)) expect(typeof v).toBe('string')
  }
  expect(doc.valid).toBe(doc.errors.length === 0)
  expect(doc.warnings.every((w) => typeof w === 'string')).toBe(true)
  for (const c of doc.checks) {
    expect(['code', 'message', 'name', 'status']).toEqual(expect.arrayContaining(Object.keys(c)))
    expect(['pass', 'fail', 'warn', 'skip']).toContain(c.status)
    expect(typeof c.name).toBe('string')
    expect(typeof c.message).toBe('string')
    if (c.status === 'fail') expect(typeof c.code).toBe('string')
  }
  // Checks appear in step order.
  const order = [...new Set(doc.checks.map((c) => c.name))].map((n) => STEP_ORDER.indexOf(n))
  expect(
    order.every((i) => i >= 0),
    doc.checks.map((c) => c.name).join(','),
  ).toBe(true)
  expect(order).toEqual([...order].sort((a, b) => a - b))
  // errors[0] is the failure of the earliest failing check.
  if (!doc.valid) expect(doc.errors[0].code).toBe(doc.checks.find((c) => c.status === 'fail')?.code)
  expect(Array.isArray(doc.chain)).toBe(true)
  for (const c of doc.chain) {
    expect(c.serial).toMatch(SERIAL)
    expect(c.notBefore).toMatch(RFC3339_UTC)
    expect(c.notAfter).toMatch(RFC3339_UTC)
  }
  if (doc.at !== undefined) expect(doc.at).toMatch(RFC3339_UTC)
}

async function both(args: string[]): Promise<{exit: number; doc: Doc; human: string}> {
  const json = await runCli(['verify', ...args, '--json'])
  const human = await runCli(['verify', ...args])
  expect(human.exit).toBe(json.exit)
  return {exit: json.exit, doc: JSON.parse(json.stdout) as Doc, human: plain(human.stdout)}
}

describe('verify --json has the contract fields', () => {
  it('a valid SVID: every step recorded, in order, each check passing', async () => {
    const {exit, doc} = await both(['--dir', web, '--expect-id', WEB, '--expect-trust-domain', TD, '--strict'])
    expect(exit).toBe(0)
    checkShape(doc)
    expect(doc).toMatchObject({valid: true, spiffeId: WEB, trustDomain: TD, errors: [], warnings: []})
    expect(doc.checks.map((c) => c.name)).toEqual(STEP_ORDER)
    expect(doc.checks.every((c) => c.status === 'pass')).toBe(true)
    expect(doc.chain.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root'])
  })

  it('an expired SVID: fail row and skipped later path checks; message as go-spiffe words it', async () => {
    const {exit, doc} = await both(['--dir', expired])
    expect(exit).toBe(4)
    checkShape(doc)
    expect(doc.errors[0].message).toMatch(
      /^certificate has expired or is not yet valid: current time \S+Z is after \S+Z /,
    )
    const status = Object.fromEntries(doc.checks.map((c) => [c.name, c.status]))
    expect(status).toMatchObject({
      validity: 'fail',
      'name-constraints': 'skip',
      'path-length': 'skip',
      'critical-extensions': 'skip',
    })
  })

  it('no SPIFFE ID: spiffeId and trustDomain are null, bundle and path skipped', async () => {
    const dir = await issueTo(ca, join(base(), 'no-san'), {defects: ['no-uri-san']})
    const {exit, doc} = await both(['--dir', dir])
    expect(exit).toBe(4)
    checkShape(doc)
    expect(doc.spiffeId).toBeNull()
    expect(doc.trustDomain).toBeNull()
    expect(doc.checks.filter((c) => ['bundle', 'path'].includes(c.name)).map((c) => c.status)).toEqual(['skip', 'skip'])
  })

  it("untrusted-chain carries go-spiffe's exact message", async () => {
    const dir = await issueTo(ca, join(base(), 'untrusted'), {defects: ['untrusted']})
    const {doc} = await both(['--dir', dir])
    expect(doc.errors[0].message).toBe(
      'x509svid: could not verify leaf certificate: x509: certificate signed by unknown authority',
    )
  })

  it('serials are lowercase hex without leading zeros, equal to the certificate serial', async () => {
    const {exit, doc} = await both([zeroSerialChain, '--bundle', ca.bundlePem])
    expect(exit, JSON.stringify(doc.errors)).toBe(0)
    checkShape(doc)
    expect(doc.chain[0].serial).toBe(ZERO_SERIAL.replace(/^0+/, ''))
    for (const c of [...doc.chain]) expect(c.serial).not.toMatch(/^0./)
    const node = new X509Certificate(readFileSync(svidFiles(web).cert))
    const webDoc = (await both(['--dir', web])).doc
    expect(webDoc.chain[0].serial).toBe(node.serialNumber.toLowerCase().replace(/^0+/, ''))
  })

  it('times are RFC 3339 UTC and match the certificate', async () => {
    const {doc} = await both(['--dir', web, '--at', '2030-01-01T12:00:00+02:00'])
    checkShape(doc)
    expect(doc.at).toBe('2030-01-01T10:00:00Z')
    const node = new X509Certificate(readFileSync(svidFiles(web).cert))
    expect(new Date(doc.chain[0].notAfter).getTime()).toBe(new Date(node.validTo).getTime())
    expect(new Date(doc.chain[0].notBefore).getTime()).toBe(new Date(node.validFrom).getTime())
  })
})

describe('the human report', () => {
  it('lists every check of the JSON document with its status, and the chain tree', async () => {
    const {doc, human} = await both(['--dir', web])
    expect(human).toMatch(/^VALID {2}spiffe:\/\/example\.org\/web$/m)
    const mark = {pass: 'ok', fail: 'FAIL', warn: 'warn', skip: 'skip'} as Record<string, string>
    for (const c of doc.checks) expect(human).toMatch(new RegExp(`^ {2}${mark[c.status]}\\s+${c.name}\\s`, 'm'))
    for (const name of STEP_ORDER) expect(human, name).toMatch(new RegExp(`\\s${name}\\s`))
    // Tree: root (from the bundle), then intermediate, then leaf, each with serial and validity.
    expect(human).toMatch(/^chain$/m)
    expect(human).toMatch(/^ {2}root spiffe:\/\/example\.org {2}O=svidkit, OU=example\.org, CN=root CA 1$/m)
    expect(human).toMatch(
      /^ {2}└─ intermediate spiffe:\/\/example\.org {2}O=svidkit, OU=example\.org, CN=intermediate CA 1$/m,
    )
    expect(human).toMatch(/^ {5}└─ leaf spiffe:\/\/example\.org\/web {2}O=svidkit$/m)
    for (const c of doc.chain) expect(human).toContain(`serial ${c.serial}`)
    expect(human).toContain('[from bundle]')
  })

  it('an invalid SVID: reason with code, hint, the failing check, and the tree without the unreached root', async () => {
    const {doc, human} = await both(['--dir', expired])
    expect(human).toMatch(/^INVALID {2}spiffe:\/\/example\.org\/web$/m)
    expect(human).toMatch(/^ {2}reason {2}\[cert-expired\] certificate has expired/m)
    expect(human).toMatch(/^ {2}hint {4}the leaf expired/m)
    expect(human).toMatch(/^ {2}FAIL\s+validity\s+\[cert-expired\]/m)
    expect(human).toMatch(/└─ leaf spiffe:\/\/example\.org\/web/)
    expect(human).toMatch(/\(expired [0-9hms]+ ago\)/)
    expect(doc.chain.at(-1)?.role).toBe('root')
  })

  /**
   * The tree follows the verified path (leaf, intermediates, the anchor), not the chain
   * file's order; extra CA certificates in the file are listed as not on the path.
   */
  it('the chain tree follows the verified path, not the file order', async () => {
    // leaf, an unrelated CA (other.org's root), then the leaf's real issuer: a valid chain file.
    const [leafPem, intermediatePem] = readFileSync(svidFiles(web).cert, 'utf8').split(
      /(?<=-----END CERTIFICATE-----\n)/,
    )
    const multi = join(base(), 'multi.pem')
    writeFileSync(multi, leafPem + readFileSync(join(other.dir, 'root.pem'), 'utf8') + intermediatePem)
    const {exit, human} = await both([multi, '--bundle', ca.bundlePem])
    expect(exit).toBe(0)
    const tree = human
      .slice(human.indexOf('\nchain\n'))
      .split('\n')
      .filter((l) => /^ +(└─ )?(root|intermediate|leaf) /.test(l))
    const leafAt = tree.findIndex((l) => / leaf spiffe:/.test(l))
    // The leaf's parent in the tree is its issuer, example.org's intermediate.
    expect(tree[leafAt - 1]).toContain('OU=example.org, CN=intermediate CA 1')
  })
})
