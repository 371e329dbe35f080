import {createDecipheriv, createHmac, createPrivateKey, pbkdf2Sync, timingSafeEqual, type KeyObject} from 'node:crypto'
import {SvidkitError} from '../errors.js'
import {contentOf, elementOf, integerOf, oidOf, readChildren, readTlv, type Tlv} from '../x509/der-read.js'
import {pkcs12Kdf} from './pkcs12-kdf.js'

/*
 * Reads a PKCS#12 (RFC 7292) file: the one `issue --format pkcs12` writes, and what OpenSSL 3
 * writes by default (certificates in an encryptedData of PBES2 with AES-CBC). Only PBES2
 * (PBKDF2, AES-CBC; RFC 8018) is decrypted here; the legacy RC2/3DES schemes of OpenSSL 1.1 are
 * refused with the command that converts them. The MAC is checked before anything is decrypted
 * (a wrong password is told apart from a damaged file). DER only, every element bounded.
 */

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
}

const HASHES: Record<string, {name: string; block: number; size: number}> = {
  '1.3.14.3.2.26': {name: 'sha1', block: 64, size: 20},
  '2.16.840.1.101.3.4.2.1': {name: 'sha256', block: 64, size: 32},
  '2.16.840.1.101.3.4.2.2': {name: 'sha384', block: 128, size: 48},
  '2.16.840.1.101.3.4.2.3': {name: 'sha512', block: 128, size: 64},
}
const PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
}
const CIPHERS: Record<string, {name: string; key: number}> = {
  '2.16.840.1.101.3.4.1.2': {name: 'aes-128-cbc', key: 16},
  '2.16.840.1.101.3.4.1.22': {name: 'aes-192-cbc', key: 24},
  '2.16.840.1.101.3.4.1.42': {name: 'aes-256-cbc', key: 32},
}
/** More iterations than any tool writes (OpenSSL: 2048, some: 600,000): refused, so a hostile file cannot burn minutes. */
const MAX_ITERATIONS = 10_000_000
const MAX_BAGS = 64

/** What a PKCS#12 file holds. */
export interface Pkcs12Contents {
  /** Certificate DERs in file order. */
  certificates: Uint8Array[]
  /** The private keys, decrypted. */
  keys: KeyObject[]
  /** How the file is protected, e.g. "PBES2 aes-256-cbc, MAC sha256 (2048 iterations)". */
  protection: string
}

/** Returns true when `bytes` look like a PFX (a SEQUENCE starting with INTEGER 3), without parsing further. */
export function looksLikePkcs12(bytes: Uint8Array): boolean {
  const outer = readTlv(bytes, 0, bytes.length)
  if (!outer || outer.tag !== 0x30 || outer.end !== bytes.length) return false
  const version = readTlv(bytes, outer.start, outer.end)
  return version?.tag === 0x02 && version.end - version.start === 1 && bytes[version.start] === 3
}

class Reader {
  constructor(
    readonly der: Uint8Array,
    readonly source: string,
  ) {}

  fail(what: string): never {
    throw new SvidkitError('pem-invalid', `cannot read PKCS#12 "${this.source}": ${what}`, {
      hint: 'give the .p12/.pfx file whole (DER); a file cut short or re-encoded as BER cannot be read',
    })
  }

  children(t: Tlv, what: string, max = 8): Tlv[] {
    const c = t.tag & 0x20 ? readChildren(this.der, t, max, true) : undefined
    return c ?? this.fail(`malformed ${what}`)
  }

  tag(t: Tlv | undefined, tag: number, what: string): Tlv {
    if (!t || t.tag !== tag) this.fail(`malformed ${what}`)
    return t
  }

  oid(t: Tlv | undefined, what: string): string {
    try {
      return oidOf(this.der, this.tag(t, 0x06, what), what)
    } catch {
      return this.fail(`malformed ${what}`)
    }
  }

  int(t: Tlv | undefined, what: string): number {
    return integerOf(this.der, this.tag(t, 0x02, what), what)
  }

  /** The content of `[0] EXPLICIT OCTET STRING` (a ContentInfo's data). */
  octetsIn(t: Tlv | undefined, what: string): Uint8Array {
    const inner = this.children(this.tag(t, 0xa0, what), what, 1)[0]
    return contentOf(this.der, this.tag(inner, 0x04, what))
  }
}

