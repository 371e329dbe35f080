/**
 * PEM (or DER) bundles: concatenated CERTIFICATE blocks (X509-SVID §6).
 */
import {SvidkitError} from '../errors.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {toPem} from '../x509/pem.js'
import {readCertificates} from '../x509/read.js'
import {authorityWarnings, dedupeAuthorities, emptyBundleWarning, type X509Bundle} from './x509-bundle.js'
import {pushAll} from '../arrays.js'

const BEGIN_CERTIFICATE = '-----BEGIN CERTIFICATE-----'
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/
const CSR_BLOCK = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----/

/** Returns a hint for a PEM file that could not be read as a bundle, by what it looks like. */
function hintFor(text: string): string | undefined {
  if (!text.includes(BEGIN_CERTIFICATE)) {
    if (PRIVATE_KEY_BLOCK.test(text)) {
      return "this looks like a private key, not a bundle; pass the trust domain's CA certificates (e.g. bundle.pem)"
    }
    if (CSR_BLOCK.test(text)) {
      return "this looks like a certificate request, not a bundle; pass the trust domain's CA certificates"
    }
  }
  if (!text.includes(BEGIN_CERTIFICATE) && text.includes('-----BEGIN PUBLIC KEY-----')) {
    return "this is a bare public key, not a bundle; a bundle holds the trust domain's CA certificates"
  }
  if (text.includes('-----BEGIN '))
    return 'the PEM is damaged (truncated, edited or with extra data); export the bundle again'
  return undefined
}

/**
 * Returns the bundle held by PEM `CERTIFICATE` blocks, or by one DER certificate when the
 * file has no PEM armour (X509-SVID §6). A 0-byte or whitespace-only file is a valid empty
 * bundle, with a warning. Throws `bundle-invalid` when there is no certificate block,
 * a block or its DER is malformed, or a certificate has trailing bytes.
 */
export function parsePemBundle(bytes: Uint8Array, source: string): X509Bundle {
  const text = Buffer.from(bytes).toString('latin1')
  if (text.trim() === '') {
    return {authorities: [], format: 'pem', source, warnings: [emptyBundleWarning(source)]}
  }
  let certs: ParsedCertificate[]
  try {
    certs = readCertificates(bytes, source)
  } catch (err) {
    if (
      err instanceof SvidkitError &&
      (err.code === 'pem-invalid' || err.code === 'time-invalid' || err.code === 'duplicate-extension')
    ) {
      throw new SvidkitError('bundle-invalid', err.message, {cause: err, path: source, hint: hintFor(text)})
    }
    throw err
  }
  const authorities = dedupeAuthorities(certs)
  const warnings: string[] = []
  if (authorities.length < certs.length) {
    warnings.push(`bundle "${source}": ${certs.length - authorities.length} duplicate certificate(s) dropped`)
  }
  if (PRIVATE_KEY_BLOCK.test(text)) {
    warnings.push(`bundle "${source}" also holds a private key; a bundle should hold only certificates`)
  }
  for (const cert of authorities) pushAll(warnings, authorityWarnings(cert, source))
  return {authorities, format: 'pem', source, warnings}
}

/** Returns the certificates as concatenated PEM `CERTIFICATE` blocks, duplicates dropped. */
export function toPemBundle(certs: readonly ParsedCertificate[]): string {
  return dedupeAuthorities(certs)
    .map((c) => toPem('CERTIFICATE', c.der))
    .join('')
}
