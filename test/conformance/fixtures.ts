/**
 * Shared material for the conformance tests: the go-spiffe fixtures of
 * /work/shared/conformance (../shared/conformance from the repository root), their
 * expectations, and the reason codes of spiffe-rules.md §3 steps 1–7.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {expect} from 'vitest'
import {SvidkitError, isSvidkitError, type ReasonCode} from '../../src/core/errors.js'
import {CONFORMANCE_DIR, hasConformance} from '../helpers/shared.js'

/** The repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..')

/** The conformance directory (README.md, expectations.json, go-spiffe/); tests using it call requireConformance(). */
export const CONFORMANCE = CONFORMANCE_DIR

export const SVID_DATA = 'go-spiffe/svid/x509svid/testdata'
export const X509_DATA = 'go-spiffe/bundle/x509bundle/testdata'
export const SPIFFE_DATA = 'go-spiffe/bundle/spiffebundle/testdata'

/** Returns the absolute path of a file given relative to the conformance directory. */
export function fx(rel: string): string {
  return path.join(CONFORMANCE, rel)
}

/** One entry of expectations.json. */
export interface Expectation {
  file: string
  kind: 'svid' | 'key' | 'bundle' | 'spiffe-bundle'
  key?: string
  at?: string
  expect: string
  note: string
}

export const EXPECTATIONS = (
  hasConformance ? JSON.parse(readFileSync(fx('expectations.json'), 'utf8')) : []
) as Expectation[]

/** Reason codes that steps 1 (read) of spiffe-rules.md §3 produce: thrown, exit 3. */
export const READ_CODES: ReadonlySet<string> = new Set([
  'pem-invalid',
  'key-invalid',
  'bundle-invalid',
  'file-not-found',
])

/** Reason codes of steps 2–7 (the SVID alone). */
export const SVID_CODES: ReadonlySet<string> = new Set([
  'no-uri-san',
  'multiple-uri-sans',
  'spiffe-id-invalid',
  'leaf-root-path',
  'leaf-is-ca',
  'leaf-no-digital-signature',
  'leaf-key-cert-sign',
  'leaf-crl-sign',
  'signing-cert-not-ca',
  'signing-cert-no-key-cert-sign',
  'key-mismatch',
])

/** Every code of steps 1–7. */
export const STEP_1_TO_7_CODES: ReadonlySet<string> = new Set([...READ_CODES, ...SVID_CODES])

/**
 * go-spiffe's messages (conformance README, without prefixes), which cli-contract.md says
 * svidkit's messages follow.
 */
export const GO_SPIFFE_MESSAGES: Partial<Record<ReasonCode, string>> = {
  'no-uri-san': 'certificate contains no URI SAN',
  'multiple-uri-sans': 'certificate contains more than one URI SAN',
  'leaf-root-path': 'leaf certificate SPIFFE ID must have a non-root path',
  'leaf-is-ca': 'leaf certificate must not have CA flag set to true',
  'leaf-no-digital-signature': "leaf certificate must have 'digitalSignature' set as key usage",
  'leaf-key-cert-sign': "leaf certificate must not have 'keyCertSign' set as key usage",
  'leaf-crl-sign': "leaf certificate must not have 'cRLSign' set as key usage",
  'signing-cert-not-ca': 'signing certificate must have CA flag set to true',
  'signing-cert-no-key-cert-sign': "signing certificate must have 'keyCertSign' set as key usage",
  'key-mismatch': 'leaf certificate does not match private key',
}

/** Returns the SvidkitError `fn` throws; fails the test when it returns or throws anything else. */
export function thrownBy(fn: () => unknown): SvidkitError {
  let result: unknown
  try {
    result = fn()
  } catch (err) {
    if (!isSvidkitError(err)) throw new Error(`expected a SvidkitError, got ${String(err)}`, {cause: err})
    return err
  }
  expect.fail(`expected a SvidkitError, but the call returned ${JSON.stringify(result)?.slice(0, 200)}`)
}

/** Returns the base name of a fixture path. */
export function baseName(rel: string): string {
  return rel.split('/').pop() as string
}
