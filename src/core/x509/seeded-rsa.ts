/**
 * Seeded RSA keys for byte-stable test fixtures (`--seed`): a deterministic prime search
 * driven by the seed, so the same seed and label give the same key on any machine. For tests
 * only: anyone who knows the seed has the private key.
 *
 * The search follows FIPS 186-5 Appendix A.1.3 (probable primes) with the seed in place of
 * the random bit generator: each candidate is fresh DRBG output (HMAC-SHA256 in counter mode,
 * seeded.ts) with the top two bits set (so p, q ≥ √2·2^(nlen/2−1) and n has exactly nlen bits)
 * and the low bit set; trial division by the odd primes below 2000; then Miller–Rabin with
 * bases drawn from the same DRBG, as many rounds as FIPS 186-5 Table B.1 asks (5 for 1024-bit
 * primes, 4 for 1536 and 2048). e = 65537 with gcd(e, p−1) = 1, |p − q| > 2^(nlen/2−100),
 * d = e⁻¹ mod lcm(p−1, q−1) and d > 2^(nlen/2). The key object comes from its JWK.
 */
import {createPrivateKey, createPublicKey} from 'node:crypto'
import {SvidkitError} from '../errors.js'
import type {KeyPair} from './keys.js'

/** A seeded random source: successive draws of `n` bytes (one HMAC counter stream per label). */
type ByteSource = (label: string, n: number) => Buffer

const E = 65537n

/** FIPS 186-5 Table B.1: Miller–Rabin rounds for p and q: 5 for 1024 bits (error 2^-112), 4 for 1536 (2^-128) and 2048 (2^-144). */
function rounds(primeBits: number): number {
  return primeBits <= 1024 ? 5 : 4
}

/** The odd primes below 2000 in groups whose product stays below 2^53, so one BigInt remainder serves a group. */
type PrimeGroup = {product: bigint; primes: number[]}
let groups: PrimeGroup[] | undefined

/** Returns the prime groups, computed on first use (not at import: every `issue` run loads this module). */
function primeGroups(): PrimeGroup[] {
  if (groups) return groups
  const primes: number[] = []
  for (let n = 3; n < 2000; n += 2) if (primes.every((p) => p * p > n || n % p !== 0)) primes.push(n)
  const out: PrimeGroup[] = []
  let cur: number[] = []
  let prod = 1
  for (const p of primes) {
    if (prod * p > Number.MAX_SAFE_INTEGER) {
      out.push({product: BigInt(prod), primes: cur})
      cur = []
      prod = 1
    }
    cur.push(p)
    prod *= p
  }
  out.push({product: BigInt(prod), primes: cur})
  groups = out
  return out
}

function hasSmallFactor(w: bigint): boolean {
  for (const g of primeGroups()) {
    const r = Number(w % g.product)
    for (const p of g.primes) if (r % p === 0) return true
  }
  return false
}

/** Returns base^exp mod m (left-to-right, 4-bit fixed window). */
function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  const table: bigint[] = [1n, base % m]
  for (let i = 2; i < 16; i++) table.push((table[i - 1] * table[1]) % m)
  const hex = exp.toString(16)
  let r = 1n
  for (const ch of hex) {
    r = (r * r) % m
    r = (r * r) % m
    r = (r * r) % m
    r = (r * r) % m
    const digit = Number.parseInt(ch, 16)
    if (digit) r = (r * table[digit]) % m
  }
  return r
}

function toBig(b: Buffer): bigint {
  return BigInt(`0x${b.toString('hex')}`)
}

function bitLength(x: bigint): number {
  return x.toString(2).length
}

