/**
 * Certificates are parsed strictly (issue 8 items 6-8): validity times only in the forms
 * RFC 5280 §4.1.2.5 allows (`time-invalid`), one extension per OID (RFC 5280 §4.2,
 * `duplicate-extension`), a SAN list of 10,000 names read as valid, and a CA on the path
 * with an EKU warned about. Mutants are re-signed with the issuer's key, so only the
 * rule under test is broken; openssl is asked about the same files where it has a view.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {isSvidkitError} from '../../src/core/errors.js'
import {readCertificates} from '../../src/core/x509/read.js'
import {verifySvid} from '../../src/core/verify/verify.js'
import {singleBundleSet} from '../../src/core/bundle/single-set.js'
import {buildCertificate, nameDer} from '../../src/core/x509/build.js'
import {certificatePem, type ParsedCertificate} from '../../src/core/x509/certificate.js'
import {seq} from '../../src/core/x509/der.js'
import {toPem} from '../../src/core/x509/pem.js'
import {OID} from '../../src/core/x509/oids.js'
import {jsonOf, runCli, STACK_LINE} from '../helpers/cli.js'
import {hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {caCert, certParts, KIT_AT, leafCert, newKey, rawTime, resign, validityIndex, type Kp} from './chain-kit.js'

const dir = suiteTmpDir()
let rootKey: Kp
let root: ParsedCertificate
let leaf: ParsedCertificate

beforeAll(async () => {
  rootKey = newKey()
  root = await caCert('CN=root', rootKey, 'CN=root', rootKey)
  leaf = await leafCert('CN=root', rootKey)
  writeFileSync(join(dir(), 'root.pem'), certificatePem(root))
})

/** Returns the leaf with its validity replaced by the two raw time elements, re-signed by the root. */
function withValidity(nb: Buffer, na: Buffer): Uint8Array {
  const {fields, alg} = certParts(leaf.der)
  fields[validityIndex(fields)] = seq(nb, na)
  return resign(fields, alg, rootKey)
}

function thrownCode(der: Uint8Array): {code: string; message: string} {
  try {
    readCertificates(der, 'mutant')
  } catch (err) {
    if (isSvidkitError(err)) return {code: err.code, message: err.message}
    throw err
  }
  return {code: 'ok', message: ''}
}

const UTC = 0x17 as const
const GEN = 0x18 as const
const GOOD_NB = rawTime(UTC, '260101000000Z')

interface TimeRow {
  name: string
  nb?: Buffer
  na: Buffer
  /** `time-invalid` with a message part, or the notAfter read (ISO). */
  want: {code: 'time-invalid'; message: RegExp} | {notAfter: string}
}

