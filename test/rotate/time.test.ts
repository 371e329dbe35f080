/**
 * src/core/time (used by rotate, ca init and every display): human durations, limits on
 * huge values, plain dates, readable lifetime errors (issue 8 item 12, issue 11).
 */
import {describe, expect, it} from 'vitest'
import {formatDuration, parseDuration, parseLifetime} from '../../src/core/time/duration.js'
import {parseInstant} from '../../src/core/time/instant.js'

const S = 1000
const M = 60 * S
const H = 60 * M
const D = 24 * H

describe('formatDuration: two largest units, never rounded up', () => {
  it.for([
    {ms: 0, text: '0s'},
    {ms: 250, text: '250ms'},
    {ms: 1500, text: '1.5s'},
    {ms: 45 * S, text: '45s'},
    {ms: 5 * M + 30 * S, text: '5m30s'},
    {ms: 90 * M, text: '1h30m'},
    {ms: 90 * M + 59 * S, text: '1h30m'},
    {ms: 2 * H, text: '2h'},
    {ms: 3 * D + 4 * H + 59 * M, text: '3d 4h'},
    {ms: 87599 * H + 59 * M + 59 * S, text: '9y 364d'},
    {ms: 365 * D, text: '1y'},
    {ms: -H, text: '-1h'},
  ])('$ms ms → $text', ({ms, text}) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('parseDuration and parseLifetime', () => {
  it.for([
    {text: '99999999999h', message: 'duration "99999999999h" is too long: the limit is 876000h (100 years)'},
    {text: '-99999999999h', message: 'duration "-99999999999h" is too long: the limit is 876000h (100 years)'},
    {text: '876001h', message: 'duration "876001h" is too long: the limit is 876000h (100 years)'},
    {text: '5days', message: 'invalid duration "5days"'},
  ])('$text → usage error', ({text, message}) => {
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({code: 'usage', exit: 2, message}))
  })

  it('876000h (100 years) is the largest accepted', () => {
    expect(parseDuration('876000h')).toBe(876000 * H)
  })

  it.for([
    {text: '-1h', message: '--ttl "-1h" is negative: a lifetime must be positive'},
    {text: '0', message: '--ttl "0" is zero: a lifetime must be positive'},
  ])('lifetime $text → $message', ({text, message}) => {
    expect(() => parseLifetime(text)).toThrow(expect.objectContaining({code: 'usage', exit: 2, message}))
  })
})

describe('parseInstant', () => {
  // now = 2026-01-01T00:00:00Z
  const now = new Date('2026-01-01T00:00:00Z')
  it.for([
    {text: '2030-01-01', at: '2030-01-01T00:00:00.000Z'},
    {text: '2030-01-01T12:00:00Z', at: '2030-01-01T12:00:00.000Z'},
    {text: '-1h', at: '2025-12-31T23:00:00.000Z'},
  ])('$text → $at', ({text, at}) => {
    expect(parseInstant(text, now).toISOString()).toBe(at)
  })
  it.for(['2030-02-30', '2030-13-01', '2030-1-1', '-99999999999h'])('%s → usage error', (text) => {
    expect(() => parseInstant(text, now)).toThrow(expect.objectContaining({code: 'usage', exit: 2}))
  })
})
