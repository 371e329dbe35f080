import {
  createECDH,
  createPrivateKey,
  type ECDH,
  createPublicKey,
  generateKeyPair as generateKeyPairCb,
  generateKeyPairSync,
  type KeyObject,
  type X509Certificate as NodeX509Certificate,
} from 'node:crypto'
import {promisify} from 'node:util'
import {SvidkitError} from '../errors.js'
import {passwordNeeded} from './password.js'
import type {KeyType} from './key-type.js'
import {hasPemArmour, parsePemBlocks, PemSyntaxError, toPem} from './pem.js'
import {explicit, int, octets, oid, seq} from './der.js'
import {contentOf, elementOf, oidOf, readChildren, readTlv} from './der-read.js'

/** A private key read from a file, with the format it was stored in. */
export interface PrivateKeyMaterial {
  keyObject: KeyObject
  /** `pkcs8` is what svidkit writes; `sec1`/`pkcs1` are read with a warning. */
  format: 'pkcs8' | 'sec1' | 'pkcs1'
  keyType: string
  warnings: string[]
}

const KEY_BLOCKS: Record<string, PrivateKeyMaterial['format']> = {
  'PRIVATE KEY': 'pkcs8',
  'EC PRIVATE KEY': 'sec1',
  'RSA PRIVATE KEY': 'pkcs1',
}

const generate = promisify(generateKeyPairCb)

/** A key pair as Node key objects. */
export interface KeyPair {
  publicKey: KeyObject
  privateKey: KeyObject
}

/** Returns a fresh key pair of the given type (Node's native key generation). */
export async function generateKeyPair(type: KeyType): Promise<KeyPair> {
  switch (type) {
    case 'ec-p256':
      return generate('ec', {namedCurve: 'P-256'})
    case 'ec-p384':
      return generate('ec', {namedCurve: 'P-384'})
    case 'ed25519':
      return generate('ed25519')
    default:
      return generate('rsa', {modulusLength: Number(type.slice(4)), publicExponent: 0x10001})
  }
}

/** Returns a fresh key pair synchronously (for the fast key types: EC and Ed25519; RSA blocks for long). */
export function generateKeyPairNow(type: KeyType): KeyPair {
  switch (type) {
    case 'ec-p256':
      return generateKeyPairSync('ec', {namedCurve: 'P-256'})
    case 'ec-p384':
      return generateKeyPairSync('ec', {namedCurve: 'P-384'})
    case 'ed25519':
      return generateKeyPairSync('ed25519')
    default:
      return generateKeyPairSync('rsa', {modulusLength: Number(type.slice(4)), publicExponent: 0x10001})
  }
}

/** Returns the svidkit key-type name of a Node key object (e.g. `ec-p256`, `rsa-2048`). */
export function keyTypeOfKeyObject(key: KeyObject): string {
  const d = key.asymmetricKeyDetails
  switch (key.asymmetricKeyType) {
    case 'ec':
      return d?.namedCurve === 'prime256v1'
        ? 'ec-p256'
        : d?.namedCurve === 'secp384r1'
          ? 'ec-p384'
          : `ec-${d?.namedCurve}`
    case 'rsa':
      return `rsa-${d?.modulusLength}`
    default:
      return String(key.asymmetricKeyType)
  }
}

/**
 * Returns the private key held in `bytes` (PKCS#8, or SEC1/PKCS#1 with a warning; PEM
 * or PKCS#8 DER). Other PEM blocks in the file (certificates of a credential bundle)
 * are skipped. An "ENCRYPTED PRIVATE KEY" (PKCS#8, RFC 5958) is decrypted with `o.password`;
 * without one it throws `passwordNeeded`. Throws `key-invalid` naming what was found instead.
 */
