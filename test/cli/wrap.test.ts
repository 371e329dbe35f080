/**
 * Human results (verify, inspect, handshake) are wrapped to the terminal's width between
 * words, continuation lines under the value they continue, instead of the terminal breaking
 * words at its edge; piped output without COLUMNS keeps whole lines.
 */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {outputWidth, wrapLines} from '../../src/cli/style.js'
import {REPO} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'

const base = suiteTmpDir()
// eslint-disable-next-line no-control-regex
const visible = (s: string) => [...s.replace(/\u001B\[[0-9;]*m/g, '')].length
const words = (lines: string[]) => lines.join(' ').split(/\s+/).filter(Boolean)

describe('wrapLines', () => {
  it('breaks between words, never inside one, and hangs continuations under the value column', () => {
    const line = '  ok    leaf-flags     leaf is not a CA and has digitalSignature without keyCertSign/cRLSign'
    const out = wrapLines([line], 50)
    expect(out).toEqual([
      '  ok    leaf-flags     leaf is not a CA and has',
      '                       digitalSignature without',
      '                       keyCertSign/cRLSign',
    ])
    expect(words(out)).toEqual(words([line]))
  })

  it('keeps a word longer than a continuation line where it is, and short lines untouched', () => {
    const hash = 'b5b88830b0e5592c5cb809868e3f24d600395611224a93892f45ef4bfb2a2847'
    expect(wrapLines([`   sha256   ${hash}`, 'short'], 40)).toEqual([`   sha256   ${hash}`, 'short'])
  })

  it('measures colour codes as nothing, and splits embedded newlines', () => {
    const red = (s: string) => `\u001B[31m${s}\u001B[39m`
    const out = wrapLines([`${red('FAIL')}  name  one two three four five six`, 'a\nb'], 24)
    expect(out.map(visible).every((n) => n <= 24)).toBe(true)
    expect(out.slice(-2)).toEqual(['a', 'b'])
  })

  it('without a width (piped, no COLUMNS) returns the lines as they are', () => {
    const long = 'x '.repeat(100)
    expect(wrapLines([long], undefined)).toEqual([long])
    const pipe = {isTTY: false, columns: 0} as unknown as NodeJS.WriteStream
    expect(outputWidth(pipe, {})).toBeUndefined()
    expect(outputWidth(pipe, {COLUMNS: '72'})).toBe(72)
    expect(outputWidth({isTTY: true, columns: 133} as unknown as NodeJS.WriteStream, {COLUMNS: '72'})).toBe(133)
  })
})

describe('verify and inspect wrap to COLUMNS', () => {
  let ca = ''
  let svid = ''
  const at = new Date(Date.now() + 60_000).toISOString()
  const svidkit = (args: string[], columns?: number) => {
    const {COLUMNS: _c, ...env} = process.env
    return spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {...env, NO_COLOR: '1', ...(columns ? {COLUMNS: String(columns)} : {})},
    })
  }
  beforeAll(() => {
    ca = join(base(), 'ca')
    svid = join(base(), 'svid')
    expect(svidkit(['ca', 'init', '--trust-domain', 'example.org', '--out', ca]).status).toBe(0)
    expect(svidkit(['issue', '--ca', ca, '--spiffe-id', 'spiffe://example.org/web', '--out', svid]).status).toBe(0)
  })

  it.each([
    // --at: both runs print the same times.
    ['verify', () => ['verify', '--dir', svid, '--expect-id', 'spiffe://example.org/other', '--at', at]],
    ['inspect', () => ['inspect', join(svid, 'svid.pem'), '--at', at]],
  ])(
    '%s: no line wider than 60 columns but an unbreakable word, the same words as the unwrapped output',
    (_name, argv) => {
      const wide = svidkit(argv())
      const narrow = svidkit(argv(), 60)
      expect(narrow.status).toBe(wide.status)
      const lines = narrow.stdout.split('\n')
      // A line may pass 60 columns only to hold one word that no line could (a hash).
      const over = lines.filter(
        (l) =>
          visible(l) > 60 &&
          !l
            .trim()
            .split(/\s+/)
            .some((w) => visible(w) > 40),
      )
      expect(over).toEqual([])
      expect(lines.length).toBeGreaterThan(wide.stdout.split('\n').length)
      // The unwrapped output has lines wider than 60: the narrow one is wrapped, not shorter.
      expect(wide.stdout.split('\n').some((l) => visible(l) > 60)).toBe(true)
      expect(words(lines)).toEqual(words(wide.stdout.split('\n')))
    },
  )
})
