import {SvidkitError} from '../errors.js'
import {parseCertificateDer, type ParsedCertificate} from './certificate.js'
import {hasPemArmour, parsePemBlocks, PemSyntaxError} from './pem.js'
import {derTlvLength} from './der-read.js'

function certificateFromDer(der: Uint8Array, where: string): ParsedCertificate {
  const tlv = derTlvLength(der)
  if (der.length === 0 || der[0] !== 0x30 || tlv < 0) {
    throw new SvidkitError('pem-invalid', `malformed certificate DER in ${where}`)
  }
  if (tlv > der.length) {
    throw new SvidkitError('pem-invalid', `truncated certificate DER in ${where}: ${der.length} of ${tlv} bytes`, {
      hint: 'the certificate is cut short; the file may have been read while a writer was replacing it',
    })
  }
  if (tlv !== der.length) {
    throw new SvidkitError('pem-invalid', `${der.length - tlv} unexpected bytes after the certificate in ${where}`, {
      hint: 'the certificate is followed by extra data; re-export it or check the file was not corrupted',
    })
  }
  try {
    return parseCertificateDer(der)
  } catch (err) {
    if (err instanceof SvidkitError)
      throw new SvidkitError(err.code, `${err.message} in ${where}`, {cause: err, hint: err.hint})
    throw new SvidkitError('pem-invalid', `malformed certificate in ${where}: ${(err as Error).message}`, {cause: err})
  }
}

/** Certificates read from one file at most: far above any chain or bundle, low enough to bound parsing work. */
const MAX_CERTIFICATES_PER_FILE = 1000

/**
 * Returns the certificates of a chain or bundle file, in file order (X509-SVID §5): PEM `CERTIFICATE` blocks (other block types skipped), or one DER
 * certificate when the file has no PEM armour. Throws `pem-invalid` when there is no
 * certificate, a block is malformed, or a certificate has trailing bytes.
 */
export function readCertificates(bytes: Uint8Array, source: string): ParsedCertificate[] {
  const text = Buffer.from(bytes).toString('latin1')
  if (!hasPemArmour(text)) {
    if (bytes.length === 0 || text.trim() === '') {
      throw new SvidkitError('pem-invalid', `no certificate found in "${source}" (the file is empty)`)
    }
    if (bytes[0] !== 0x30) {
      throw new SvidkitError('pem-invalid', `no PEM blocks found in "${source}" and it is not DER`)
    }
    return [certificateFromDer(bytes, `"${source}"`)]
  }
  let blocks
  try {
    blocks = parsePemBlocks(text)
  } catch (err) {
    if (err instanceof PemSyntaxError)
      throw new SvidkitError('pem-invalid', `${err.message} in "${source}"`, {cause: err})
    throw err
  }
  const certs = blocks.filter((b) => b.type === 'CERTIFICATE')
  if (certs.length === 0) {
    const found = [...new Set(blocks.map((b) => b.type))].join(', ') || 'no readable PEM block'
    throw new SvidkitError('pem-invalid', `no certificates found in "${source}" (found ${found})`, {
      hint: found.includes('PRIVATE KEY')
        ? 'this looks like a key file; pass the certificate (chain) file here and the key with --key'
        : 'pass a file with PEM CERTIFICATE blocks',
    })
  }
  if (certs.length > MAX_CERTIFICATES_PER_FILE) {
    throw new SvidkitError(
      'pem-invalid',
      `"${source}" holds ${certs.length} certificates, more than the limit of ${MAX_CERTIFICATES_PER_FILE} per file`,
      {
        hint: 'a chain holds a leaf and a few intermediates, a bundle a few roots; check the file',
      },
    )
  }
  return certs.map((b, i) => certificateFromDer(b.der, `certificate ${i + 1} of "${source}"`))
}
