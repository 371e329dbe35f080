import {X509Certificate as NodeX509Certificate, createHash, createPublicKey} from 'node:crypto'
import {KEY_USAGE_BITS, parseCertificateDer, serialHex, type KeyUsageName, type ParsedCertificate} from '../x509/certificate.js'
import {keyTypeOfKeyObject} from '../x509/keys.js'
import {OID} from '../x509/oids.js'
import {nameText as decodeNameText} from '../x509/name-text.js'
import {oidText, readTlv, childrenOf} from '../x509/der.js'
import {boundedCache} from '../memo.js'
import {nameDer, type BuiltCertificate, type CertificateTemplate} from '../x509/build.js'
import {
  authorityKeyIdHex,
  basicConstraintsOf,
  extKeyUsageOids,
  keyUsageBits,
  readCertificateFields,
  sanNames,
  subjectKeyIdHex,
  type CertificateFields,
} from './leaf-der.js'

const nameTexts = boundedCache<string, string>()

/** Returns the RFC 4514 text of a DER name, decoded once per distinct name. */
function nameText(der: Uint8Array): string {
  return nameTexts(Buffer.from(der).toString('base64'), () => decodeNameText(der))
}

const CURVES: Record<string, string> = {'1.2.840.10045.3.1.7': 'ec-p256', '1.3.132.0.34': 'ec-p384'}

/** Key types by the DER of an SPKI's AlgorithmIdentifier: every key of one type shares it. */
const typesByAlgorithm = new Map<string, string>()

function publicKeyType(spki: Uint8Array): string {
  const algT = childrenOf(spki, readTlv(spki, 0))[0]
  const key = Buffer.from(spki.buffer, spki.byteOffset + algT.start, algT.end - algT.start).toString('latin1')
  let type = typesByAlgorithm.get(key)
  if (type === undefined) {
    type = keyTypeOfSpki(spki)
    // RSA keys of every size share one AlgorithmIdentifier: only EC and Ed25519 are remembered.
    if (!type.startsWith('rsa') && typesByAlgorithm.size < 16) typesByAlgorithm.set(key, type)
  }
  return type
}

function keyTypeOfSpki(spki: Uint8Array): string {
  const alg = childrenOf(spki, childrenOf(spki, readTlv(spki, 0))[0])
  const algOid = oidText(spki.subarray(alg[0].content, alg[0].end))
  if (algOid === '1.3.101.112') return 'ed25519'
  if (algOid === '1.2.840.10045.2.1' && alg[1]?.tag === 0x06) {
    const curve = CURVES[oidText(spki.subarray(alg[1].content, alg[1].end))]
    if (curve) return curve
  }
  return keyTypeOfKeyObject(createPublicKey({key: Buffer.from(spki), format: 'der', type: 'spki'}))
}

/** The extensions this fast reader decodes; a certificate with any other goes through the full parser. */
const HANDLED = new Set<string>([OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier])

/**
 * Returns the ParsedCertificate of certificate fields already read, or undefined when the
 * certificate holds something this reader does not decode (name constraints, SAN types
 * other than URI and DNS, unknown or repeated extensions): the caller then uses the full
 * parser. Node's X509Certificate view (`node`) is built on first use only.
 */
export function describeFields(f: CertificateFields): ParsedCertificate | undefined {
  if (new Set(f.extensions.map((e) => e.oid)).size !== f.extensions.length) return undefined
  if (f.extensions.some((e) => !HANDLED.has(e.oid))) return undefined
  const cert = {
    der: f.der,
    version: f.version + 1,
    serial: serialHex(f.serial),
    subject: nameText(f.subjectDer),
    issuer: nameText(f.issuerDer),
    subjectDer: f.subjectDer,
    issuerDer: f.issuerDer,
    notBefore: f.notBefore,
    notAfter: f.notAfter,
    signatureOid: f.signatureOid,
    publicKeyType: publicKeyType(f.spki),
    extensions: f.extensions.map((e) => ({oid: e.oid, critical: e.critical})),
    sha256: createHash('sha256').update(f.der).digest('hex'),
  } as ParsedCertificate
  for (const {oid, critical, value} of f.extensions) {
    if (oid === OID.basicConstraints) cert.basicConstraints = {...basicConstraintsOf(value), critical}
    else if (oid === OID.keyUsage) {
      const bits = keyUsageBits(value)
      cert.keyUsage = {names: (Object.keys(KEY_USAGE_BITS) as KeyUsageName[]).filter((n) => bits & KEY_USAGE_BITS[n]), critical}
    } else if (oid === OID.extKeyUsage) cert.extKeyUsage = {oids: extKeyUsageOids(value), critical}
    else if (oid === OID.subjectAltName) {
      const san = sanNames(value)
      if (san.other > 0) return undefined
      cert.san = {uris: san.uris, dns: san.dns, ips: [], emails: [], other: 0, critical}
    } else if (oid === OID.subjectKeyIdentifier) cert.ski = subjectKeyIdHex(value)
    else if (oid === OID.authorityKeyIdentifier) {
      const aki = authorityKeyIdHex(value)
      if (aki !== undefined) cert.aki = aki
    }
  }
  return withNodeView(cert)
}

