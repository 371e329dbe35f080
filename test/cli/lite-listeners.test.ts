/**
 * A lite bundle adds its stdout EPIPE handler once per process, however many bundles (or
 * copies of one) the process loads: the tests load them in-process many times, and each load
 * used to add a listener (MaxListenersExceededWarning: 11 error listeners added to [Socket]).
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import type {loadBundle as LoadBundle} from '../../src/cli/lite/load.js'

const LITE = JSON.parse(readFileSync(join(REPO, 'dist', 'bundle', 'lite', 'commands.json'), 'utf8')) as Record<
  string,
  string
>

describe('lite bundles loaded many times in one process', () => {
  it('add one stdout error listener in all, and no MaxListenersExceededWarning', async () => {
    const {loadBundle} = (await import(join(REPO, 'dist', 'cli', 'lite', 'load.js'))) as {loadBundle: typeof LoadBundle}
    const warnings: string[] = []
    const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`)
    process.on('warning', onWarning)
    const before = process.stdout.listenerCount('error')
    try {
      for (let i = 0; i < 12; i++)
        for (const file of Object.values(LITE)) loadBundle(join(REPO, 'dist', 'bundle', 'lite', file))
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    expect(process.stdout.listenerCount('error') - before).toBeLessThanOrEqual(1)
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([])
  })
})
