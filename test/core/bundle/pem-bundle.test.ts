/** PEM (and DER) bundles (spiffe-rules.md §4.1) and toPemBundle. */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parsePemBundle, toPemBundle} from '../../../src/core/bundle/index.js'
import {toPem} from '../../../src/core/x509/pem.js'
import {
  INTERMEDIATE_EXAMPLE,
  PEMUTIL_1,
  PEMUTIL_2,
  ROOT_LOCAL,
  SVID_DATA,
  X509_DATA,
  fixture,
  pemOf,
  thrown,
} from './helpers.js'

const SRC = 'bundle.pem'
const bytes = (s: string | Uint8Array) => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s)

describe('parsePemBundle', () => {
  it.each([
    {name: '0 bytes', input: ''},
    {name: 'whitespace only', input: ' \n\t\r\n  '},
  ])('reads $name as a valid empty bundle, with a warning', ({input}) => {
    const bundle = parsePemBundle(bytes(input), SRC)
    expect(bundle).toEqual({
      authorities: [],
      format: 'pem',
      source: SRC,
      warnings: [`bundle "${SRC}" holds no X.509 authority: every SVID of its trust domain will be untrusted`],
    })
  })

  it('reads several CERTIFICATE blocks in file order, ignoring text between them', () => {
    const text = `roots of example.org\n${pemOf(ROOT_LOCAL)}\n# next\n${pemOf(INTERMEDIATE_EXAMPLE)}trailing words\n`
    const bundle = parsePemBundle(bytes(text), SRC)
    expect(bundle.authorities.map((c) => c.san?.uris)).toEqual([['spiffe://local'], ['spiffe://example.org']])
    expect(bundle.warnings).toEqual([])
  })

  it('drops duplicates, with a warning', () => {
    const bundle = parsePemBundle(bytes(pemOf(PEMUTIL_1, PEMUTIL_2, PEMUTIL_1)), SRC)
    expect(bundle.authorities.map((c) => c.subject)).toEqual(['CN=PEMUTILTEST1', 'CN=PEMUTILTEST2'])
    expect(bundle.warnings).toContain(`bundle "${SRC}": 1 duplicate certificate(s) dropped`)
  })

  it('reads one DER certificate', () => {
    const bundle = parsePemBundle(ROOT_LOCAL.der, SRC)
    expect(bundle.authorities).toHaveLength(1)
    expect(bundle.authorities[0].sha256).toBe(ROOT_LOCAL.sha256)
  })

  it('warns about authorities that are not CAs or name no trust domain', () => {
    expect(parsePemBundle(bytes(pemOf(PEMUTIL_1)), SRC).warnings).toEqual([
      `bundle "${SRC}": authority "CN=PEMUTILTEST1" is not a CA certificate (no basicConstraints cA=true)`,
      `bundle "${SRC}": authority "CN=PEMUTILTEST1" has no SPIFFE ID URI SAN, so it does not name its trust domain`,
    ])
  })

  it('warns about a private key next to the certificates', () => {
    const text = readFileSync(fixture(`${SVID_DATA}/good-cert-and-key.pem`), 'latin1')
    const bundle = parsePemBundle(bytes(text), SRC)
    expect(bundle.authorities).toHaveLength(1)
    expect(bundle.warnings).toContain(
      `bundle "${SRC}" also holds a private key; a bundle should hold only certificates`,
    )
  })

  const pem = pemOf(ROOT_LOCAL)
  it.each([
    {
      name: 'a private key only',
      input: readFileSync(fixture(`${X509_DATA}/key.pem`), 'latin1'),
      message: `no certificates found in "${SRC}" (found PRIVATE KEY)`,
      hint: "this looks like a private key, not a bundle; pass the trust domain's CA certificates (e.g. bundle.pem)",
    },
    {
      name: 'a certificate request',
      input: toPem('CERTIFICATE REQUEST', new Uint8Array([0x30, 0])),
      message: `no certificates found in "${SRC}" (found CERTIFICATE REQUEST)`,
      hint: "this looks like a certificate request, not a bundle; pass the trust domain's CA certificates",
    },
    {
      name: 'plain text',
      input: 'Not PEM encoded file',
      message: `no PEM blocks found in "${SRC}" and it is not DER`,
    },
    {
      name: 'a truncated PEM block',
      input: pem.slice(0, pem.length - 40),
      message: `PEM block "CERTIFICATE" has no matching END line (file truncated?) in "${SRC}"`,
      hint: 'the PEM is damaged (truncated, edited or with extra data); export the bundle again',
    },
    {
      name: 'a block that is not base64',
      input: '-----BEGIN CERTIFICATE-----\n$$$$\n-----END CERTIFICATE-----\n',
      message: `PEM block "CERTIFICATE" is not valid base64 in "${SRC}"`,
    },
    {
      name: 'a block that is not DER',
      input: toPem('CERTIFICATE', Buffer.from('CORRUPT')),
      message: `malformed certificate DER in certificate 1 of "${SRC}"`,
    },
    {
      name: 'a good block, then a bad one',
      input: pem + toPem('CERTIFICATE', Buffer.from('CORRUPT')),
      message: `malformed certificate DER in certificate 2 of "${SRC}"`,
    },
    {
      name: 'trailing bytes inside the block (corrupted.pem)',
      input: readFileSync(fixture(`${X509_DATA}/corrupted.pem`), 'latin1'),
      message: `48 unexpected bytes after the certificate in certificate 1 of "${SRC}"`,
    },
    {
      name: 'two concatenated DER certificates',
      input: Buffer.concat([ROOT_LOCAL.der, PEMUTIL_1.der]),
      message: `${PEMUTIL_1.der.length} unexpected bytes after the certificate in "${SRC}"`,
    },
  ])('refuses $name with bundle-invalid', ({input, message, hint}) => {
    const err = thrown(() => parsePemBundle(bytes(input), SRC))
    expect(err.code).toBe('bundle-invalid')
    expect(err.exit).toBe(3)
    expect(err.message).toBe(message)
    if (hint) expect(err.hint).toBe(hint)
    // The pem-invalid error of the x509 layer is kept as the cause
    expect((err.cause as {code?: string}).code).toBe('pem-invalid')
  })
})

describe('toPemBundle', () => {
  it('writes CERTIFICATE blocks that read back to the same authorities, duplicates dropped', () => {
    const text = toPemBundle([ROOT_LOCAL, PEMUTIL_1, ROOT_LOCAL])
    expect(text.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2)
    expect(text.endsWith('-----END CERTIFICATE-----\n')).toBe(true)
    expect(parsePemBundle(bytes(text), SRC).authorities.map((c) => c.sha256)).toEqual([
      ROOT_LOCAL.sha256,
      PEMUTIL_1.sha256,
    ])
  })

  it('writes an empty string for no authorities, which reads back as an empty bundle', () => {
    expect(toPemBundle([])).toBe('')
    expect(parsePemBundle(bytes(''), SRC).authorities).toEqual([])
  })
})
