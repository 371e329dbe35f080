/**
 * A long-running command adds SIGINT/SIGTERM listeners while it runs and removes them when it
 * ends, however it ends: commands run in-process (tests, the library's users of oclif) used to
 * keep two listeners per run, and the eleventh run raised MaxListenersExceededWarning.
 */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {tmpDir} from '../helpers/tmp.js'

describe('signal listeners of in-process commands', () => {
  it('rotate run 12 times in-process (successes and a refusal) leaves SIGINT and SIGTERM listeners as they were', async () => {
    const dir = tmpDir()
    const ca = join(dir, 'ca')
    expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', ca])).exit).toBe(0)
    const before = {int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM')}
    const warnings: string[] = []
    const onWarning = (w: Error) => void warnings.push(w.name)
    process.on('warning', onWarning)
    try {
      for (let i = 0; i < 11; i++) {
        const r = await runCli([
          'rotate',
          '--dir',
          join(dir, 'svid'),
          '--ca',
          ca,
          '--spiffe-id',
          'spiffe://example.org/web',
        ])
        expect(r.exit, r.stderr).toBe(0)
      }
      const refused = await runCli(['rotate', '--dir', join(dir, 'svid'), '--ca', join(dir, 'no-ca')])
      expect(refused.exit).toBe(3)
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    expect({int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM')}).toEqual(before)
    expect(warnings.filter((w) => w === 'MaxListenersExceededWarning')).toEqual([])
  })
})
