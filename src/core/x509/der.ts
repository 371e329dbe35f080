/** A minimal DER writer: just what certificates need (RFC 5280, X.690). The reader is der-read.ts. */
import {boundedCache} from '../memo.js'

function headerLength(n: number): number {
  return n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : n < 0x1000000 ? 5 : 6
}

/** Returns one TLV of the given parts (one allocation: header and content copied once). */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  return tlvOf(tag, content)
}

/** Returns one TLV whose content is `content` concatenated: for lists of any length (never spread into a call). */
export function tlvOf(tag: number, content: readonly Uint8Array[]): Buffer {
  let n = 0
  for (const c of content) n += c.length
  const h = headerLength(n)
  const out = Buffer.allocUnsafe(h + n)
  out[0] = tag
  if (h === 2) out[1] = n
  else {
    out[1] = 0x80 | (h - 2)
    for (let i = h - 1, v = n; i >= 2; i--, v = Math.floor(v / 256)) out[i] = v & 0xff
  }
  let p = h
  for (const c of content) {
    out.set(c, p)
    p += c.length
  }
  return out
}

export const seq = (...c: Uint8Array[]): Buffer => tlvOf(0x30, c)
/** Returns a SEQUENCE of a list of any length. */
export const seqOf = (c: readonly Uint8Array[]): Buffer => tlvOf(0x30, c)

/** Returns an INTEGER from unsigned big-endian bytes (minimal, positive). */
export function uint(bytes: Uint8Array): Buffer {
  let b = Buffer.from(bytes)
  while (b.length > 1 && b[0] === 0) b = b.subarray(1)
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b])
  return tlv(0x02, b)
}

/** Returns an INTEGER for a non-negative safe integer. */
export function int(n: number): Buffer {
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return uint(Buffer.from(bytes.length ? bytes : [0]))
}

const oids = boundedCache<string, Buffer>()

/** Returns an OBJECT IDENTIFIER (encoded once per OID: certificates repeat a handful of them). Shared: copy it, never change it. */
export function oid(text: string): Buffer {
  return oids(text, encodeOid)
}

function encodeOid(text: string): Buffer {
  const parts = text.split('.').map(Number)
  const out: number[] = [parts[0] * 40 + parts[1]]
  for (const p of parts.slice(2)) {
    const sub: number[] = [p & 0x7f]
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) sub.unshift((v & 0x7f) | 0x80)
    for (const b of sub) out.push(b)
  }
  return tlv(0x06, Buffer.from(out))
}

export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]))
export const octets = (b: Uint8Array): Buffer => tlv(0x04, b)
export const nul = (): Buffer => Buffer.from([0x05, 0x00])
export const explicit = (n: number, ...c: Uint8Array[]): Buffer => tlvOf(0xa0 | n, c)

/** Returns a BIT STRING holding whole bytes. */
export function bitString(b: Uint8Array): Buffer {
  return tlv(0x03, Buffer.from([0]), b)
}

/** Returns the DER BIT STRING of named bits (bit 0 = most significant), trailing zero bits trimmed. */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return tlv(0x03, Buffer.from([0]))
  let top = 0
  for (const b of bits) top = Math.max(top, b)
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1)
  for (const b of bits) bytes[Math.floor(b / 8)] |= 0x80 >> (b % 8)
  return tlv(0x03, Buffer.from([7 - (top % 8)]), bytes)
}

// The leaves of a bulk run share a handful of instants: each is encoded once.
const times = boundedCache<number, Buffer>()

function encodeTime(ms: number): Buffer {
  const d = new Date(ms)
  const iso = d.toISOString()
  const y = d.getUTCFullYear()
  const body = `${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
  return y < 2050 && y >= 1950
    ? tlv(0x17, Buffer.from(`${String(y).slice(2)}${body}`))
    : tlv(0x18, Buffer.from(`${y}${body}`))
}

/** Returns a Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). Shared: copy it, never change it. */
export function time(d: Date): Buffer {
  return times(d.getTime(), encodeTime)
}
