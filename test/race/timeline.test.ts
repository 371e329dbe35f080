/**
 * The HTML timeline: each handshake in the lane of the serial it was served, failed ones red in
 * that lane (issue 18: one red row lost which certificate was refused), and `--timeline` for the
 * in-process race too.
 */
import {describe, expect, it} from 'vitest'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {TIMELINE_COLORS, timelineHtml} from '../../src/core/race/timeline.js'
import type {Attempt} from '../../src/core/race/attempt.js'
import {tmpDir} from '../helpers/tmp.js'
import {runCli} from '../helpers/cli.js'

const attempt = (start: number, servedSerial: string | null, ok: boolean): Attempt => ({
  start,
  end: start + 10,
  ok,
  servedSerial,
  handshakeMs: 5,
  resumed: false,
  ...(ok ? {} : {code: 'rejected-by-server-reply', side: 'peer' as const, message: 'refused'}),
})

/** Returns the y and fill of the rect whose title starts with `title`. */
function rect(html: string, title: string): {y: number; fill: string} {
  const m = new RegExp(`<rect [^>]*y="([\\d.]+)"[^>]*fill="([^"]+)"[^>]*><title>${title}`).exec(html)
  if (!m) throw new Error(`no rect titled ${title}`)
  return {y: Number(m[1]), fill: m[2]}
}

describe('timelineHtml', () => {
  it('draws a failed handshake in the lane of the serial it was served, red; one without a certificate in the last lane', () => {
    const html = timelineHtml({
      verdict: {ok: false, summary: 'x'},
      target: '--target 127.0.0.1:1',
      writerEvents: [],
      reloads: [],
      attempts: [attempt(0, 'aa', true), attempt(20, 'bb', true), attempt(40, 'bb', false), attempt(60, null, false)],
      serials: ['aa', 'bb'],
    })
    const okB = rect(html, 'served bb')
    const failedB = rect(html, 'failed \\(served bb\\)')
    const none = rect(html, 'failed: rejected')
    expect(failedB.y).toBe(okB.y)
    expect(failedB.fill).toBe(TIMELINE_COLORS.failed)
    expect(none.y).toBeGreaterThan(okB.y)
    expect(rect(html, 'served aa').y).toBeLessThan(okB.y)
  })
})

describe('race --timeline (in-process)', () => {
  it('writes the page; an existing file is exit 3 before the run', async () => {
    const dir = tmpDir()
    const file = join(dir, 'local.html')
    const r = await runCli([
      'race',
      '--rotations',
      '2',
      '--interval',
      '100ms',
      '--concurrency',
      '1',
      '--timeline',
      file,
      '--json',
    ])
    expect(r.exit).toBe(0)
    expect(existsSync(file)).toBe(true)
    expect(readFileSync(file, 'utf8')).toMatch(/svidkit race \(in-process\)/)
    const again = await runCli(['race', '--rotations', '1', '--timeline', file, '--json'])
    expect(again.exit).toBe(3)
  }, 60_000)
})
