/**
 * Reading a subjectAltName value (RFC 5280 §4.2.1.6) directly from DER: a general
 * decoder spends tens of microseconds per name, which makes a certificate with many
 * thousands of names slow to read; this reader is linear and strict about structure.
 */
import {isIP} from 'node:net'
import {bufferOf, readChildren, readTlv} from './der-read.js'

/** The names of a subjectAltName extension, by type; `other` counts the remaining kinds. */
interface SanNames {
  uris: string[]
  dns: string[]
  ips: string[]
  emails: string[]
  other: number
}

/** Context tags of GeneralName (RFC 5280 §4.2.1.6): primitive [1] [2] [6] [7] [8], constructed [0] [3] [4] [5]. */
const KNOWN_TAGS = new Set([0xa0, 0x81, 0x82, 0xa3, 0xa4, 0xa5, 0x86, 0x87, 0x88])

/** Returns the text of an iPAddress GeneralName: dotted IPv4, canonical (RFC 5952) IPv6, else hex. */
export function ipText(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.')
  if (b.length === 16) {
    const groups: string[] = []
    for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16))
    return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1)
  }
  return Buffer.from(b).toString('hex')
}

/** Returns the 4 or 16 bytes of an IPv4 or IPv6 address literal, or undefined when `text` is not one. */
export function ipBytes(text: string): Uint8Array | undefined {
  if (isIP(text) === 4) return Uint8Array.from(text.split('.').map(Number))
  if (isIP(text) !== 6) return undefined
  // Expand "::" and an embedded IPv4 tail, then read the eight groups.
  let t = text
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t)
  if (v4) {
    const b = v4[1].split('.').map(Number)
    t = `${t.slice(0, -v4[1].length)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`
  }
  const [head, tail] = t.includes('::') ? t.split('::') : [t, undefined]
  const h = head ? head.split(':') : []
  const tl = tail === undefined ? [] : tail ? tail.split(':') : []
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl]
  const out = new Uint8Array(16)
  groups.forEach((g, i) => {
    const v = parseInt(g, 16)
    out[2 * i] = v >> 8
    out[2 * i + 1] = v & 0xff
  })
  return out
}

/**
 * Returns the names of a DER `GeneralNames` SEQUENCE; throws an Error when the value is
 * not exactly one well-formed SEQUENCE of GeneralName elements.
 */
export function parseGeneralNames(der: Uint8Array): SanNames {
  const outer = readTlv(der, 0, der.length)
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) throw new Error('subjectAltName is not a DER SEQUENCE')
  const items = readChildren(der, outer, Number.MAX_SAFE_INTEGER, true)
  if (!items) throw new Error('subjectAltName holds a malformed GeneralName')
  const names: SanNames = {uris: [], dns: [], ips: [], emails: [], other: 0}
  for (const t of items) {
    if (!KNOWN_TAGS.has(t.tag))
      throw new Error(`subjectAltName holds an unknown GeneralName tag 0x${t.tag.toString(16)}`)
    const body = der.subarray(t.start, t.end)
    const text = () => bufferOf(body).toString('latin1')
    if (t.tag === 0x86) names.uris.push(text())
    else if (t.tag === 0x82) names.dns.push(text())
    else if (t.tag === 0x81) names.emails.push(text())
    else if (t.tag === 0x87) names.ips.push(ipText(body))
    else names.other++
  }
  return names
}
