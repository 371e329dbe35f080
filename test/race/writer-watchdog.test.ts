import {describe, expect, it} from 'vitest'
import {startWriter} from '../../src/core/race/writer.js'
import {rotateSteps} from '../../src/core/race/writer-job.js'
import {defaultKnobs} from '../../src/core/rotate/knobs.js'
import {tmpDir} from '../helpers/tmp.js'
import {alive, trustDomain} from './setup.js'

// A writer that stops talking (here: stopped with SIGSTOP) must not hang the race: the
// watchdog kills it and the run ends with the writer's failure named.
describe('race writer watchdog', () => {
  it('a silent writer is stopped and says why; a healthy one finishes', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const job = (steps: number) => ({
      dir: svid,
      ca,
      mode: 'atomic-rename' as const,
      layout: 'spiffe-helper' as const,
      issue: {},
      knobs: defaultKnobs(),
      intermediatesInBundle: false,
      bundleOnly: false,
      steps: rotateSteps(steps, 'leaf', 'add'),
      intervalMs: 10,
      lockstep: false,
    })
    const healthy = startWriter(job(2), {idleMs: 20_000})
    expect(await healthy.exited).toBe(0)
    expect(healthy.done).toHaveLength(2)

    const stuck = startWriter(job(50), {idleMs: 300})
    const pid = stuck.child.pid as number
    process.kill(pid, 'SIGSTOP')
    const code = await stuck.exited
    expect(code).not.toBe(0)
    expect(stuck.stderr.join('')).toMatch(/the writer made no progress for \d+ s and was stopped/)
    expect(alive(pid)).toBe(false)
  }, 60_000)
})
