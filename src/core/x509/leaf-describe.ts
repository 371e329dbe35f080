/**
 * Descriptions of the certificates svidkit has just built, as ParsedCertificate, without
 * the cost of the full parse: from the template itself (issuance), or from one read of
 * the DER with the one certificate reader (certificate-read.ts) and the one set of
 * extension decoders (certificate.ts `decodeExtensions`). Node's X509Certificate view,
 * as costly as the rest together, is built on first use only.
 */
import {X509Certificate as NodeX509Certificate, createHash, createPublicKey} from 'node:crypto'
import {
  CERT_LIMITS,
  decodeExtensions,
  KEY_USAGE_BITS,
  parseCertificateDer,
  serialHex,
  type KeyUsageName,
  type ParsedCertificate,
} from './certificate.js'
import {readCertificate, type RawCertificate} from './certificate-read.js'
import {keyTypeOfKeyObject} from './keys.js'
import {OID} from './oids.js'
import {nameText as decodeNameText} from './name-text.js'
import {bufferOf, elementOf, oidOf, readChildren, readTlv} from './der-read.js'
import {parseCertificateTime} from './validity.js'
import {boundedCache} from '../memo.js'
import {nameDer, type BuiltCertificate, type CertificateTemplate} from './build.js'

const nameTexts = boundedCache<string, string>()

/** Returns the RFC 4514 text of a DER name, decoded once per distinct name. */
function nameText(der: Uint8Array): string {
  return nameTexts(Buffer.from(der).toString('base64'), () => decodeNameText(der))
}

const CURVES: Record<string, string> = {'1.2.840.10045.3.1.7': 'ec-p256', '1.3.132.0.34': 'ec-p384'}

/** Key types by the DER of an SPKI's AlgorithmIdentifier: every key of one type shares it. */
const typesByAlgorithm = new Map<string, string>()

/** Returns the key type of a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) as `keyTypeOfKeyObject` names it. */
function publicKeyType(spki: Uint8Array): string {
  const outer = readTlv(spki, 0, spki.length)
  const algT = outer && readChildren(spki, outer, 1)?.[0]
  if (!algT) throw new Error('subjectPublicKeyInfo: malformed DER')
  const key = bufferOf(elementOf(spki, algT)).toString('latin1')
  let type = typesByAlgorithm.get(key)
  if (type === undefined) {
    type = keyTypeOfSpki(spki, readChildren(spki, algT, 2) ?? [])
    // RSA keys of every size share one AlgorithmIdentifier: only EC and Ed25519 are remembered.
    if (!type.startsWith('rsa') && typesByAlgorithm.size < 16) typesByAlgorithm.set(key, type)
  }
  return type
}

function keyTypeOfSpki(spki: Uint8Array, alg: ReturnType<typeof readChildren> & {}): string {
  const algOid = alg[0]?.tag === 0x06 ? oidOf(spki, alg[0], 'subjectPublicKeyInfo algorithm') : ''
  if (algOid === '1.3.101.112') return 'ed25519'
  if (algOid === '1.2.840.10045.2.1' && alg[1]?.tag === 0x06) {
    const curve = CURVES[oidOf(spki, alg[1], 'subjectPublicKeyInfo curve')]
    if (curve) return curve
  }
  return keyTypeOfKeyObject(createPublicKey({key: Buffer.from(spki), format: 'der', type: 'spki'}))
}

/** The extensions this description decodes; a certificate with any other goes through the full parse. */
const HANDLED = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
])

/**
 * Returns the ParsedCertificate of a certificate's fields already read, or undefined when
 * the certificate holds an extension this description leaves to the full parse (name
 * constraints, unknown or repeated extensions). Node's view (`node`) is built on first use.
 */
function describeRawCertificate(der: Uint8Array, raw: RawCertificate): ParsedCertificate | undefined {
  if (new Set(raw.extensions.map((e) => e.oid)).size !== raw.extensions.length) return undefined
  if (raw.extensions.some((e) => !HANDLED.has(e.oid))) return undefined
  const cert = {
    der,
    version: raw.version + 1,
    serial: serialHex(raw.serial),
    subject: nameText(raw.subjectDer),
    issuer: nameText(raw.issuerDer),
    subjectDer: raw.subjectDer,
    issuerDer: raw.issuerDer,
    notBefore: parseCertificateTime(raw.notBefore.tag, raw.notBefore.text, 'notBefore'),
    notAfter: parseCertificateTime(raw.notAfter.tag, raw.notAfter.text, 'notAfter'),
    signatureOid: raw.signatureOid,
    publicKeyType: publicKeyType(raw.spki),
    extensions: [] as ParsedCertificate['extensions'],
    sha256: createHash('sha256').update(der).digest('hex'),
  } as ParsedCertificate
  decodeExtensions(cert, raw.extensions, {nodes: CERT_LIMITS.maxAsn1Nodes})
  return withNodeView(cert)
}

/** Adds `node`, Node's X509Certificate view, built on first use (it costs as much as the rest together). */
function withNodeView(cert: ParsedCertificate): ParsedCertificate {
  let node: NodeX509Certificate | undefined
  Object.defineProperty(cert, 'node', {
    enumerable: true,
    configurable: true,
    get: () => (node ??= new NodeX509Certificate(cert.der)),
  })
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
    cert.keyUsage = {
      names: (Object.keys(KEY_USAGE_BITS) as KeyUsageName[]).filter((n) => set.has(n)),
      critical: t.keyUsage.critical,
    }
  }
  if (t.extKeyUsage) {
    extensions.push({oid: OID.extKeyUsage, critical: t.extKeyUsage.critical})
    cert.extKeyUsage = {oids: [...t.extKeyUsage.oids], critical: t.extKeyUsage.critical}
  }
  if (t.san) {
    extensions.push({oid: OID.subjectAltName, critical: t.san.critical})
    cert.san = {
      uris: [...t.san.uris],
      dns: [...(t.san.dns ?? [])],
      ips: [...(t.san.ips ?? [])],
      emails: [],
      other: 0,
      critical: t.san.critical,
    }
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
 * Returns the ParsedCertificate of a DER certificate svidkit has just built: described from
 * one read when every extension in it is one `describeRawCertificate` handles, else with
 * the full parser.
 */
export function describeBuiltCertificate(der: Uint8Array): ParsedCertificate {
  return (
    describeRawCertificate(der, readCertificate(der, {nodes: CERT_LIMITS.maxAsn1Nodes})) ?? parseCertificateDer(der)
  )
}