export function readPrivateKey(bytes: Uint8Array, source: string, o: {password?: string} = {}): PrivateKeyMaterial {
  const text = Buffer.from(bytes).toString('latin1')
  if (!hasPemArmour(text)) {
    if (bytes.length > 0 && bytes[0] === 0x30) {
      let keyObject: KeyObject
      try {
        keyObject = createPrivateKey({key: Buffer.from(bytes), format: 'der', type: 'pkcs8'})
      } catch (err) {
        throw new SvidkitError('key-invalid', `cannot parse private key DER in "${source}"`, {cause: err})
      }
      return checkedKey(keyObject, 'pkcs8', [], source)
    }
    throw new SvidkitError('key-invalid', `no PEM blocks found in "${source}"`, {
      hint: bytes.length === 0 ? 'the key file is empty (a writer may be replacing it)' : undefined,
    })
  }
  let blocks
  try {
    blocks = parsePemBlocks(text)
  } catch (err) {
    if (err instanceof PemSyntaxError)
      throw new SvidkitError('key-invalid', `${err.message} in "${source}"`, {cause: err})
    throw err
  }
  const encrypted = blocks.find((b) => b.type === 'ENCRYPTED PRIVATE KEY')
  if (encrypted && !blocks.some((b) => b.type in KEY_BLOCKS)) {
    if (o.password === undefined) throw passwordNeeded('key', source)
    let keyObject: KeyObject
    try {
      keyObject = createPrivateKey({
        key: Buffer.from(encrypted.der),
        format: 'der',
        type: 'pkcs8',
        passphrase: o.password,
      })
    } catch (err) {
      throw new SvidkitError(
        'key-invalid',
        `cannot decrypt the private key in "${source}": wrong password or unsupported encryption`,
        {
          cause: err,
          hint: 'check --key-password-file (its first line is the password); openssl pkcs8 -in KEY -out PLAIN.pem decrypts it',
        },
      )
    }
    return checkedKey(keyObject, 'pkcs8', [], source)
  }
  const block = blocks.find((b) => b.type in KEY_BLOCKS)
  if (!block) {
    const found = [...new Set(blocks.map((b) => b.type))].join(', ') || 'nothing'
    throw new SvidkitError('key-invalid', `no private key found in "${source}" (found ${found})`, {
      hint: 'pass the PKCS#8 "PRIVATE KEY" file (svid_key.pem, key.pem or tls.key)',
    })
  }
  const format = KEY_BLOCKS[block.type]
  let keyObject: KeyObject
  try {
    keyObject = createPrivateKey({key: toPem(block.type, block.der), format: 'pem'})
  } catch (err) {
    throw new SvidkitError('key-invalid', `cannot parse "${block.type}" in "${source}"`, {cause: err})
  }
  const warnings =
    format === 'pkcs8'
      ? []
      : [
          `"${source}" holds an ${block.type} block (${format.toUpperCase()}); go-spiffe and spiffe-helper load only PKCS#8 "PRIVATE KEY"`,
        ]
  return checkedKey(keyObject, format, warnings, source)
}

function checkedKey(
  keyObject: KeyObject,
  format: PrivateKeyMaterial['format'],
  warnings: string[],
  source: string,
): PrivateKeyMaterial {
  const keyType = keyTypeOfKeyObject(keyObject)
  if (!['ec-p256', 'ec-p384', 'ed25519'].includes(keyType) && keyObject.asymmetricKeyType !== 'rsa') {
    throw new SvidkitError('key-invalid', `unsupported private key type "${keyType}" in "${source}"`, {
      hint: 'X509-SVID keys are EC P-256/P-384, RSA or Ed25519',
    })
  }
  return {keyObject, format, keyType, warnings}
}

/** Returns the key type a loaded signing key signs as (for choosing the signature algorithm). */
export function signingKeyType(key: KeyObject): KeyType {
  const t = keyTypeOfKeyObject(key)
  if (t === 'ec-p256' || t === 'ec-p384' || t === 'ed25519') return t
  // RSA of any size signs with SHA-256 PKCS#1 v1.5, the same algorithm as rsa-2048.
  if (t.startsWith('rsa-')) return 'rsa-2048'
  throw new SvidkitError('key-invalid', `unsupported signing key type "${t}"`)
}

/** Returns true when the private key belongs to the certificate (X509-SVID §5). */
export function keyMatches(key: KeyObject, cert: NodeX509Certificate): boolean {
  try {
    return cert.checkPrivateKey(key)
  } catch {
    return false
  }
}

const EC_PUBLIC_KEY = '1.2.840.10045.2.1'
const EC_CURVES = new Set(['1.2.840.10045.3.1.7', '1.3.132.0.34']) // P-256, P-384

/*
 * OpenSSL 3's PKCS#8 and SPKI encoders cost 100-200 us per call, its SEC1 encoder about 25:
 * for EC private keys the SPKI (RFC 5480) and PKCS#8 (RFC 5208 + RFC 5915) structures are
 * written here from one SEC1 export, which holds the private scalar, the curve and the public
 * point: byte for byte what OpenSSL writes (a test compares them). Other keys take Node's
 * encoders. Not the JWK export, although it is as fast: in Node 20 exporting a freshly
 * generated key as JWK can deadlock its thread (ExportJWK holds the key's mutex while it
 * allocates; a garbage collection then runs the finished KeyGenJob's destructor, which
 * takes the same mutex), seen within a few thousand keys here; the DER exports were not.
 */

/** The DER forms of one key, written from one export (issuance needs both for every new key). */
const encodings = new WeakMap<KeyObject, {spki: Uint8Array; pkcs8?: Uint8Array}>()

/**
 * Returns SPKI (RFC 5480) and PKCS#8 (RFC 5208 + RFC 5915) of an EC key from its curve OID,
 * private scalar `d` (the curve's full byte length) and public point as a BIT STRING TLV.
 */
function ecEncodings(curve: string, d: Uint8Array, point: Uint8Array): {spki: Uint8Array; pkcs8: Uint8Array} {
  const alg = seq(oid(EC_PUBLIC_KEY), oid(curve))
  return {
    spki: seq(alg, point),
    pkcs8: seq(int(0), alg, octets(seq(int(1), octets(d), explicit(1, point)))),
  }
}