const TIME_ROWS: TimeRow[] = [
  {
    name: 'month 13',
    na: rawTime(UTC, '261301000000Z'),
    want: {code: 'time-invalid', message: /^notAfter "261301000000Z" is not a valid UTCTime: month 13 is out of range/},
  },
  {
    name: 'garbage notBefore',
    nb: rawTime(UTC, 'garbage!!!!!Z'),
    na: rawTime(UTC, '270101000000Z'),
    want: {code: 'time-invalid', message: /^notBefore "garbage!!!!!Z" is not a valid UTCTime: the form/},
  },
  {
    name: 'February 30',
    na: rawTime(UTC, '260230000000Z'),
    want: {code: 'time-invalid', message: /day 30 does not exist in 2026-02/},
  },
  {
    name: 'February 29 of a common year',
    na: rawTime(UTC, '270229000000Z'),
    want: {code: 'time-invalid', message: /day 29 does not exist in 2027-02/},
  },
  {name: 'hour 24', na: rawTime(UTC, '260101240000Z'), want: {code: 'time-invalid', message: /hour 24/}},
  {name: 'second 60', na: rawTime(UTC, '260101235960Z'), want: {code: 'time-invalid', message: /second 60/}},
  {
    name: 'no seconds',
    na: rawTime(UTC, '2601010000Z'),
    want: {code: 'time-invalid', message: /the form must be YYMMDDHHMMSSZ/},
  },
  {
    name: 'an offset instead of Z',
    na: rawTime(UTC, '260101000000+0100'),
    want: {code: 'time-invalid', message: /the form must be/},
  },
  {
    name: 'fractional seconds',
    na: rawTime(GEN, '20260101000000.5Z'),
    want: {code: 'time-invalid', message: /GeneralizedTime: the form must be YYYYMMDDHHMMSSZ/},
  },
  {
    name: 'local GeneralizedTime (no Z)',
    na: rawTime(GEN, '20260101000000'),
    want: {code: 'time-invalid', message: /GeneralizedTime/},
  },
  {
    name: 'UTCTime with a four-digit year',
    na: rawTime(UTC, '20260101000000Z'),
    want: {code: 'time-invalid', message: /UTCTime: the form/},
  },
  {name: 'February 29 of a leap year', na: rawTime(UTC, '280229000000Z'), want: {notAfter: '2028-02-29T00:00:00.000Z'}},
  {name: 'UTCTime 49 is 2049', na: rawTime(UTC, '491231235959Z'), want: {notAfter: '2049-12-31T23:59:59.000Z'}},
  {name: 'UTCTime 50 is 1950', na: rawTime(UTC, '500101000000Z'), want: {notAfter: '1950-01-01T00:00:00.000Z'}},
  {name: 'GeneralizedTime 2050', na: rawTime(GEN, '20500101000000Z'), want: {notAfter: '2050-01-01T00:00:00.000Z'}},
]

describe('validity times (RFC 5280 §4.1.2.5)', () => {
  it.each(TIME_ROWS.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    const der = withValidity(row.nb ?? GOOD_NB, row.na)
    if ('code' in row.want) {
      const got = thrownCode(der)
      expect(got.code).toBe('time-invalid')
      expect(got.message).toMatch(row.want.message)
    } else {
      expect(readCertificates(der, 'mutant')[0].notAfter.toISOString()).toBe(row.want.notAfter)
    }
  })

  it('openssl agrees: it refuses month 13 and February 30 and accepts the leap day', () => {
    warnIfMissing('openssl', hasOpenssl)
    if (!hasOpenssl) return
    const verdict = (na: Buffer) => {
      const f = join(dir(), 'time-mutant.pem')
      writeFileSync(f, toPem('CERTIFICATE', withValidity(GOOD_NB, na)))
      return run('openssl', [
        'verify',
        '-attime',
        String(KIT_AT.getTime() / 1000),
        '-CAfile',
        join(dir(), 'root.pem'),
        f,
      ]).status
    }
    expect(verdict(rawTime(UTC, '261301000000Z'))).not.toBe(0)
    expect(verdict(rawTime(UTC, '260230000000Z'))).not.toBe(0)
    expect(verdict(rawTime(UTC, '280229000000Z'))).toBe(0)
  })
})

