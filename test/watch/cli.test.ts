/**
 * `svidkit watch` as a real process (cli-contract.md "watch --json", exit 6): NDJSON where
 * every line parses, one `rotation` event per new consistent set, a final `summary` line,
 * and the exit code of --timeout for an invalid and a valid directory. The `t` of both
 * logs is CLOCK_MONOTONIC (rotation.md §1.4), so the watcher's events line up with the
 * writer's, across processes.
 */
import {spawn} from 'node:child_process'
import {copyFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, it} from 'vitest'
import type {RotateEvent} from '../../src/core/rotate/events.js'
import type {WatchEvent} from '../../src/core/watch/events.js'
import {REPO, STACK_LINE} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {doneOf, makeCa, rot, triple, until} from '../rotate/harness.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

/** A running `node bin/run.js …` with its stdout split into lines. */
interface Proc {
  lines: string[]
  stderr: () => string
  exit: Promise<number | null>
  kill: () => void
  signal: (s: NodeJS.Signals) => void
}

/** Starts svidkit in a user's environment (no DEBUG, no colour, not vitest's NODE_ENV=test). */
function svidkit(args: string[]): Proc {
  const {DEBUG: _debug, FORCE_COLOR: _color, NODE_ENV: _env, ...rest} = process.env
  const child = spawn(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    cwd: base(),
    env: {...rest, NO_COLOR: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    const parts = out.split('\n')
    out = parts.pop() ?? ''
    lines.push(...parts)
  })
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      if (out) lines.push(out)
      resolve(code)
    }),
  )
  return {lines, stderr: () => err, exit, kill: () => child.kill('SIGKILL'), signal: (s) => child.kill(s)}
}

