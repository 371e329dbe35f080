/**
 * A minimal DER element reader for the few structures svidkit reads itself, where a
 * general ASN.1 decoder is too lenient (validity times) or too slow (long SAN lists).
 */

/** One DER element: its tag, and where its content starts and ends in the buffer. */
export interface Tlv {
  tag: number
  start: number
  end: number
}

/** Returns the element at `at`, or undefined when its header or length runs past `limit`. */
export function readTlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined
  const tag = der[at]
  if ((tag & 0x1f) === 0x1f) return undefined // multi-byte tags appear in no structure read here
  const first = der[at + 1]
  let len = first
  let p = at + 2
  if (first & 0x80) {
    const n = first & 0x7f
    if (n === 0 || n > 4 || p + n > limit) return undefined
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + der[p + i]
    p += n
  }
  if (p + len > limit) return undefined
  return {tag, start: p, end: p + len}
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
