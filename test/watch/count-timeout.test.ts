/**
 * `watch --count N --timeout T`: the timeout before N new sets arrived is a failed watch
 * (exit 6, with the reason in the summary and on the last human line); N sets before the
 * timeout is exit 0. Used to exit 0 with fewer sets than asked for.
 */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {runWatch, type WatchSummary} from '../../src/core/watch/run.js'
import type {WatchEvent} from '../../src/core/watch/events.js'
import {fileNames} from '../../src/core/fs/layout.js'
import {REPO} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {makeCa, rot} from '../rotate/harness.js'

const base = suiteTmpDir()
let ca = ''
let dir = ''
beforeAll(async () => {
  ca = await makeCa(base())
  dir = join(base(), 'svid')
  await rot({dir, ca, mode: 'atomic-rename'})
})

const svidkit = (args: string[]) =>
  spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {...process.env, NO_COLOR: '1'},
  })

describe('watch --count with --timeout', () => {
  it('the timeout before --count new sets: exit 6, the reason in the JSON summary', () => {
    const r = svidkit(['watch', dir, '--count', '2', '--timeout', '500ms', '--json'])
    expect(r.status, r.stderr).toBe(6)
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as WatchSummary
    expect(summary).toMatchObject({type: 'summary', finalState: 'valid', stale: false, expected: 2, exit: 6})
    expect(summary.reason).toBe('0 of 2 new set(s) loaded before --timeout 500ms')
  })

  it('the same in human form: the reason is the last line', () => {
    const r = svidkit(['watch', dir, '--count', '1', '--timeout', '500ms'])
    expect(r.status, r.stderr).toBe(6)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toContain('  asked for         1 new set(s) (--count)')
    expect(lines.at(-1)).toBe('watch failed (exit 6): 0 of 1 new set(s) loaded before --timeout 500ms')
  })

  it('without --count the timeout ends a valid watch with exit 0 and no reason', () => {
    const r = svidkit(['watch', dir, '--timeout', '300ms', '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      type: 'summary',
      expected: null,
      reason: null,
      exit: 0,
    })
  })

  it('--count new sets before the timeout: exit 0', async () => {
    let rotated: Promise<unknown> | undefined
    const events: WatchEvent[] = []
    const summary = await runWatch({
      dir,
      names: fileNames('spiffe-helper'),
      count: 1,
      timeoutMs: 50_000,
      debounceMs: 20,
      sink: (e) => {
        events.push(e)
        // Once the first set is loaded, one rotation: the new set the watch waits for.
        if (e.type === 'rotation' && e.trigger === 'start') rotated = rot({dir, ca, mode: 'atomic-rename'})
      },
    })
    await rotated
    expect(summary).toMatchObject({expected: 1, reason: null, exit: 0, finalState: 'valid'})
    expect(events.filter((e) => e.type === 'rotation')).toHaveLength(2)
  })
})
