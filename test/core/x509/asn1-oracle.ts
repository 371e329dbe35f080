/**
 * The ASN.1-schema implementation svidkit used before its own DER reader (certificate.ts
 * and name-text.ts as they were), kept here only as the oracle the reader is compared
 * with: same fields, same values, same types.
 */
import {AsnConvert} from '@peculiar/asn1-schema'
import * as asn1js from 'asn1js'
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate as AsnCertificate,
  ExtendedKeyUsage,
  GeneralName,
  KeyUsage,
  Name,
  NameConstraints as AsnNameConstraints,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509'
import {X509Certificate, createHash} from 'node:crypto'
import {
  KEY_USAGE_BITS,
  parseCertificateDer,
  serialHex,
  type ConstraintName,
  type KeyUsageName,
  type ParsedCertificate,
} from '../../../src/core/x509/certificate.js'
import {parseGeneralNames} from '../../../src/core/x509/general-names.js'
import {keyTypeOfKeyObject} from '../../../src/core/x509/keys.js'
import {OID} from '../../../src/core/x509/oids.js'
import {parseCertificateTime, rawValidity} from '../../../src/core/x509/validity.js'

const ASN1_OPTIONS = {berOptions: {maxNodes: 100_000, maxDepth: 64}}

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
  '2.5.4.42': 'G',
  '2.5.4.43': 'I',
  '2.5.4.4': 'SN',
  '2.5.4.12': 'T',
}

function escapeValue(text: string): string {
  return text
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/([ ]$)/, '\\$1')
    .replace(/([\r\n\t])/, (c) => `\\${Buffer.from(c, 'utf8').toString('hex').toUpperCase()}`)
}

/** The former nameText. */
export function oldNameText(der: Uint8Array): string {
  const name = AsnConvert.parse(der, Name)
  return name
    .map((rdn) =>
      rdn
        .map((atv) => {
          const type = SHORT[atv.type] ?? atv.type
          const value = atv.value.anyValue
            ? `#${Buffer.from(atv.value.anyValue).toString('hex')}`
            : escapeValue(atv.value.toString())
          return `${type}=${value}`
        })
        .join('+'),
    )
    .join(', ')
}

const hex = (buf: ArrayBuffer | Uint8Array): string =>
  Buffer.from(buf instanceof Uint8Array ? buf : new Uint8Array(buf)).toString('hex')

function generalName(n: GeneralName, rawBase: Uint8Array): ConstraintName {
  if (n.uniformResourceIdentifier !== undefined) return {type: 'uri', value: n.uniformResourceIdentifier}
  if (n.dNSName !== undefined) return {type: 'dns', value: n.dNSName}
  if (n.rfc822Name !== undefined) return {type: 'email', value: n.rfc822Name}
  // The former parse had no byte views; issue 19 added the base's content bytes (iPAddress) and the Name (directoryName).
  if (n.iPAddress !== undefined) return {type: 'ip', value: n.iPAddress, raw: rawBase}
  if (n.directoryName !== undefined) {
    const dn = new Uint8Array(AsnConvert.serialize(n.directoryName))
    return {type: 'dn', value: oldNameText(dn), raw: dn}
  }
  return {type: 'other', value: ''}
}

/** The content bytes of each subtree's base in list [tag] of a nameConstraints value, read with asn1js (issue 19's `raw`). */
function baseContents(value: ArrayBuffer, tag: number): Uint8Array[] {
  const outer = asn1js.fromBER(value).result as asn1js.Sequence
  const list = outer.valueBlock.value.find((e) => e.idBlock.tagNumber === tag) as asn1js.Constructed | undefined
  return (list?.valueBlock.value ?? []).map((sub) => {
    const base = (sub as asn1js.Sequence).valueBlock.value[0]
    return new Uint8Array(
      base.valueBlock.valueBeforeDecodeView.length
        ? base.valueBlock.valueBeforeDecodeView
        : (base as asn1js.Primitive).valueBlock.valueHexView,
    )
  })
}

/** A subtree as ConstraintName, with `minMax` when it has a minimum other than 0 or a maximum (issue 19). */
function subtree(s: {base: GeneralName; minimum: number; maximum?: number}, raw: Uint8Array): ConstraintName {
  const base = generalName(s.base, raw)
  return s.minimum !== 0 || s.maximum !== undefined ? {...base, minMax: true} : base
}

