import {createHash} from 'node:crypto'

/**
 * Returns the PKCS#12 KDF output (RFC 7292 B.2): `n` bytes (at most one digest) for purpose `id`
 * (3 = MAC key), with `hash` (default SHA-256) whose input block is `v` bytes (64; 128 for SHA-384/512).
 */
export function pkcs12Kdf(
  password: string,
  salt: Uint8Array,
  iterations: number,
  id: number,
  n: number,
  hash = 'sha256',
  v = 64,
): Buffer {
  const fill = (b: Buffer) => {
    if (b.length === 0) return b
    const out = Buffer.alloc(v * Math.ceil(b.length / v))
    for (let i = 0; i < out.length; i++) out[i] = b[i % b.length]
    return out
  }
  // The password as a BMPString with two trailing zero bytes.
  const p = Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)])
  const i = Buffer.concat([fill(Buffer.from(salt)), fill(p)])
  let a = createHash(hash).update(Buffer.alloc(v, id)).update(i).digest()
  for (let r = 1; r < iterations; r++) a = createHash(hash).update(a).digest()
  return a.subarray(0, n)
}
