/**
 * A minimal, strict DER element reader (X.690 §10) for the structures svidkit reads
 * itself: certificates, names and extension values. A general ASN.1 decoder is too
 * lenient (validity times, BER lengths) and too slow to load for a one-shot command.
 * Single-byte tags and definite, minimal lengths only; every read is bounded by its
 * container, so the work is linear in the input.
 */

/** One DER element: its tag, and where its content starts and ends in the buffer. */
export interface Tlv {
  tag: number
  start: number
  end: number
}

/** Returns the element at `at`, or undefined when its header or length is malformed or runs past `limit`. */
export function readTlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined
  const tag = der[at]
  if ((tag & 0x1f) === 0x1f) return undefined // multi-byte tags appear in no structure read here
  const first = der[at + 1]
  let len = first
  let p = at + 2
  if (first & 0x80) {
    // X.690 §10.1: the long form only for lengths over 127, in as few bytes as possible
    // (no leading zero byte); 0x80 is BER's indefinite length, which DER forbids.
    const n = first & 0x7f
    if (n === 0 || n > 4 || p + n > limit || der[p] === 0) return undefined
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + der[p + i]
    if (len < 0x80) return undefined
    p += n
  }
  if (p + len > limit) return undefined
  return {tag, start: p, end: p + len}
}

/**
 * Returns the length the TLV at the start of `der` declares (header + content), even past
 * the end of `der`, or -1 when the header is malformed: to tell a truncated certificate
 * ("N of M bytes") from one with bytes after its outer SEQUENCE before reading it.
 */
export function derTlvLength(der: Uint8Array): number {
  if (der.length < 2) return -1
  const first = der[1]
  if (first < 0x80) return 2 + first
  const n = first & 0x7f
  if (n === 0 || n > 4 || der.length < 2 + n) return -1
  let len = 0
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i]
  return 2 + n + len
}

/**
 * Returns the elements inside `parent`, at most `max` of them; undefined when one is
 * malformed or, with `exact`, when bytes are left over after the last one read.
 */
export function readChildren(der: Uint8Array, parent: Tlv, max: number, exact = false): Tlv[] | undefined {
  const out: Tlv[] = []
  let p = parent.start
  while (p < parent.end && out.length < max) {
    const t = readTlv(der, p, parent.end)
    if (!t) return undefined
    out.push(t)
    p = t.end
  }
  if (exact && p !== parent.end) return undefined
  return out
}

/**
 * How many more elements one certificate may hold, shared by every read of it: this
 * bounds the work on hostile input even where each container is well formed.
 */
export interface DerBudget {
  nodes: number
}

/** The bytes as a Buffer view (no copy: Buffer.from copies a Uint8Array, which costs more than decoding it), to decode as text or hex. */
export function bufferOf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.length)
}

/** The content of an element as a view (no copy). */
export function contentOf(der: Uint8Array, t: Tlv): Uint8Array {
  return der.subarray(t.start, t.end)
}

/**
 * The whole element, header included, as a view. Lengths read by readTlv are minimal,
 * so the header's size follows from the content's length (X.690 §10.1).
 */
export function elementOf(der: Uint8Array, t: Tlv): Uint8Array {
  const n = t.end - t.start
  const header = n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : n < 0x1000000 ? 5 : 6
  return der.subarray(t.start - header, t.end)
}