describe('one extension per OID (RFC 5280 §4.2)', () => {
  it('two subjectAltName extensions: duplicate-extension through the library, the CLI (both modes) and openssl', async () => {
    // Append a second SAN extension (another SPIFFE ID) to a valid leaf's extensions and re-sign.
    const {fields, alg} = certParts(leaf.der)
    const extIdx = fields.length - 1
    const extsOuter = fields[extIdx] // [3] { SEQUENCE { ext... } }
    const exts = extsOuter.subarray(extsOuter[1] & 0x80 ? 2 + (extsOuter[1] & 0x7f) : 2)
    const seqContent = exts.subarray(exts[1] & 0x80 ? 2 + (exts[1] & 0x7f) : 2)
    const dupSan = seq(
      Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x11]),
      Buffer.concat([Buffer.from([0x04]), lenBytes(seq(uri('spiffe://example.org/admin')))]),
    )
    const rebuilt = Buffer.concat([
      Buffer.from([0xa3]),
      derLen(seq(seqContent, dupSan).length),
      seq(seqContent, dupSan),
    ])
    fields[extIdx] = rebuilt
    const der = resign(fields, alg, rootKey)
    const got = thrownCode(der)
    expect(got).toEqual({
      code: 'duplicate-extension',
      message: expect.stringMatching(/^duplicate extension "2\.5\.29\.17" \(subjectAltName\)/),
    })

    const f = join(dir(), 'two-sans.pem')
    writeFileSync(f, toPem('CERTIFICATE', der))
    const human = await runCli([
      'verify',
      f,
      '--bundle',
      `example.org=${join(dir(), 'root.pem')}`,
      '--at',
      KIT_AT.toISOString(),
    ])
    expect({exit: human.exit, stack: STACK_LINE.test(human.stderr)}).toEqual({exit: 3, stack: false})
    expect(human.stderr).toMatch(/^error \[duplicate-extension\]: duplicate extension "2\.5\.29\.17"/)
    const json = await runCli([
      'verify',
      f,
      '--bundle',
      `example.org=${join(dir(), 'root.pem')}`,
      '--at',
      KIT_AT.toISOString(),
      '--json',
    ])
    expect({exit: json.exit, code: (jsonOf(json.stdout) as {errors: {code: string}[]}).errors[0].code}).toEqual({
      exit: 3,
      code: 'duplicate-extension',
    })
    const inspect = await runCli(['inspect', f])
    expect({exit: inspect.exit, err: inspect.stderr}).toEqual({
      exit: 3,
      err: expect.stringMatching(/^error \[duplicate-extension\]/),
    })
    warnIfMissing('openssl', hasOpenssl)
    if (hasOpenssl) {
      expect(
        run('openssl', ['verify', '-attime', String(KIT_AT.getTime() / 1000), '-CAfile', join(dir(), 'root.pem'), f])
          .status,
      ).not.toBe(0)
    }
  })
})

function derLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function lenBytes(content: Buffer): Buffer {
  return Buffer.concat([derLen(content.length), content])
}

function uri(text: string): Buffer {
  return Buffer.concat([Buffer.from([0x86]), lenBytes(Buffer.from(text, 'latin1'))])
}

describe('limits that must not refuse valid certificates, and CA EKU', () => {
  it('a leaf with 10,000 DNS SANs besides its SPIFFE ID verifies', async () => {
    const k = newKey()
    const big = await buildCertificate({
      subject: 'O=kit',
      issuerName: nameDer('CN=root'),
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      publicKey: k.publicKey,
      signingKey: rootKey.privateKey,
      basicConstraints: {ca: false, critical: true},
      keyUsage: {names: ['digitalSignature'], critical: true},
      san: {
        uris: ['spiffe://example.org/web'],
        dns: Array.from({length: 10_000}, (_, i) => `h${i}.example.org`),
        critical: false,
      },
    })
    expect(big.san?.dns).toHaveLength(10_000)
    const r = verifySvid({chain: [big], bundles: singleBundleSet('example.org', [root]), at: KIT_AT})
    expect({valid: r.valid, errors: r.errors}).toEqual({valid: true, errors: []})
  })

  it('a CA on the path with an EKU is warned about, and the SVID stays valid', async () => {
    const ik = newKey()
    const {buildCertificate: build} = await import('../../src/core/x509/build.js')
    const inter = await build({
      subject: 'CN=int',
      issuerName: nameDer('CN=root'),
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      publicKey: ik.publicKey,
      signingKey: rootKey.privateKey,
      basicConstraints: {ca: true, critical: true},
      keyUsage: {names: ['keyCertSign'], critical: true},
      extKeyUsage: {oids: [OID.serverAuth], critical: false},
      san: {uris: ['spiffe://example.org'], critical: false},
    })
    const l = await leafCert('CN=int', ik)
    const r = verifySvid({chain: [l, inter], bundles: singleBundleSet('example.org', [root]), at: KIT_AT})
    expect(r.valid).toBe(true)
    expect(r.warnings).toContainEqual(
      expect.stringMatching(/^CA "CN=int" on the path carries an extended key usage \(serverAuth\)/),
    )
    const plain = verifySvid({chain: [leaf], bundles: singleBundleSet('example.org', [root]), at: KIT_AT})
    expect(plain.warnings.filter((w) => w.includes('extended key usage'))).toEqual([])
  })
})
