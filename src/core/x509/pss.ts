/**
 * Deterministic RSASSA-PSS signatures for byte-stable fixtures (`--seed`): EMSA-PSS encoding
 * (RFC 8017 §9.1.1) with MGF1 over the same hash and a salt of the usual length (the hash
 * length, as JWS PS256/384/512 require, RFC 7518 §3.5), but the salt derived from the private
 * key and the message instead of drawn at random (the way RFC 6979 derives ECDSA nonces), then
 * the raw RSA private operation (RSASP1) through OpenSSL. Any PSS verifier accepts the result:
 * the salt is recovered from the signature, never predicted. For test fixtures only: a seeded
 * key is public knowledge anyway.
 */
import {constants, createHash, createHmac, privateEncrypt, type KeyObject} from 'node:crypto'

/** MGF1 (RFC 8017 B.2.1): `len` bytes of mask from `seed`. */
function mgf1(hash: string, seed: Buffer, len: number): Buffer {
  const out: Buffer[] = []
  let total = 0
  for (let i = 0; total < len; i++) {
    const c = Buffer.alloc(4)
    c.writeUInt32BE(i)
    const block = createHash(hash).update(seed).update(c).digest()
    out.push(block)
    total += block.length
  }
  return Buffer.concat(out).subarray(0, len)
}

/** Returns the salt of a deterministic PSS signature: HMAC(hash of the private key, message hash), `len` bytes. */
function derivedSalt(hash: string, key: KeyObject, mHash: Buffer, len: number): Buffer {
  const secret = createHash('sha256')
    .update(key.export({format: 'der', type: 'pkcs8'}))
    .digest()
  return mgf1(hash, createHmac(hash, secret).update('svidkit-pss-salt\0').update(mHash).digest(), len)
}

/**
 * Returns the RSASSA-PSS signature of `data` under the RSA private `key` with `hash`, MGF1 of
 * the same hash and a salt of the hash's length derived from key and message: the same inputs
 * give the same bytes (RFC 8017 §8.1.1 with a deterministic salt).
 */
export function deterministicPssSign(hash: 'sha256' | 'sha384' | 'sha512', data: Uint8Array, key: KeyObject): Buffer {
  const modBits = key.asymmetricKeyDetails?.modulusLength
  if (key.asymmetricKeyType !== 'rsa' || !modBits) throw new TypeError('deterministic PSS needs an RSA private key')
  const mHash = createHash(hash).update(data).digest()
  const hLen = mHash.length
  const sLen = hLen
  const emBits = modBits - 1
  const emLen = Math.ceil(emBits / 8)
  if (emLen < hLen + sLen + 2) throw new RangeError('RSA key too small for PSS with this hash')
  const salt = derivedSalt(hash, key, mHash, sLen)
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest()
  const db = Buffer.concat([Buffer.alloc(emLen - sLen - hLen - 2), Buffer.from([0x01]), salt])
  const mask = mgf1(hash, h, emLen - hLen - 1)
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i]
  db[0] &= 0xff >> (8 * emLen - emBits)
  const em = Buffer.concat([db, h, Buffer.from([0xbc])])
  // RSASP1 on a k-byte block: EM is one byte shorter when modBits ≡ 1 (mod 8).
  const k = Math.ceil(modBits / 8)
  const block = Buffer.concat([Buffer.alloc(k - emLen), em])
  return privateEncrypt({key, padding: constants.RSA_NO_PADDING}, block)
}
