/**
 * Strict reading of a certificate's validity times (RFC 5280 §4.1.2.5): UTCTime
 * `YYMMDDHHMMSSZ` and GeneralizedTime `YYYYMMDDHHMMSSZ` only, `Z` only, no fractional
 * seconds, and real calendar fields. General-purpose ASN.1 decoders normalise month 13
 * into the next year or garbage into 1899; a verifier must reject such a certificate.
 */
import {SvidkitError} from '../errors.js'
import {boundedCache} from '../memo.js'
import {readChildren, readTlv, type Tlv} from './der-read.js'

/**
 * Returns the raw notBefore and notAfter elements of a certificate's DER, or undefined
 * when the structure is too broken to find them (the full decoder reports that).
 */
export function rawValidity(
  der: Uint8Array,
): {notBefore: {tag: number; text: string}; notAfter: {tag: number; text: string}} | undefined {
  const cert = readTlv(der, 0, der.length)
  if (!cert || cert.tag !== 0x30) return undefined
  const tbs = readChildren(der, cert, 1)?.[0]
  if (!tbs || tbs.tag !== 0x30) return undefined
  const fields = readChildren(der, tbs, 6) ?? []
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0
  const validity = fields[offset + 3]
  if (!validity || validity.tag !== 0x30) return undefined
  const [nb, na] = readChildren(der, validity, 2) ?? []
  if (!nb || !na) return undefined
  const text = (t: Tlv) => Buffer.from(der.subarray(t.start, t.end)).toString('latin1')
  return {notBefore: {tag: nb.tag, text: text(nb)}, notAfter: {tag: na.tag, text: text(na)}}
}

const UTC_TIME = 0x17
const GENERALIZED_TIME = 0x18

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

// The leaves of a bulk run share a handful of instants: each valid one is read once (a
// time that fails is never remembered, and none longer than GeneralizedTime's 15 bytes).
const instants = boundedCache<string, number>()

/**
 * Returns the instant of a UTCTime (tag 0x17) or GeneralizedTime (tag 0x18) value as
 * RFC 5280 §4.1.2.5 allows it; throws a `time-invalid` SvidkitError naming `field`
 * and the offending text otherwise. Each call returns a new Date.
 */
export function parseCertificateTime(tag: number, text: string, field: string): Date {
  if (text.length > 15) return readCertificateTime(tag, text, field)
  return new Date(instants(`${tag} ${text}`, () => readCertificateTime(tag, text, field).getTime()))
}

function readCertificateTime(tag: number, text: string, field: string): Date {
  const bad = (why: string) =>
    new SvidkitError(
      'time-invalid',
      `${field} ${JSON.stringify(text)} is not a valid ${tag === UTC_TIME ? 'UTCTime' : tag === GENERALIZED_TIME ? 'GeneralizedTime' : 'time'}: ${why}`,
    )
  let year: number
  let rest: string
  if (tag === UTC_TIME) {
    if (!/^\d{12}Z$/.test(text)) throw bad('the form must be YYMMDDHHMMSSZ')
    const yy = Number(text.slice(0, 2))
    year = yy >= 50 ? 1900 + yy : 2000 + yy
    rest = text.slice(2)
  } else if (tag === GENERALIZED_TIME) {
    if (!/^\d{14}Z$/.test(text)) throw bad('the form must be YYYYMMDDHHMMSSZ')
    year = Number(text.slice(0, 4))
    rest = text.slice(4)
  } else {
    throw new SvidkitError(
      'time-invalid',
      `${field} is neither UTCTime nor GeneralizedTime (tag 0x${tag.toString(16)})`,
    )
  }
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2)))
  if (month < 1 || month > 12) throw bad(`month ${month} is out of range`)
  if (day < 1 || day > daysIn(year, month))
    throw bad(`day ${day} does not exist in ${year}-${String(month).padStart(2, '0')}`)
  if (hour > 23) throw bad(`hour ${hour} is out of range`)
  if (minute > 59) throw bad(`minute ${minute} is out of range`)
  if (second > 59) throw bad(`second ${second} is out of range`)
  const at = new Date(Date.UTC(2000, 0, 1, hour, minute, second))
  at.setUTCFullYear(year, month - 1, day) // Date.UTC maps years 0-99 to 1900-1999
  return at
}