/** Returns the NDJSON lines as objects; every line must parse. */
function parsed(lines: string[]): WatchEvent[] {
  return lines.map((l, i) => {
    try {
      return JSON.parse(l) as WatchEvent
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${l}`)
    }
  })
}

describe.concurrent('svidkit watch --json as a process', () => {
  it('lockstep atomic-rename rotations: one rotation line per set, then a summary, exit 0', async ({expect}) => {
    const dir = join(base(), 'lockstep')
    const written = [doneOf((await rot({dir, ca, mode: 'atomic-rename'})).events)]
    const wholeAfter = [0]
    const w = svidkit(['watch', dir, '--json', '--count', '3', '--debounce', '20ms', '--poll', '30s'])
    try {
      const loaded = (d: RotateEvent) => () =>
        parsed(w.lines).some((e) => e.type === 'rotation' && triple(e.sha256) === triple(d.sha256))
      await until(
        loaded(written[0]),
        15_000,
        () => `the initial set; stdout: ${w.lines.join('\n')} stderr: ${w.stderr()}`,
      )
      for (let i = 1; i <= 3; i++) {
        const {events} = await rot({dir, ca, mode: 'atomic-rename'})
        written.push(doneOf(events))
        // An event is stamped after its operation: the set became whole after the stamp before the last rename.
        const last = events.findLastIndex((e) => e.step === 'rename')
        wholeAfter.push(events[last - 1].t)
        await until(loaded(written[i]), 10_000, () => `rotation ${i}; stdout: ${w.lines.join('\n')}`)
      }
      expect(await w.exit).toBe(0)
    } finally {
      w.kill()
    }
    const events = parsed(w.lines)
    expect(events[0]).toMatchObject({type: 'start', strategy: 'reference'})
    const rotations = events.filter((e) => e.type === 'rotation')
    expect(rotations.map((e) => triple(e.sha256))).toEqual(written.map((d) => triple(d.sha256)))
    expect(rotations.map((e) => e.serial)).toEqual(written.map((d) => d.serial))
    expect(rotations[0].trigger).toBe('start')
    // Found by the watches (a retry can win if a read caught the writer between files).
    for (const e of rotations.slice(1)) expect(['event', 'retry']).toContain(e.trigger)
    // Same clock in both processes: each load comes after its rotation's set was whole on disk.
    for (const [i, e] of rotations.entries()) if (i > 0) expect(e.t).toBeGreaterThan(wholeAfter[i])
    const summary = events.at(-1)!
    expect(summary).toMatchObject({
      type: 'summary',
      strategy: 'reference',
      rotations: 4,
      finalState: 'valid',
      stale: false,
      exit: 0,
    })
    expect(events.filter((e) => e.type === 'summary')).toHaveLength(1)
    expect(w.stderr()).toBe('')
  })

  it('rotate --json in another process with torn windows: invalid lines inside the writer windows, only final sets loaded; SIGTERM ends it with 143', async ({
    expect,
  }) => {
    const dir = join(base(), 'torn')
    const first = doneOf((await rot({dir, ca, mode: 'spiffe-helper'})).events)
    // --timeout is only a backstop: the watch is stopped by SIGTERM once the last set is loaded.
    const w = svidkit(['watch', dir, '--json', '--timeout', '90s', '--debounce', '20ms', '--poll', '30s'])
    let rotateLines: string[]
    try {
      await until(
        () => parsed(w.lines).some((e) => e.type === 'rotation'),
        15_000,
        () => `the initial set; stderr: ${w.stderr()}`,
      )
      const r = svidkit([
        'rotate',
        '--dir',
        dir,
        '--ca',
        ca,
        '--mode',
        'spiffe-helper',
        '--truncate-hold',
        '50ms',
        '--count',
        '3',
        '--interval',
        '300ms',
        '--json',
      ])
      expect(await r.exit, r.stderr()).toBe(0)
      rotateLines = r.lines
      const last = doneOf(
        rotateLines.map((l) => JSON.parse(l) as RotateEvent),
        3,
      )
      await until(
        () => parsed(w.lines).some((e) => e.type === 'rotation' && triple(e.sha256) === triple(last.sha256)),
        15_000,
        () => `the last set; stdout: ${w.lines.join('\n')}`,
      )
      w.signal('SIGTERM')
      expect(await w.exit).toBe(143)
    } finally {
      w.kill()
    }
    const log = rotateLines.map((l) => JSON.parse(l) as RotateEvent)
    const dones = [first, ...log.filter((e) => e.step === 'done')]
    expect(dones).toHaveLength(4)
    const events = parsed(w.lines)
    const rotations = events.filter((e) => e.type === 'rotation')
    const written = dones.map((d) => triple(d.sha256))
    // Only final sets, each at most once, ending on the last one.
    expect(rotations.filter((e) => !written.includes(triple(e.sha256)))).toEqual([])
    expect(new Set(rotations.map((e) => triple(e.sha256))).size).toBe(rotations.length)
    expect(triple(rotations.at(-1)?.sha256)).toBe(written.at(-1))
    // The 50 ms holds are visible to a 20 ms debounce in another process.
    const invalid = events.filter((e) => e.type === 'invalid')
    expect(invalid.length, w.lines.join('\n')).toBeGreaterThan(0)
    // Merged on t: every invalid observation falls inside a rotation of the writer.
    const spans = [1, 2, 3].map((n) => {
      const r = log.filter((e) => e.rotation === n)
      // (+250 ms: the observation is emitted after the read and its validation.)
      return [r[0].t, (r.find((e) => e.step === 'done')?.t ?? 0) + 250]
    })
    for (const e of invalid)
      expect(
        spans.some(([a, b]) => e.t >= a && e.t <= b),
        `invalid at ${e.t} outside ${JSON.stringify(spans)}`,
      ).toBe(true)
    expect(events.at(-1)).toMatchObject({type: 'summary', finalState: 'valid', stale: false, exit: 0})
  })

  it('--timeout ends with exit 6 when the directory holds a key that does not match', async ({expect}) => {
    const dir = join(base(), 'mismatch')
    await rot({dir, ca, mode: 'atomic-rename'})
    const oldKey = join(base(), 'old-key.pem')
    copyFileSync(join(dir, 'svid_key.pem'), oldKey)
    await rot({dir, ca, mode: 'atomic-rename'})
    writeFileSync(join(dir, 'svid_key.pem'), readFileSync(oldKey), {mode: 0o600})
    const w = svidkit(['watch', dir, '--json', '--timeout', '1s'])
    expect(await w.exit).toBe(6)
    const events = parsed(w.lines)
    expect(events.map((e) => e.type).filter((t) => t !== 'rearm')).toEqual(['start', 'invalid', 'summary'])
    expect(events.find((e) => e.type === 'invalid')).toMatchObject({code: 'key-mismatch', trigger: 'start'})
    expect(events.at(-1)).toMatchObject({
      type: 'summary',
      rotations: 0,
      finalState: 'invalid',
      exit: 6,
      invalid: {'key-mismatch': 1},
    })
    expect(STACK_LINE.test(w.stderr())).toBe(false)
  })

  it('--timeout ends with exit 0 when the directory is valid', async ({expect}) => {
    const dir = join(base(), 'valid')
    const d = doneOf((await rot({dir, ca, mode: 'atomic-rename'})).events)
    const w = svidkit(['watch', dir, '--json', '--timeout', '1s'])
    expect(await w.exit).toBe(0)
    const events = parsed(w.lines)
    expect(events.filter((e) => e.type === 'rotation').map((e) => triple(e.sha256))).toEqual([triple(d.sha256)])
    expect(events.at(-1)).toMatchObject({type: 'summary', rotations: 1, finalState: 'valid', stale: false, exit: 0})
    expect(w.stderr()).toBe('')
  })
})
