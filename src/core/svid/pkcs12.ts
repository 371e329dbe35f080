import {createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, type KeyObject} from 'node:crypto'
import {explicit, int, octets, oid, seq, seqOf, tlv, tlvOf} from '../x509/der.js'
import {pkcs12Kdf} from '../container/pkcs12-kdf.js'

/*
 * A PKCS#12 (RFC 7292) file as OpenSSL 3 reads it without -legacy: the key in a
 * pkcs8ShroudedKeyBag encrypted with PBES2 (PBKDF2 with HMAC-SHA256, AES-256-CBC; RFC 8018),
 * the certificates in certBags, and an HMAC-SHA256 MAC over the contents with its key
 * derived by the PKCS#12 KDF (RFC 7292 Appendix B.2). Certificates are public: they are
 * stored unencrypted (as `openssl pkcs12 -export -certpbe NONE` does), the key never is.
 */

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
  sha256: '2.16.840.1.101.3.4.2.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
}

const NULL = Buffer.from([0x05, 0x00])

/** Returns the EncryptedPrivateKeyInfo (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC; RFC 8018) of a PKCS#8 key with this salt and IV. */
function pbes2(pkcs8: Uint8Array, password: string, salt: Buffer, iv: Buffer): Buffer {
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, PKCS12_ITERATIONS, 32, 'sha256')
  const cipher = createCipheriv('aes-256-cbc', key, iv)
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()])
  const kdf = seq(oid(OIDS.pbkdf2), seq(octets(salt), int(PKCS12_ITERATIONS), seq(oid(OIDS.hmacWithSha256), NULL)))
  return seq(seq(oid(OIDS.pbes2), seq(kdf, seq(oid(OIDS.aes256Cbc), octets(iv)))), octets(encrypted))
}

/** Iterations of PBKDF2 and of the MAC KDF: OpenSSL's default. */
const PKCS12_ITERATIONS = 2048

const set = (...c: Uint8Array[]) => tlvOf(0x31, c)
const bmpString = (s: string) => tlv(0x1e, Buffer.from(s, 'utf16le').swap16())

function attribute(id: string, value: Buffer): Buffer {
  return seq(oid(id), set(value))
}

function safeBag(bagId: string, value: Buffer, attributes: Buffer[]): Buffer {
  return seqOf([oid(bagId), explicit(0, value), ...(attributes.length ? [tlvOf(0x31, attributes)] : [])])
}

function dataContentInfo(content: Uint8Array): Buffer {
  return seq(oid(OIDS.data), explicit(0, octets(content)))
}

/** Options of `pkcs12Der`. */
interface Pkcs12Input {
  privateKey: KeyObject
  /** Leaf first, then intermediates. */
  certificates: Uint8Array[]
  password: string
  /** friendlyName of the key and leaf bags. Default none. */
  friendlyName?: string
  /** Source of salts and IVs (`--seed`: x509/seeded.ts); default: random bytes and Node's own PBES2 export. */
  random?: (purpose: string, n: number) => Buffer
}

/** Returns the DER of a password-protected PFX holding the key and the chain. */
export function pkcs12Der(o: Pkcs12Input): Buffer {
  const keyId = createHash('sha1').update(o.certificates[0]).digest()
  const ownAttributes = [
    attribute(OIDS.localKeyId, octets(keyId)),
    ...(o.friendlyName ? [attribute(OIDS.friendlyName, bmpString(o.friendlyName))] : []),
  ]
  // Node exports PBES2 with PBKDF2-HMAC-SHA256 and the named cipher: the EncryptedPrivateKeyInfo a shrouded key bag holds.
  const shrouded = o.random
    ? pbes2(
        o.privateKey.export({format: 'der', type: 'pkcs8'}),
        o.password,
        o.random('key-salt', 16),
        o.random('key-iv', 16),
      )
    : o.privateKey.export({format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: o.password})
  const keyBags = seq(safeBag(OIDS.shroudedKeyBag, shrouded, ownAttributes))
  const certBags = seq(
    ...o.certificates.map((c, i) =>
      safeBag(OIDS.certBag, seq(oid(OIDS.x509Certificate), explicit(0, octets(c))), i === 0 ? ownAttributes : []),
    ),
  )
  const authSafe = seq(dataContentInfo(certBags), dataContentInfo(keyBags))
  const salt = o.random ? o.random('mac-salt', 16) : randomBytes(16)
  const macKey = pkcs12Kdf(o.password, salt, PKCS12_ITERATIONS, 3, 32)
  const mac = createHmac('sha256', macKey).update(authSafe).digest()
  const macData = seq(
    seq(seq(oid(OIDS.sha256), Buffer.from([0x05, 0x00])), octets(mac)),
    octets(salt),
    int(PKCS12_ITERATIONS),
  )
  return seq(int(3), dataContentInfo(authSafe), macData)
}
