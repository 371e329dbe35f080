import {createPublicKey, verify as verifySignature, type KeyObject} from 'node:crypto'
import {SvidkitError} from '../errors.js'
import {contentOf, elementOf, oidOf, readChildren, readTlv} from './der-read.js'
import {keyTypeOfKeyObject} from './keys.js'
import {hasPemArmour, parsePemBlocks} from './pem.js'
import {x509} from './provider.js'

/** What a PKCS#10 certificate signing request (RFC 2986) holds, as `inspect` and `issue --csr` read it. */
interface CsrInfo {
  /** RFC 4514 text of the subject; '' when empty. */
  subject: string
  /** The SANs requested, as `type:value` (dns:web, url:spiffe://…, ip:…). */
  sans: string[]
  keyType: string
  publicKey: KeyObject
  /** The self-signature: `valid`, `invalid`, or `unchecked` (an algorithm svidkit does not check, such as RSA-PSS). */
  signature: 'valid' | 'invalid' | 'unchecked'
}

const CSR_BLOCKS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'])

// Signature algorithm OID -> the digest node:crypto verifies with (null: the algorithm has its own, Ed25519).
const SIGNATURES: Record<string, string | null> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': null,
}

/** Returns the DER of the CSR in `bytes` (PEM "CERTIFICATE REQUEST", or DER of that shape), or undefined when it holds none. */
export function csrDer(bytes: Uint8Array): Uint8Array | undefined {
  const text = Buffer.from(bytes).toString('latin1')
  if (hasPemArmour(text)) {
    try {
      return parsePemBlocks(text).find((b) => CSR_BLOCKS.has(b.type))?.der
    } catch {
      return undefined
    }
  }
  // DER: a CertificationRequestInfo has exactly version, subject, SPKI and [0] attributes (a certificate's TBS has more).
  const top = readTlv(bytes, 0, bytes.length)
  const parts = top?.tag === 0x30 && top.end === bytes.length ? readChildren(bytes, top, 3, true) : undefined
  const info = parts?.length === 3 && parts[0].tag === 0x30 ? readChildren(bytes, parts[0], 5, true) : undefined
  return info?.length === 4 && info[0].tag === 0x02 && info[3].tag === 0xa0 ? bytes : undefined
}

function checkSignature(der: Uint8Array, key: KeyObject): CsrInfo['signature'] {
  const top = readTlv(der, 0, der.length)
  const parts = top && readChildren(der, top, 3, true)
  if (!parts || parts.length !== 3 || parts[2].tag !== 0x03) return 'invalid'
  const algParts = readChildren(der, parts[1], 2)
  let algorithm: string
  try {
    algorithm = oidOf(der, algParts?.[0] ?? parts[1], 'signature algorithm')
  } catch {
    return 'invalid'
  }
  if (!(algorithm in SIGNATURES)) return 'unchecked'
  const bits = contentOf(der, parts[2])
  if (bits.length < 1 || bits[0] !== 0) return 'invalid'
  try {
    return verifySignature(SIGNATURES[algorithm], elementOf(der, parts[0]), key, bits.subarray(1)) ? 'valid' : 'invalid'
  } catch {
    return 'invalid'
  }
}

/** Returns what the CSR DER holds; throws `pem-invalid` naming `source` when it cannot be parsed. */
export function readCsrDer(der: Uint8Array, source: string): CsrInfo {
  let csr: x509.Pkcs10CertificateRequest
  let publicKey: KeyObject
  try {
    csr = new x509.Pkcs10CertificateRequest(Uint8Array.from(der))
    publicKey = createPublicKey({key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki'})
  } catch (err) {
    throw new SvidkitError('pem-invalid', `cannot parse CSR "${source}"`, {
      cause: err,
      hint: 'pass a PKCS#10 CERTIFICATE REQUEST (PEM or DER)',
    })
  }
  const raw = csr.extensions.find((e) => e.type === '2.5.29.17')
  const sans = raw
    ? new x509.SubjectAlternativeNameExtension(raw.rawData).names.items.map((n) => `${n.type}:${n.value}`)
    : []
  return {
    subject: csr.subject,
    sans,
    keyType: keyTypeOfKeyObject(publicKey),
    publicKey,
    signature: checkSignature(der, publicKey),
  }
}