/** Miller–Rabin (FIPS 186-5 Appendix B) with bases from the DRBG: false means composite for sure. */
function millerRabin(w: bigint, bits: number, draw: (n: number) => Buffer): boolean {
  const w1 = w - 1n
  let m = w1
  let a = 0
  while ((m & 1n) === 0n) {
    m >>= 1n
    a++
  }
  const len = bits / 8
  for (let i = 0; i < rounds(bits); i++) {
    // A base in [2, w−2]: each draw lands there with probability above 3/4 (w has its top two bits set).
    let b = toBig(draw(len))
    for (let tries = 1; b <= 1n || b >= w1; tries++) {
      if (tries >= 256) throw new SvidkitError('internal', 'seeded RSA: no Miller-Rabin base in 256 draws')
      b = toBig(draw(len))
    }
    let z = modPow(b, m, w)
    if (z === 1n || z === w1) continue
    let composite = true
    for (let j = 1; j < a; j++) {
      z = (z * z) % w
      if (z === w1) {
        composite = false
        break
      }
      if (z === 1n) break
    }
    if (composite) return false
  }
  return true
}

/** Returns the first probable prime of `bits` bits the DRBG yields (top two bits set, gcd(e, p−1) = 1). */
function seededPrime(bits: number, draw: (n: number) => Buffer): bigint {
  const top = 3n << BigInt(bits - 2)
  // Bounded: about bits·ln2/2 ≈ 355 odd candidates are needed on average for 1024 bits; 100 000 never run out.
  for (let i = 0; i < 100_000; i++) {
    const w = toBig(draw(bits / 8)) | top | 1n
    if (hasSmallFactor(w)) continue
    if ((w - 1n) % E === 0n) continue // e is prime: gcd(e, w−1) = 1 unless e divides w−1
    if (millerRabin(w, bits, draw)) return w
  }
  throw new SvidkitError('internal', `no ${bits}-bit prime in 100000 seeded candidates`)
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [m, a % m, 0n, 1n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  if (r0 !== 1n) throw new SvidkitError('internal', 'not invertible')
  return ((s0 % m) + m) % m
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

function b64(x: bigint): string {
  const hex = x.toString(16)
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url')
}

/** Keys made in this process, newest last; bounded, since a seeded Workload API server makes one per rotation. */
const cache = new Map<string, KeyPair>()
const CACHE_MAX = 32

/**
 * Returns an RSA key pair of `modulusBits` (2048, 3072 or 4096) derived from the random
 * source: the same source gives the same key. Cached per process by `cacheKey` (a search takes
 * a few hundred milliseconds for 2048 bits, seconds for 4096).
 */
export function seededRsaKeyPair(modulusBits: number, source: ByteSource, cacheKey: string): KeyPair {
  const hit = cache.get(`${modulusBits}\0${cacheKey}`)
  if (hit) return hit
  if (![2048, 3072, 4096].includes(modulusBits))
    throw new SvidkitError('internal', `seeded RSA keys are 2048, 3072 or 4096 bits, not ${modulusBits}`)
  const half = modulusBits / 2
  let p: bigint
  let q: bigint
  let d: bigint
  // FIPS 186-5 A.1.3: retry q (then p) until |p − q| and d are large enough; practically never more than once.
  for (let attempt = 0; ; attempt++) {
    if (attempt >= 16) throw new SvidkitError('internal', 'seeded RSA: no acceptable prime pair in 16 attempts')
    let draws = 0
    const draw = (n: number) => source(`rsa-${modulusBits}:${attempt}:${draws++}`, n)
    p = seededPrime(half, draw)
    q = seededPrime(half, draw)
    if (p < q) [p, q] = [q, p]
    if (p - q <= 1n << BigInt(half - 100)) continue
    const p1 = p - 1n
    const q1 = q - 1n
    const lambda = (p1 / gcd(p1, q1)) * q1
    d = modInverse(E, lambda)
    if (d > 1n << BigInt(half)) break
  }
  const n = p * q
  if (bitLength(n) !== modulusBits) throw new SvidkitError('internal', 'seeded RSA: modulus has the wrong size')
  const jwk = {
    kty: 'RSA',
    n: b64(n),
    e: b64(E),
    d: b64(d),
    p: b64(p),
    q: b64(q),
    dp: b64(d % (p - 1n)),
    dq: b64(d % (q - 1n)),
    qi: b64(modInverse(q, p)),
  }
  const privateKey = createPrivateKey({key: jwk, format: 'jwk'})
  const pair = {privateKey, publicKey: createPublicKey(privateKey)}
  cache.set(`${modulusBits}\0${cacheKey}`, pair)
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string)
  return pair
}