/** Returns SPKI and PKCS#8 of an EC private key from its SEC1 ECPrivateKey (RFC 5915 §3), or undefined for another curve. */
function fromSec1(sec1: Uint8Array): {spki: Uint8Array; pkcs8: Uint8Array} | undefined {
  const outer = readTlv(sec1, 0, sec1.length)
  const parts = (outer && readChildren(sec1, outer, 8)) ?? []
  const d = parts[1]
  const params = parts.find((t) => t.tag === 0xa0)
  const pub = parts.find((t) => t.tag === 0xa1)
  if (!d || d.tag !== 0x04 || !params || !pub) return undefined
  const curveT = readChildren(sec1, params, 1)?.[0]
  const curve = curveT?.tag === 0x06 ? oidOf(sec1, curveT, 'ECPrivateKey parameters') : ''
  if (!EC_CURVES.has(curve)) return undefined
  const bits = readChildren(sec1, pub, 1)?.[0]
  if (!bits) return undefined
  return ecEncodings(curve, contentOf(sec1, d), elementOf(sec1, bits)) // the BIT STRING, whole
}

/** The curves `NewEcKey` makes keys on: OpenSSL's name, the JWK name, the OID, the field size. */
const NEW_EC_CURVES = {
  'ec-p256': {openssl: 'prime256v1', jwk: 'P-256', oid: '1.2.840.10045.3.1.7', bytes: 32},
  'ec-p384': {openssl: 'secp384r1', jwk: 'P-384', oid: '1.3.132.0.34', bytes: 48},
} as const
type NewEcKeyType = keyof typeof NEW_EC_CURVES

/** One ECDH context per curve: generateKeys() replaces its key pair each time. */
const ecdhs = new Map<NewEcKeyType, ECDH>()

/**
 * A new EC private key known by its encodings, its KeyObject imported on first use. Bulk
 * issuance writes the PKCS#8 and certifies the SPKI without ever needing the KeyObject, and
 * in Node 20 making one costs more than making the key: generateKeyPairSync plus the SEC1
 * export issuance needs cost about 75 us for P-256 and create native objects the garbage
 * collector has to finalize; OpenSSL's EC key generation through Node's ECDH costs about 20 us
 * and hands out the private scalar and the public point, from which svidkit writes the SPKI and
 * PKCS#8 (byte for byte what OpenSSL writes; test/svid/fast-path.test.ts compares them).
 */
export class NewEcKey {
  readonly spki: Uint8Array
  readonly pkcs8: Uint8Array
  readonly #jwk: {kty: 'EC'; crv: string; d: string; x: string; y: string}
  #object: KeyObject | undefined

  constructor(readonly type: NewEcKeyType) {
    const c = NEW_EC_CURVES[type]
    let ecdh = ecdhs.get(type)
    if (!ecdh) ecdhs.set(type, (ecdh = createECDH(c.openssl)))
    ecdh.generateKeys()
    // The scalar as OpenSSL hands it out has no leading zero bytes (about 1 key in 256 is shorter):
    // RFC 5915 and RFC 7518 §6.2.2.1 want the curve's full size.
    const raw = ecdh.getPrivateKey()
    const d = raw.length === c.bytes ? raw : Buffer.concat([Buffer.alloc(c.bytes - raw.length), raw])
    const point = ecdh.getPublicKey() // uncompressed: 04 || x || y
    const e = ecEncodings(c.oid, d, Buffer.concat([Buffer.of(0x03, point.length + 1, 0x00), point]))
    this.spki = e.spki
    this.pkcs8 = e.pkcs8
    this.#jwk = {
      kty: 'EC',
      crv: c.jwk,
      d: d.toString('base64url'),
      x: point.subarray(1, 1 + c.bytes).toString('base64url'),
      y: point.subarray(1 + c.bytes).toString('base64url'),
    }
  }

  /** The key as a Node KeyObject, imported once (from JWK: Node's cheapest import). */
  keyObject(): KeyObject {
    if (!this.#object) {
      this.#object = createPrivateKey({key: this.#jwk, format: 'jwk'})
      encodings.set(this.#object, {spki: this.spki, pkcs8: this.pkcs8})
    }
    return this.#object
  }
}

function encode(key: KeyObject): {spki: Uint8Array; pkcs8?: Uint8Array} {
  let e = encodings.get(key)
  if (e) return e
  const priv = key.type === 'private'
  if (priv && key.asymmetricKeyType === 'ec') e = fromSec1(key.export({format: 'der', type: 'sec1'}))
  e ??= {
    spki: new Uint8Array((priv ? createPublicKey(key) : key).export({format: 'der', type: 'spki'})),
    pkcs8: priv ? new Uint8Array(key.export({format: 'der', type: 'pkcs8'})) : undefined,
  }
  // A KeyObject is immutable: its encodings never change, and the map lets go of them with the key.
  encodings.set(key, e)
  return e
}

/** Returns the SubjectPublicKeyInfo DER of a public or private key. */
export function spkiDer(key: KeyObject): Uint8Array {
  return encode(key).spki
}

/** Returns the PKCS#8 PrivateKeyInfo DER of a private key (EC keys carry their public key, as OpenSSL writes them). */
export function pkcs8Der(key: KeyObject): Uint8Array {
  const der = encode(key).pkcs8
  if (!der) throw new TypeError('pkcs8Der needs a private key')
  return der
}
