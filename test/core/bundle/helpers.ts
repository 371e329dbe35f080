/**
 * Shared test material for bundle tests: go-spiffe's data files (vendored in
 * test/fixtures/go-spiffe), certificates taken from them, small in-memory CAs, and a helper
 * that returns the SvidkitError a call throws.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {expect} from 'vitest'
import {SvidkitError} from '../../../src/core/errors.js'
import {parseCertificateDer, type ParsedCertificate} from '../../../src/core/x509/certificate.js'
import type {KeyType} from '../../../src/core/x509/key-type.js'
import {crypto, x509} from '../../../src/core/x509/provider.js'
import {readCertificates} from '../../../src/core/x509/read.js'
import {goSpiffe, SPIFFE_DATA, SVID_DATA, X509_DATA} from '../../helpers/go-spiffe.js'

export {SPIFFE_DATA, SVID_DATA, X509_DATA}

/** Returns the absolute path of a vendored go-spiffe file given as `go-spiffe/<path>`. */
export const fixture = goSpiffe

/** Returns the parsed JSON of a vendored go-spiffe file. */
export function fixtureJson(rel: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fixture(rel), 'utf8')) as Record<string, unknown>
}

/** Returns the certificates of a vendored go-spiffe PEM file. */
export function fixtureCerts(rel: string): ParsedCertificate[] {
  return readCertificates(readFileSync(fixture(rel)), rel)
}

/** The x509-svid entry of spiffebundle_valid_1.json: the root with URI SAN spiffe://local, EC P-384. */
export const VALID_1_ENTRY = (
  fixtureJson(`${SPIFFE_DATA}/spiffebundle_valid_1.json`).keys as Record<string, unknown>[]
)[0]

/** The root of every spiffebundle fixture (spiffe://local, CA, EC P-384). */
export const ROOT_LOCAL = parseCertificateDer(new Uint8Array(Buffer.from((VALID_1_ENTRY.x5c as string[])[0], 'base64')))

/** The intermediate of good-leaf-and-intermediate.pem (spiffe://example.org, CA, EC P-384). */
export const INTERMEDIATE_EXAMPLE = fixtureCerts(`${SVID_DATA}/good-leaf-and-intermediate.pem`)[1]

/** CN=PEMUTILTEST1 and CN=PEMUTILTEST2: v1, RSA-768, no extensions, no SPIFFE ID. */
export const [PEMUTIL_1, PEMUTIL_2] = fixtureCerts(`${X509_DATA}/certs.pem`)

/** Returns PEM text of the certificates, as a bundle file would hold them. */
export function pemOf(...certs: ParsedCertificate[]): string {
  return certs.map((c) => c.node.toString()).join('')
}

// WebCrypto algorithms: these CAs are made by @peculiar/x509 directly, independently of svidkit's own builder.
/** Returns the WebCrypto algorithm that generates and imports keys of this type. */
function keyAlgorithm(type: KeyType): RsaHashedKeyGenParams | EcKeyGenParams | Algorithm {
  switch (type) {
    case 'ec-p256':
      return {name: 'ECDSA', namedCurve: 'P-256'} as EcKeyGenParams
    case 'ec-p384':
      return {name: 'ECDSA', namedCurve: 'P-384'} as EcKeyGenParams
    case 'ed25519':
      return {name: 'Ed25519'}
    default:
      return {
        name: 'RSASSA-PKCS1-v1_5',
        hash: 'SHA-256',
        modulusLength: Number(type.slice(4)),
        publicExponent: new Uint8Array([1, 0, 1]),
      } as RsaHashedKeyGenParams
  }
}

/**
 * Returns the signature algorithm a key of this type signs certificates with
 * (spiffe-rules.md §2: P-256 → ECDSA-SHA256, P-384 → ECDSA-SHA384, RSA → SHA256
 * with PKCS#1 v1.5, Ed25519 → Ed25519; never SHA-1).
 */
function signingAlgorithm(type: KeyType): Algorithm | EcdsaParams {
  switch (type) {
    case 'ec-p256':
      return {name: 'ECDSA', hash: 'SHA-256'} as EcdsaParams
    case 'ec-p384':
      return {name: 'ECDSA', hash: 'SHA-384'} as EcdsaParams
    case 'ed25519':
      return {name: 'Ed25519'}
    default:
      return {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'} as Algorithm
  }
}

/**
 * Returns a new self-signed CA certificate with the given URI SANs (none when empty).
 * Validity is fixed: 2026-01-01T00:00:00Z .. 2036-01-01T00:00:00Z.
 */
export async function makeCa(
  uris: string[],
  keyType: KeyType = 'ec-p256',
  name = 'O=svidkit test CA',
): Promise<ParsedCertificate> {
  const keys = (await crypto.subtle.generateKey(keyAlgorithm(keyType), true, ['sign', 'verify'])) as CryptoKeyPair
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ]
  if (uris.length > 0)
    extensions.push(new x509.SubjectAlternativeNameExtension(uris.map((value) => ({type: 'url' as const, value}))))
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a',
    name,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    keys,
    signingAlgorithm: signingAlgorithm(keyType),
    extensions,
  })
  return parseCertificateDer(new Uint8Array(cert.rawData))
}

/** Returns the SvidkitError that `fn` throws; fails the test when it returns or throws anything else. */
export function thrown(fn: () => unknown): SvidkitError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(SvidkitError)
    return err as SvidkitError
  }
  throw new Error('expected a SvidkitError, but the call returned')
}

/** A temporary directory for files that tests write; remove it with `cleanup`. */
export function tempDir(): {
  dir: string
  write: (name: string, content: string | Uint8Array) => string
  cleanup: () => void
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'svidkit-bundle-'))
  return {
    dir,
    write: (name, content) => {
      const p = path.join(dir, name)
      writeFileSync(p, content)
      return p
    },
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}
