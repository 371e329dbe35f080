/**
 * Human watch lines (issue 11): wall-clock times and human durations, not monotonic stamps
 * such as "2714.273s"; the JSON events keep the monotonic `t`.
 */
import {describe, expect, it} from 'vitest'
import {watchLine, watchSummary} from '../../src/cli/render/watch.js'
import type {WatchEvent} from '../../src/core/watch/events.js'

// Printed at 2026-01-01T12:00:00Z; the SVID expires 1h30m later.
const now = new Date('2026-01-01T12:00:00Z')
const rotation: WatchEvent = {
  t: 2_714_273.4,
  type: 'rotation',
  strategy: 'reference',
  serial: 'ab12',
  spiffeId: 'spiffe://example.org/web',
  notAfter: '2026-01-01T13:30:00Z',
  latencyMs: 1234.4,
  trigger: 'event',
}

describe('watch human lines', () => {
  it.for([
    {
      name: 'rotation',
      e: rotation,
      line: '12:00:00.000Z rotation serial ab12 spiffe://example.org/web until 2026-01-01T13:30:00Z (1h30m left), loaded 1.234s after the change (event)',
    },
    {
      name: 'expired rotation',
      e: {...rotation, notAfter: '2025-12-29T08:00:00Z', latencyMs: undefined},
      line: '12:00:00.000Z rotation serial ab12 spiffe://example.org/web until 2025-12-29T08:00:00Z (expired 3d 4h ago)',
    },
    {
      name: 'invalid',
      e: {
        t: 5,
        type: 'invalid',
        strategy: 'reference',
        code: 'key-mismatch',
        message: 'x',
        trigger: 'retry',
      } as WatchEvent,
      line: '12:00:00.000Z invalid  [key-mismatch] x (retry; keeping the last good set)',
    },
  ])('$name', ({e, line}) => {
    const text = watchLine(e, now)
    expect(text).toBe(line)
    // Not the monotonic stamp (t = 2714273.4 ms printed as "2714.273s").
    expect(text).not.toContain('2714')
  })

  it('the summary shows latencies as human durations', () => {
    const lines = watchSummary({
      strategy: 'reference',
      rotations: 2,
      invalid: {},
      errors: 0,
      latency: {maxMs: 90_500, p50Ms: 120.4, p99Ms: 1500},
      finalState: 'valid',
      stale: false,
      races: [],
      exit: 0,
    })
    expect(lines.find((l) => l.includes('latency'))).toMatch(/p50 120ms, p99 1\.5s, max 1m30s$/)
  })
})