/** Returns the one element that spans all of `der`; throws when it is malformed, has another tag or trailing bytes. */
export function readWhole(der: Uint8Array, tag: number, what: string): Tlv {
  const t = readTlv(der, 0, der.length)
  if (!t) throw new Error(`${what}: malformed DER`)
  if (t.tag !== tag) throw new Error(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`)
  if (t.end !== der.length) throw new Error(`${what}: ${der.length - t.end} bytes after the DER value`)
  return t
}

/**
 * Returns every element inside `parent` (a constructed element); throws when one is
 * malformed or the budget runs out.
 */
export function childrenOf(der: Uint8Array, parent: Tlv, what: string, budget: DerBudget): Tlv[] {
  if (!(parent.tag & 0x20))
    throw new Error(`${what}: expected a constructed element, found tag 0x${parent.tag.toString(16)}`)
  const out: Tlv[] = []
  for (let p = parent.start; p < parent.end;) {
    const t = readTlv(der, p, parent.end)
    if (!t) throw new Error(`${what}: malformed DER at offset ${p}`)
    if (--budget.nodes < 0) throw new Error(`${what}: more DER elements than a certificate may hold`)
    out.push(t)
    p = t.end
  }
  return out
}

/** Throws unless `t` exists and has the tag. */
export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw new Error(`${what}: missing`)
  if (t.tag !== tag) throw new Error(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`)
  return t
}

/** Returns the value of a DER BOOLEAN's content (one byte; any non-zero byte reads as TRUE, as BER decoders do). */
export function booleanOf(der: Uint8Array, t: Tlv, what: string): boolean {
  if (t.end - t.start !== 1) throw new Error(`${what}: a BOOLEAN holds one byte`)
  return der[t.start] !== 0
}

/** Returns a two's-complement INTEGER as a number (rounded past 2^53, which no field read here reaches meaningfully). */
export function integerOf(der: Uint8Array, t: Tlv, what: string): number {
  const len = t.end - t.start
  if (len === 0) throw new Error(`${what}: empty INTEGER`)
  // X.690 §8.3.2: the first nine bits are never all zeros or all ones.
  if (
    len > 1 &&
    ((der[t.start] === 0 && !(der[t.start + 1] & 0x80)) || (der[t.start] === 0xff && der[t.start + 1] & 0x80))
  ) {
    throw new Error(`${what}: INTEGER is not minimally encoded`)
  }
  let v = 0n
  for (let i = t.start; i < t.end; i++) v = (v << 8n) | BigInt(der[i])
  if (der[t.start] & 0x80) v -= 1n << BigInt(8 * len)
  return Number(v)
}

/**
 * Returns the dotted text of an OBJECT IDENTIFIER's content (X.690 §8.19); throws for an
 * empty value, a subidentifier with a leading 0x80 byte or one cut short. Arcs past
 * 2^53 are exact (BigInt), so two distinct OIDs never read as one.
 */
export function oidOf(der: Uint8Array, t: Tlv, what: string): string {
  if (t.tag !== 0x06) throw new Error(`${what}: expected an OBJECT IDENTIFIER, found tag 0x${t.tag.toString(16)}`)
  if (t.end === t.start) throw new Error(`${what}: empty OBJECT IDENTIFIER`)
  // One pass, the text built as it goes: certificates repeat this for every algorithm and extension.
  let text = ''
  let v = 0
  let big: bigint | undefined
  let fresh = true
  for (let i = t.start; i < t.end; i++) {
    const b = der[i]
    if (fresh && b === 0x80) throw new Error(`${what}: OBJECT IDENTIFIER subidentifier is not minimally encoded`)
    fresh = false
    if (big !== undefined) big = big * 128n + BigInt(b & 0x7f)
    else if (v >= 2 ** 45) big = BigInt(v) * 128n + BigInt(b & 0x7f)
    else v = v * 128 + (b & 0x7f)
    if (b & 0x80) continue
    if (text === '') {
      // The first subidentifier packs two arcs: 40 * X + Y, X in 0..2.
      if (big !== undefined) text = `2.${big - 80n}`
      else text = v < 40 ? `0.${v}` : v < 80 ? `1.${v - 40}` : `2.${v - 80}`
    } else text += big !== undefined ? `.${big}` : `.${v}`
    v = 0
    big = undefined
    fresh = true
  }
  if (!fresh) throw new Error(`${what}: OBJECT IDENTIFIER ends inside a subidentifier`)
  return text
}