/** Returns the contents of a PFX, checking its MAC with `password` first. Throws `pem-invalid` or `key-invalid`. */
export function readPkcs12(bytes: Uint8Array, password: string, source: string): Pkcs12Contents {
  const r = new Reader(bytes, source)
  const outer = readTlv(bytes, 0, bytes.length)
  if (!outer || outer.end !== bytes.length) r.fail('not one DER element')
  const [version, authSafeInfo, macData] = r.children(r.tag(outer, 0x30, 'PFX'), 'PFX', 3)
  if (r.int(version, 'version') !== 3) r.fail('version is not 3')
  const authInfo = r.children(r.tag(authSafeInfo, 0x30, 'authSafe'), 'authSafe', 2)
  if (r.oid(authInfo[0], 'authSafe type') !== OIDS.data)
    r.fail('the authSafe is not "data" (public-key integrity mode is not supported)')
  const authSafe = r.octetsIn(authInfo[1], 'authSafe content')
  const mac = macData ? checkMac(r, macData, authSafe, password) : 'no MAC'
  const certificates: Uint8Array[] = []
  const keys: KeyObject[] = []
  let cipher = 'none'
  const safe = new Reader(authSafe, source)
  const infos = safe.children(
    safe.tag(readTlv(authSafe, 0, authSafe.length), 0x30, 'AuthenticatedSafe'),
    'AuthenticatedSafe',
    MAX_BAGS,
  )
  for (const info of infos) {
    const [type, content] = safe.children(safe.tag(info, 0x30, 'ContentInfo'), 'ContentInfo', 2)
    const kind = safe.oid(type, 'ContentInfo type')
    let bags: Uint8Array
    if (kind === OIDS.data) bags = safe.octetsIn(content, 'data')
    else if (kind === OIDS.encryptedData) {
      const d = decryptEncryptedData(safe, content, password)
      bags = d.plain
      cipher = d.cipher
    } else bags = r.fail(`unsupported ContentInfo type ${kind} (enveloped data needs the recipient's key)`)
    readBags(new Reader(bags, source), password, certificates, keys)
  }
  return {
    certificates,
    keys,
    protection: `certificates ${cipher === 'none' ? 'unencrypted' : `encrypted (${cipher})`}, MAC ${mac}`,
  }
}

function checkMac(r: Reader, macData: Tlv, authSafe: Uint8Array, password: string): string {
  const [digestInfo, salt, iterations] = r.children(r.tag(macData, 0x30, 'MacData'), 'MacData', 3)
  const [alg, digest] = r.children(r.tag(digestInfo, 0x30, 'DigestInfo'), 'DigestInfo', 2)
  const hashOid = r.oid(r.children(r.tag(alg, 0x30, 'digest algorithm'), 'digest algorithm', 2)[0], 'digest algorithm')
  const hash = HASHES[hashOid] ?? r.fail(`unsupported MAC digest ${hashOid}`)
  const n = iterations ? r.int(iterations, 'MAC iterations') : 1
  if (n < 1 || n > MAX_ITERATIONS) r.fail(`MAC iteration count ${n} is out of range`)
  const key = pkcs12Kdf(
    password,
    contentOf(r.der, r.tag(salt, 0x04, 'MAC salt')),
    n,
    3,
    hash.size,
    hash.name,
    hash.block,
  )
  const want = contentOf(r.der, r.tag(digest, 0x04, 'MAC digest'))
  const got = createHmac(hash.name, key).update(authSafe).digest()
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    throw new SvidkitError('key-invalid', `wrong password for PKCS#12 "${r.source}" (its MAC does not verify)`, {
      hint: 'check --p12-password-file (its first line is the password), or that the file is whole',
    })
  }
  return `${hash.name} (${n} iterations)`
}

function decryptEncryptedData(
  r: Reader,
  content: Tlv | undefined,
  password: string,
): {plain: Uint8Array; cipher: string} {
  const data = r.children(r.tag(content, 0xa0, 'encryptedData'), 'encryptedData', 1)[0]
  const [, eci] = r.children(r.tag(data, 0x30, 'EncryptedData'), 'EncryptedData', 3)
  const [, alg, encrypted] = r.children(r.tag(eci, 0x30, 'EncryptedContentInfo'), 'EncryptedContentInfo', 3)
  if (!encrypted || encrypted.tag !== 0x80) r.fail('encrypted content missing or not primitive')
  const cipherText = contentOf(r.der, encrypted)
  return decryptPbes2(r, alg, cipherText, password)
}

