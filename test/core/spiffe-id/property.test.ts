import {describe, it, expect} from 'vitest'
import fc from 'fast-check'
import {SvidkitError} from '../../../src/core/errors.js'
import {SpiffeId, TrustDomain} from '../../../src/core/spiffe-id/index.js'

const RUNS = {numRuns: 5000}

/** Returns true when `text` parses or is refused with `spiffe-id-invalid`; anything else fails the property. */
function parsesOrRefuses(text: string): boolean {
  try {
    SpiffeId.parse(text)
  } catch (err) {
    return err instanceof SvidkitError && err.code === 'spiffe-id-invalid'
  }
  return true
}

const chars = (s: string) => fc.constantFrom(...s.split(''))
const lower = 'abcdefghijklmnopqrstuvwxyz0123456789._-'
const pathAlphabet = lower + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'

// Near-misses: the pieces valid IDs are made of, plus the bytes the rules reject
const grammarish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'spiffe://',
        'spiffe:/',
        'SPIFFE://',
        'spiffe:',
        '/',
        '//',
        '.',
        '..',
        '%',
        '%2F',
        ':',
        '@',
        '?',
        '#',
        ' ',
        'é',
        '\u0000',
        '\ud800',
      ),
      fc.string({unit: chars(pathAlphabet), maxLength: 6}),
    ),
    {maxLength: 12},
  )
  .map((parts) => parts.join(''))

const tdName = fc.string({unit: chars(lower), minLength: 1, maxLength: 20})
const segment = fc
  .string({unit: chars(pathAlphabet), minLength: 1, maxLength: 10})
  .filter((s) => s !== '.' && s !== '..')
const path = fc.array(segment, {maxLength: 6}).map((segs) => segs.map((s) => `/${s}`).join(''))

describe('SpiffeId.parse never throws anything but spiffe-id-invalid', () => {
  it('on arbitrary binary strings', () => {
    fc.assert(fc.property(fc.string({unit: 'binary'}), parsesOrRefuses), RUNS)
  })

  it('on arbitrary strings behind the scheme', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), (s) => parsesOrRefuses(`spiffe://${s}`)),
      RUNS,
    )
  })

  it('on grammar-ish strings', () => {
    fc.assert(fc.property(grammarish, parsesOrRefuses), RUNS)
  })

  it('TrustDomain.parse on grammar-ish strings', () => {
    fc.assert(
      fc.property(grammarish, (s) => {
        try {
          TrustDomain.parse(s)
        } catch (err) {
          return err instanceof SvidkitError && err.code === 'spiffe-id-invalid'
        }
        return true
      }),
      RUNS,
    )
  })
})

describe('round trip of valid IDs', () => {
  it('parse(s).toString() === s', () => {
    fc.assert(
      fc.property(tdName, path, (td, p) => {
        const s = `spiffe://${td}${p}`
        expect(SpiffeId.parse(s).toString()).toBe(s)
      }),
      RUNS,
    )
  })

  it('fromParts agrees with parse', () => {
    fc.assert(
      fc.property(tdName, path, (td, p) => {
        const built = SpiffeId.fromParts(td, p)
        expect(built.toString()).toBe(`spiffe://${td}${p}`)
        const parsed = SpiffeId.parse(built.toString())
        expect(parsed.trustDomain.name).toBe(td)
        expect(parsed.path).toBe(p)
        expect(parsed.equals(built)).toBe(true)
        expect(parsed.isRoot()).toBe(p === '')
      }),
      RUNS,
    )
  })
})
