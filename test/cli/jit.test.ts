/**
 * cli/jit.ts: which bulk runs cap V8 at its baseline tier, that the cap is undone exactly once,
 * and that a user's own V8 tier flags are left alone. V8's flag calls are recorded instead of
 * made, so no flag of the test process changes. No timing is asserted.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {capJitForBulk, JIT_CAP_MAX_COUNT} from '../../src/cli/jit.js'

const calls: string[] = []
const record = (flags: string) => void calls.push(flags)

describe('capJitForBulk', () => {
  const saved = {execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS}
  beforeEach(() => {
    calls.length = 0
    process.execArgv = []
    delete process.env.NODE_OPTIONS
  })
  afterEach(() => {
    process.execArgv = saved.execArgv
    if (saved.nodeOptions === undefined) delete process.env.NODE_OPTIONS
    else process.env.NODE_OPTIONS = saved.nodeOptions
  })

  it('caps a run of up to JIT_CAP_MAX_COUNT SVIDs at the baseline tier, and restores V8 default once however often it is undone', () => {
    const uncap = capJitForBulk(JIT_CAP_MAX_COUNT, record)
    expect(calls).toEqual(['--max-opt=1'])
    uncap()
    uncap()
    expect(calls).toEqual(['--max-opt=1', '--max-opt=999'])
  })

  it('leaves a larger run to V8 (optimized code pays for itself there)', () => {
    capJitForBulk(JIT_CAP_MAX_COUNT + 1, record)()
    expect(calls).toEqual([])
  })

  it.each([
    ['execArgv', '--max-opt=2'],
    ['execArgv', '--no-opt'],
    ['NODE_OPTIONS', '--max-old-space-size=512 --max_opt=3'],
    ['NODE_OPTIONS', '--maglev'],
  ])('leaves V8 tiers the user chose (%s %s) alone', (where, flag) => {
    if (where === 'execArgv') process.execArgv = [flag]
    else process.env.NODE_OPTIONS = flag
    capJitForBulk(10, record)()
    expect(calls).toEqual([])
  })

  it('a flag that only starts like a tier flag is not one', () => {
    process.env.NODE_OPTIONS = '--max-old-space-size=512 --optimize-for-size'
    capJitForBulk(10, record)()
    expect(calls).toEqual(['--max-opt=1', '--max-opt=999'])
  })
})