function decryptPbes2(
  r: Reader,
  alg: Tlv,
  cipherText: Uint8Array,
  password: string,
): {plain: Uint8Array; cipher: string} {
  const [scheme, params] = r.children(r.tag(alg, 0x30, 'encryption algorithm'), 'encryption algorithm', 2)
  const schemeOid = r.oid(scheme, 'encryption scheme')
  if (schemeOid !== OIDS.pbes2) {
    throw new SvidkitError('pem-invalid', `PKCS#12 "${r.source}" uses a legacy encryption (${schemeOid}), not PBES2`, {
      hint: 'convert it: openssl pkcs12 -legacy -in OLD.p12 -nodes | openssl pkcs12 -export -out NEW.p12 (OpenSSL 3 writes PBES2 with AES)',
    })
  }
  const [kdf, enc] = r.children(r.tag(params, 0x30, 'PBES2 parameters'), 'PBES2 parameters', 2)
  const [kdfOid, kdfParams] = r.children(r.tag(kdf, 0x30, 'key derivation'), 'key derivation', 2)
  if (r.oid(kdfOid, 'key derivation') !== OIDS.pbkdf2) r.fail('the PBES2 key derivation is not PBKDF2')
  const p = r.children(r.tag(kdfParams, 0x30, 'PBKDF2 parameters'), 'PBKDF2 parameters', 4)
  const salt = contentOf(r.der, r.tag(p[0], 0x04, 'PBKDF2 salt'))
  const iterations = r.int(p[1], 'PBKDF2 iterations')
  if (iterations < 1 || iterations > MAX_ITERATIONS) r.fail(`PBKDF2 iteration count ${iterations} is out of range`)
  const rest = p.slice(2).filter((t) => t.tag === 0x30)
  const prf = rest.length
    ? (PRFS[r.oid(r.children(rest[0], 'PBKDF2 prf', 2)[0], 'PBKDF2 prf')] ?? r.fail('unsupported PBKDF2 prf'))
    : 'sha1'
  const [encOid, iv] = r.children(r.tag(enc, 0x30, 'encryption scheme'), 'encryption scheme', 2)
  const cipherOid = r.oid(encOid, 'cipher')
  const cipher = CIPHERS[cipherOid] ?? r.fail(`unsupported cipher ${cipherOid}`)
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.key, prf)
  try {
    const d = createDecipheriv(cipher.name, key, contentOf(r.der, r.tag(iv, 0x04, 'IV')))
    return {
      plain: Buffer.concat([d.update(cipherText), d.final()]),
      cipher: `PBES2 ${cipher.name}, PBKDF2-HMAC-${prf.toUpperCase()}`,
    }
  } catch {
    throw new SvidkitError('key-invalid', `cannot decrypt PKCS#12 "${r.source}": wrong password`, {
      hint: 'check --p12-password-file (its first line is the password)',
    })
  }
}

function readBags(r: Reader, password: string, certificates: Uint8Array[], keys: KeyObject[]): void {
  const top = r.tag(readTlv(r.der, 0, r.der.length), 0x30, 'SafeContents')
  for (const bag of r.children(top, 'SafeContents', MAX_BAGS)) {
    const [id, value] = r.children(r.tag(bag, 0x30, 'SafeBag'), 'SafeBag', 3)
    const bagId = r.oid(id, 'bag type')
    const inner = r.children(r.tag(value, 0xa0, 'bag value'), 'bag value', 1)[0]
    if (bagId === OIDS.certBag) {
      const [certType, certValue] = r.children(r.tag(inner, 0x30, 'CertBag'), 'CertBag', 2)
      if (r.oid(certType, 'certificate type') !== OIDS.x509Certificate) continue // SDSI certificates: not X.509
      certificates.push(r.octetsIn(certValue, 'certificate'))
    } else if (bagId === OIDS.shroudedKeyBag || bagId === OIDS.keyBag) {
      const der = Buffer.from(elementOf(r.der, r.tag(inner, 0x30, 'key bag')))
      try {
        keys.push(
          createPrivateKey(
            bagId === OIDS.keyBag
              ? {key: der, format: 'der', type: 'pkcs8'}
              : {key: der, format: 'der', type: 'pkcs8', passphrase: password},
          ),
        )
      } catch (err) {
        throw new SvidkitError('key-invalid', `cannot decrypt the private key in PKCS#12 "${r.source}"`, {
          cause: err,
          hint: 'a wrong password, or a legacy key encryption: openssl pkcs12 -legacy converts it',
        })
      }
    }
    // Other bags (CRLs, secrets, nested SafeContents) hold nothing an SVID needs.
  }
}
