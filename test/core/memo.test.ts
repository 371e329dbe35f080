/**
 * core/memo.ts and the caches built on it (DER times, instants, constant extensions): each
 * distinct key is computed once, the cache never holds more than its bound, and what comes
 * out of a cache is what the uncached encoder gives, for every key, in any order.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {boundedCache} from '../../src/core/memo.js'
import {time} from '../../src/core/x509/der.js'
import {parseCertificateTime} from '../../src/core/x509/validity.js'
import {formatInstant} from '../../src/core/time/instant.js'

describe('boundedCache', () => {
  it('computes each key once while it is held', () => {
    const cache = boundedCache<string, number>(10)
    let calls = 0
    const compute = (k: string) => (calls++, k.length)
    expect([cache('a', compute), cache('bb', compute), cache('a', compute), cache('bb', compute)]).toEqual([1, 2, 1, 2])
    expect(calls).toBe(2)
  })

  it('starts over once it holds `max` keys: never more than max + 1 computations remembered', () => {
    const cache = boundedCache<number, number>(4)
    let calls = 0
    const compute = (k: number) => (calls++, k * 2)
    for (let k = 0; k < 5; k++) cache(k, compute) // 0..3 held; 4 clears them and is held alone
    expect(calls).toBe(5)
    cache(4, compute)
    expect(calls).toBe(5)
    cache(0, compute)
    expect(calls).toBe(6)
  })

  it('does not remember a computation that throws', () => {
    const cache = boundedCache<string, number>()
    let calls = 0
    const failing = () => {
      calls++
      throw new Error('no')
    }
    expect(() => cache('x', failing)).toThrow('no')
    expect(() => cache('x', failing)).toThrow('no')
    expect(calls).toBe(2)
  })
})

describe('cached DER times and instants', () => {
  // 1950..2100 in whole seconds: UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
  const instant = fc
    .integer({min: Date.UTC(1950, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000})
    .map((s) => new Date(s * 1000))

  it('time() reads back, through parseCertificateTime, as the instant it encoded, cached or not (property)', () => {
    fc.assert(
      fc.property(fc.array(instant, {minLength: 1, maxLength: 40}), (ds) => {
        // Each instant twice, so the second read of each comes from both caches.
        for (const d of [...ds, ...ds]) {
          const der = time(d)
          expect(
            parseCertificateTime(der[0], Buffer.from(der.subarray(2)).toString('latin1'), 'notBefore').getTime(),
          ).toBe(d.getTime())
          expect(der[0]).toBe(d.getUTCFullYear() < 2050 ? 0x17 : 0x18)
          expect(formatInstant(d)).toBe(d.toISOString().replace('.000Z', 'Z'))
        }
      }),
      {numRuns: 50},
    )
  })

  it('parseCertificateTime returns a new Date each time: changing one leaves the cache alone', () => {
    const der = time(new Date('2030-05-06T07:08:09Z'))
    const text = Buffer.from(der.subarray(2)).toString('latin1')
    const first = parseCertificateTime(der[0], text, 'notAfter')
    first.setTime(0)
    expect(parseCertificateTime(der[0], text, 'notAfter').toISOString()).toBe('2030-05-06T07:08:09.000Z')
  })

  it('parseCertificateTime refuses an over-long or short time as time-invalid, and never remembers a refusal', () => {
    const invalid = expect.objectContaining({code: 'time-invalid'})
    expect(() => parseCertificateTime(0x17, '0'.repeat(1_000_000), 'notBefore')).toThrow(invalid)
    expect(() => parseCertificateTime(0x17, '3001021200Z', 'notBefore')).toThrow(invalid)
    // A refusal names the field it was read for, each time (a remembered one would name the first).
    expect(() => parseCertificateTime(0x17, '301301000000Z', 'notBefore')).toThrow(/^notBefore /)
    expect(() => parseCertificateTime(0x17, '301301000000Z', 'notAfter')).toThrow(/^notAfter /)
  })
})
