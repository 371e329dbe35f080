import {childrenOf, DerError, oidText, readTlv, timeValue, type Tlv} from '../x509/der.js'

/**
 * The fields of a certificate as they sit in its DER (RFC 5280 §4.1), read by a small
 * TLV walker instead of a schema library. Issuance reads each new leaf once with it:
 * the self-check and the in-memory description both use this one read.
 */
export interface CertificateFields {
  der: Uint8Array
  /** The signed part (tbsCertificate), for signature verification. */
  tbs: Uint8Array
  /** DER of the outer signatureAlgorithm AlgorithmIdentifier. */
  signatureAlgorithm: Uint8Array
  signatureOid: string
  signature: Uint8Array
  /** 0-based version field (2 = v3). */
  version: number
  /** Content bytes of the serialNumber INTEGER. */
  serial: Uint8Array
  issuerDer: Uint8Array
  subjectDer: Uint8Array
  notBefore: Date
  notAfter: Date
  spki: Uint8Array
  extensions: {oid: string; critical: boolean; value: Uint8Array}[]
}

const at = (der: Uint8Array, t: Tlv) => der.subarray(t.start, t.end)
const body = (der: Uint8Array, t: Tlv) => der.subarray(t.content, t.end)

function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}`)
  return t
}

function readExtensions(der: Uint8Array, wrapper: Tlv | undefined): CertificateFields['extensions'] {
  if (!wrapper) return []
  const list = expectTag(childrenOf(der, expectTag(wrapper, 0xa3, 'extensions'))[0], 0x30, 'extensions')
  return childrenOf(der, list).map((e) => {
    const parts = childrenOf(der, expectTag(e, 0x30, 'extension'))
    const id = oidText(body(der, expectTag(parts[0], 0x06, 'extnID')))
    const critical = parts.length === 3 && parts[1].tag === 0x01 && der[parts[1].content] !== 0
    const value = expectTag(parts[parts.length - 1], 0x04, 'extnValue')
    if (parts.length < 2 || parts.length > 3 || (parts.length === 3 && parts[1].tag !== 0x01)) throw new DerError(`malformed extension ${id}`)
    return {oid: id, critical, value: body(der, value)}
  })
}

/** Returns the fields of a DER certificate; throws DerError when its structure is not a certificate. */
export function readCertificateFields(der: Uint8Array): CertificateFields {
  const outer = expectTag(readTlv(der, 0), 0x30, 'certificate')
  if (outer.end !== der.length) throw new DerError('bytes after the certificate')
  const [tbsT, algT, sigT, ...rest] = childrenOf(der, outer)
  if (rest.length > 0) throw new DerError('extra fields in the certificate')
  const tbsParts = childrenOf(der, expectTag(tbsT, 0x30, 'tbsCertificate'))
  let i = 0
  let version = 0
  if (tbsParts[0]?.tag === 0xa0) {
    const v = expectTag(childrenOf(der, tbsParts[0])[0], 0x02, 'version')
    version = der[v.content]
    i = 1
  }
  const serial = expectTag(tbsParts[i], 0x02, 'serialNumber')
  const innerAlg = expectTag(tbsParts[i + 1], 0x30, 'signature')
  const issuer = expectTag(tbsParts[i + 2], 0x30, 'issuer')
  const validity = childrenOf(der, expectTag(tbsParts[i + 3], 0x30, 'validity'))
  const subject = expectTag(tbsParts[i + 4], 0x30, 'subject')
  const spki = expectTag(tbsParts[i + 5], 0x30, 'subjectPublicKeyInfo')
  const ext = tbsParts.slice(i + 6).find((t) => t.tag === 0xa3)
  const alg = expectTag(algT, 0x30, 'signatureAlgorithm')
  if (!Buffer.from(at(der, alg)).equals(at(der, innerAlg))) throw new DerError('signature algorithms differ inside and outside tbsCertificate')
  const sig = expectTag(sigT, 0x03, 'signatureValue')
  if (validity.length !== 2) throw new DerError('validity')
  return {
    der,
    tbs: at(der, tbsT),
    signatureAlgorithm: at(der, alg),
    signatureOid: oidText(body(der, expectTag(childrenOf(der, alg)[0], 0x06, 'algorithm'))),
    signature: der.subarray(sig.content + 1, sig.end),
    version,
    serial: body(der, serial),
    issuerDer: at(der, issuer),
    subjectDer: at(der, subject),
    notBefore: timeValue(validity[0].tag, body(der, validity[0])),
    notAfter: timeValue(validity[1].tag, body(der, validity[1])),
    spki: at(der, spki),
    extensions: readExtensions(der, ext),
  }
}

/** The SAN names of a subjectAltName value, by type; anything else is counted in `other`. */
export function sanNames(value: Uint8Array): {uris: string[]; dns: string[]; other: number} {
  const out = {uris: [] as string[], dns: [] as string[], other: 0}
  const seq = expectTag(readTlv(value, 0), 0x30, 'subjectAltName')
  for (const g of childrenOf(value, seq)) {
    const text = Buffer.from(body(value, g)).toString('latin1')
    if (g.tag === 0x86) out.uris.push(text)
    else if (g.tag === 0x82) out.dns.push(text)
    else out.other++
  }
  return out
}

/** Returns the basicConstraints value: cA (default false) and pathLenConstraint. */
export function basicConstraintsOf(value: Uint8Array): {ca: boolean; pathLen?: number} {
  const parts = childrenOf(value, expectTag(readTlv(value, 0), 0x30, 'basicConstraints'))
  let k = 0
  let ca = false
  if (parts[k]?.tag === 0x01) ca = value[parts[k++].content] !== 0
  let pathLen: number | undefined
  if (parts[k]?.tag === 0x02) {
    pathLen = 0
    for (const b of body(value, parts[k])) pathLen = pathLen * 256 + b
  }
  return {ca, pathLen}
}

/** Returns the keyUsage bits as a number: RFC 5280 bit n (counted from the first byte's top bit) is 1 << n. */
export function keyUsageBits(value: Uint8Array): number {
  const t = expectTag(readTlv(value, 0), 0x03, 'keyUsage')
  const bytes = value.subarray(t.content + 1, t.end)
  let n = 0
  for (let i = 0; i < bytes.length * 8 && i < 16; i++) if (bytes[i >> 3] & (0x80 >> (i & 7))) n |= 1 << i
  return n
}

/** Returns the OIDs of an extKeyUsage value. */
export function extKeyUsageOids(value: Uint8Array): string[] {
  return childrenOf(value, expectTag(readTlv(value, 0), 0x30, 'extKeyUsage')).map((t) => oidText(body(value, expectTag(t, 0x06, 'keyPurposeId'))))
}

/** Returns the hex of an SKI value (an OCTET STRING). */
export function subjectKeyIdHex(value: Uint8Array): string {
  return Buffer.from(body(value, expectTag(readTlv(value, 0), 0x04, 'subjectKeyIdentifier'))).toString('hex')
}

/** Returns the hex keyIdentifier of an AKI value, or undefined when it has none. */
export function authorityKeyIdHex(value: Uint8Array): string | undefined {
  const k = childrenOf(value, expectTag(readTlv(value, 0), 0x30, 'authorityKeyIdentifier')).find((t) => t.tag === 0x80)
  return k ? Buffer.from(body(value, k)).toString('hex') : undefined
}