/** Adds `node`, Node's X509Certificate view, built on first use (it costs as much as the rest together). */
function withNodeView(cert: ParsedCertificate): ParsedCertificate {
  let node: NodeX509Certificate | undefined
  Object.defineProperty(cert, 'node', {enumerable: true, configurable: true, get: () => (node ??= new NodeX509Certificate(cert.der))})
  return cert
}

/**
 * A certificate described from its template: plain fields (all present, `undefined` when
 * absent, so every instance has one shape), and `node` and `sha256` computed on first use
 * by getters on the prototype (defining them per object would cost more than the rest of
 * the description; bulk issuance reads neither).
 */
class DescribedCertificate {
  version = 3
  basicConstraints: ParsedCertificate['basicConstraints'] = undefined
  keyUsage: ParsedCertificate['keyUsage'] = undefined
  extKeyUsage: ParsedCertificate['extKeyUsage'] = undefined
  san: ParsedCertificate['san'] = undefined
  ski: string | undefined = undefined
  aki: string | undefined = undefined
  nameConstraints: ParsedCertificate['nameConstraints'] = undefined
  #node: NodeX509Certificate | undefined
  constructor(
    public der: Uint8Array,
    public serial: string,
    public subject: string,
    public issuer: string,
    public subjectDer: Uint8Array,
    public issuerDer: Uint8Array,
    public notBefore: Date,
    public notAfter: Date,
    public signatureOid: string,
    public publicKeyType: string,
    public extensions: ParsedCertificate['extensions'],
  ) {}

  #sha256: string | undefined

  get sha256(): string {
    this.#sha256 ??= createHash('sha256').update(this.der).digest('hex')
    return this.#sha256
  }

  get node(): NodeX509Certificate {
    this.#node ??= new NodeX509Certificate(this.der)
    return this.#node
  }
}

const wholeSeconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000)

/**
 * Returns the ParsedCertificate of a certificate just built from `t`, described from the
 * template and the values the builder chose, without reading the DER back. Templates with
 * name constraints or raw extra extensions are read back with `describeBuiltCertificate`.
 * A test compares this description with the full parser's for every profile and defect.
 */
export function describeTemplate(t: CertificateTemplate, built: BuiltCertificate): ParsedCertificate {
  if (t.nameConstraints || t.extra?.length) return describeBuiltCertificate(built.der)
  const subjectDer = t.subjectName ?? nameDer(t.subject)
  const issuerDer = t.issuerName ?? subjectDer
  const extensions: ParsedCertificate['extensions'] = []
  const cert: ParsedCertificate = new DescribedCertificate(
    built.der,
    serialHex(Buffer.from(built.serial, 'hex')),
    nameText(subjectDer),
    nameText(issuerDer),
    subjectDer,
    issuerDer,
    wholeSeconds(t.notBefore),
    wholeSeconds(t.notAfter),
    built.signatureOid,
    publicKeyType(built.spki),
    extensions,
  )
  // The same order as the builder writes them (build.ts `extensions`).
  const bc = t.basicConstraints
  if (bc) {
    extensions.push({oid: OID.basicConstraints, critical: bc.critical})
    cert.basicConstraints = {ca: bc.ca, pathLen: bc.pathLen, critical: bc.critical}
  }
  if (t.keyUsage) {
    extensions.push({oid: OID.keyUsage, critical: t.keyUsage.critical})
    const set = new Set(t.keyUsage.names)
    cert.keyUsage = {names: (Object.keys(KEY_USAGE_BITS) as KeyUsageName[]).filter((n) => set.has(n)), critical: t.keyUsage.critical}
  }
  if (t.extKeyUsage) {
    extensions.push({oid: OID.extKeyUsage, critical: t.extKeyUsage.critical})
    cert.extKeyUsage = {oids: [...t.extKeyUsage.oids], critical: t.extKeyUsage.critical}
  }
  if (t.san) {
    extensions.push({oid: OID.subjectAltName, critical: t.san.critical})
    cert.san = {uris: [...t.san.uris], dns: [...(t.san.dns ?? [])], ips: [...(t.san.ips ?? [])], emails: [], other: 0, critical: t.san.critical}
  }
  if (built.ski) {
    extensions.push({oid: OID.subjectKeyIdentifier, critical: false})
    cert.ski = built.ski
  }
  if (t.authorityKeyId) {
    extensions.push({oid: OID.authorityKeyIdentifier, critical: false})
    cert.aki = Buffer.from(t.authorityKeyId, 'hex').toString('hex')
  }
  return cert
}

/**
 * Returns the ParsedCertificate of a DER certificate svidkit has just built: read with the
 * small TLV reader when it can describe everything in it, else with the full parser.
 */
export function describeBuiltCertificate(der: Uint8Array): ParsedCertificate {
  return describeFields(readCertificateFields(der)) ?? parseCertificateDer(der)
}