/** The fields the former parseCertificateDer returned (all but `node`), or what it threw. */
export function oldParse(der: Uint8Array): Omit<ParsedCertificate, 'node'> {
  const raw = rawValidity(der)
  const notBefore = raw ? parseCertificateTime(raw.notBefore.tag, raw.notBefore.text, 'notBefore') : undefined
  const notAfter = raw ? parseCertificateTime(raw.notAfter.tag, raw.notAfter.text, 'notAfter') : undefined
  const node = new X509Certificate(der)
  const asn = AsnConvert.parse(der, AsnCertificate, ASN1_OPTIONS)
  const tbs = asn.tbsCertificate
  const seen = new Set<string>()
  for (const ext of tbs.extensions ?? []) {
    if (seen.has(ext.extnID)) throw new Error(`duplicate extension "${ext.extnID}"`)
    seen.add(ext.extnID)
  }
  const subjectDer = new Uint8Array(AsnConvert.serialize(tbs.subject))
  const issuerDer = new Uint8Array(AsnConvert.serialize(tbs.issuer))
  const cert: Omit<ParsedCertificate, 'node'> = {
    der,
    version: tbs.version + 1,
    serial: serialHex(new Uint8Array(tbs.serialNumber)),
    subject: oldNameText(subjectDer),
    issuer: oldNameText(issuerDer),
    subjectDer,
    issuerDer,
    notBefore: notBefore ?? tbs.validity.notBefore.getTime(),
    notAfter: notAfter ?? tbs.validity.notAfter.getTime(),
    signatureOid: asn.signatureAlgorithm.algorithm,
    publicKeyType: keyTypeOfKeyObject(node.publicKey),
    extensions: [],
    sha256: createHash('sha256').update(der).digest('hex'),
  }
  for (const ext of tbs.extensions ?? []) {
    const critical = ext.critical
    const value = ext.extnValue.buffer
    cert.extensions.push({oid: ext.extnID, critical})
    switch (ext.extnID) {
      case OID.basicConstraints: {
        const bc = AsnConvert.parse(value, BasicConstraints, ASN1_OPTIONS)
        cert.basicConstraints = {ca: bc.cA, pathLen: bc.pathLenConstraint, critical}
        break
      }
      case OID.keyUsage: {
        const bits = AsnConvert.parse(value, KeyUsage, ASN1_OPTIONS).toNumber()
        const names = (Object.keys(KEY_USAGE_BITS) as KeyUsageName[]).filter((n) => bits & KEY_USAGE_BITS[n])
        cert.keyUsage = {names, critical}
        break
      }
      case OID.extKeyUsage:
        cert.extKeyUsage = {oids: [...AsnConvert.parse(value, ExtendedKeyUsage, ASN1_OPTIONS)], critical}
        break
      case OID.subjectAltName:
        cert.san = {...parseGeneralNames(new Uint8Array(value)), critical}
        break
      case OID.subjectKeyIdentifier:
        cert.ski = hex(AsnConvert.parse(value, SubjectKeyIdentifier, ASN1_OPTIONS).buffer)
        break
      case OID.authorityKeyIdentifier: {
        const aki = AsnConvert.parse(value, AuthorityKeyIdentifier, ASN1_OPTIONS)
        if (aki.keyIdentifier) cert.aki = hex(aki.keyIdentifier.buffer)
        break
      }
      case OID.nameConstraints: {
        const nc = AsnConvert.parse(value, AsnNameConstraints, ASN1_OPTIONS)
        // Array.from: GeneralSubtrees is an Array subclass, whose map() returned another GeneralSubtrees;
        // the value was always used as the plain ConstraintName[] the type says.
        cert.nameConstraints = {
          permitted: Array.from(nc.permittedSubtrees ?? [], (t, i) => subtree(t, baseContents(value, 0)[i])),
          excluded: Array.from(nc.excludedSubtrees ?? [], (t, i) => subtree(t, baseContents(value, 1)[i])),
          critical,
          ...((nc.permittedSubtrees && nc.permittedSubtrees.length === 0) ||
          (nc.excludedSubtrees && nc.excludedSubtrees.length === 0)
            ? {emptyList: true}
            : {}),
        }
        break
      }
      default:
        break
    }
  }
  return cert
}

export type Outcome = {ok: true; fields: unknown} | {ok: false}

export function outcome(f: () => unknown): Outcome {
  try {
    return {ok: true, fields: f()}
  } catch {
    return {ok: false}
  }
}

/** The new parser's fields (all but Node's object) next to the oracle's, or that each threw. */
export function both(der: Uint8Array): {now: Outcome; old: Outcome} {
  return {
    now: outcome(() => {
      const {node: _node, ...fields} = parseCertificateDer(der)
      return fields
    }),
    old: outcome(() => oldParse(der)),
  }
}
