/**
 * One set of race defaults (src/core/race/defaults.ts): the flags of `race` take their defaults
 * and the "(default …)" of their help text from RACE_DEFAULTS, and both libraries
 * (runLocalRace, runTargetRace) fall back to the same values when an option is left out.
 * Before, `--rotations` said 5 and `--interval` 500ms while runTargetRace defaulted to 3 and 1000.
 */
import {afterAll, describe, expect, it} from 'vitest'
import {Parser} from '@oclif/core'
import Race from '../../src/commands/race.js'
import {localOptions, raceFlags, targetOptions} from '../../src/cli/race-flags.js'
import {RACE_DEFAULTS as D} from '../../src/core/race/defaults.js'
import {runTargetRace} from '../../src/core/race/target-race.js'
import {parseReload} from '../../src/core/race/reload.js'
import {defaultKnobs} from '../../src/core/rotate/knobs.js'
import {formatDuration, parseDuration} from '../../src/core/time/duration.js'
import {tmpDir} from '../helpers/tmp.js'
import {HOST, ensureDist, freePort, killPeers} from '../handshake/harness.js'
import {race as localRace} from '../handshake/race-harness.js'
import {nodeServerScript, trustDomain} from './setup.js'

type FlagDef = {default?: unknown; description?: string}
const flags = Race.flags as unknown as Record<string, FlagDef>

afterAll(() => killPeers())

describe('race flags take their defaults from RACE_DEFAULTS', () => {
  // [flag, the RACE_DEFAULTS value, how the flag's default reads as that value]
  const asIs = (v: unknown) => v
  const duration = (v: unknown) => parseDuration(String(v))
  const defaults: [string, unknown, (v: unknown) => unknown][] = [
    ['mode', D.mode, asIs],
    ['rotations', D.rotations, asIs],
    ['interval', D.intervalMs, duration],
    ['ttl', D.ttlMs, duration],
    ['kind', D.kind, asIs],
    ['ca-overlap', D.caOverlap, asIs],
    ['concurrency', D.concurrency, asIs],
    ['max-failures', D.maxFailures, asIs],
    ['server-reload', D.serverReload, asIs],
    ['strategy', D.strategy, asIs],
    ['debounce', D.debounceMs, duration],
    ['poll', D.pollMs, duration],
  ]
  for (const [name, value, read] of defaults) {
    it(`--${name} defaults to ${String(value)}`, () => {
      expect(flags[name]?.default, `--${name} has no default`).toBeDefined()
      expect(read(flags[name].default)).toBe(value)
    })
  }

  // --target flags without an oclif default (a default would satisfy their dependsOn: target): the help text says it.
  const inText: [string, number][] = [
    ['start-timeout', D.startTimeoutMs],
    ['settle', D.settleMs],
    ['timeout', D.timeoutMs],
  ]
  for (const [name, ms] of inText) {
    it(`--${name} says "(default ${formatDuration(ms)})" in its help`, () => {
      expect(flags[name].default).toBeUndefined()
      const m = /\(default ([^)]+)\)/.exec(flags[name].description ?? '')
      expect(m, `--${name}: ${flags[name].description}`).not.toBeNull()
      expect(parseDuration((m as RegExpExecArray)[1])).toBe(ms)
    })
  }

  it('--window-handshakes says its default in its help', () => {
    expect(flags['window-handshakes'].description).toContain(`(default ${D.windowHandshakes}:`)
  })

  it('every duration default reads back as the same milliseconds (formatDuration, then parseDuration)', () => {
    const ms = Object.entries(D).filter(([k]) => k.endsWith('Ms'))
    expect(ms.length).toBeGreaterThan(5)
    for (const [k, v] of ms) expect(parseDuration(formatDuration(v as number)), k).toBe(v)
  })
})

/** Expects `got` (a mapper's options or a run's report) to hold the RACE_DEFAULTS value of each of `keys`. */
function expectDefaults(got: Record<string, unknown>, keys: readonly (keyof typeof D)[]): void {
  expect(Object.fromEntries(keys.map((k) => [k, got[k]]))).toEqual(Object.fromEntries(keys.map((k) => [k, D[k]])))
}

describe('what the flags hand the libraries when none is given', () => {
  const parse = async (argv: string[]) => (await Parser.parse(argv, {flags: raceFlags, strict: true})).flags

  // What both races take; then each race's own.
  const BOTH = ['mode', 'rotations', 'intervalMs', 'ttlMs', 'kind', 'caOverlap', 'concurrency', 'maxFailures'] as const

  it('in-process: every default is RACE_DEFAULTS', async () => {
    const o = localOptions(await parse([]))
    expectDefaults({...o, mode: o.rotateMode}, [...BOTH, 'serverReload', 'strategy', 'debounceMs', 'pollMs'])
  })

  it('--target: every default is RACE_DEFAULTS', async () => {
    const o = targetOptions(
      await parse(['--target', '127.0.0.1:8443', '--dir', 'svid', '--ca', 'ca']),
      '127.0.0.1:8443',
    )
    expectDefaults({...o, ttlMs: o.issue?.ttlMs}, [...BOTH, 'startTimeoutMs', 'settleMs', 'timeoutMs'])
  })
})

describe('the libraries with no options use RACE_DEFAULTS', () => {
  it('runLocalRace()', async () => {
    const {report} = await localRace('defaults', {})
    expectDefaults({...report, mode: report.rotateMode}, [
      'rotations',
      'mode',
      'kind',
      'maxFailures',
      'serverReload',
      'strategy',
    ])
  }, 60_000)

  it('runTargetRace() with only what it needs (target, directory, CA, knobs, how to start and reload the server)', async () => {
    await ensureDist()
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const report = await runTargetRace({
      host: HOST,
      port,
      dir: svid,
      ca,
      knobs: defaultKnobs(),
      serverCmd: `node ${nodeServerScript(base)} ${svid} ${port} full`,
      reload: parseReload('signal:HUP'),
    })
    // On main the library ran 3 rotations where the CLI's documented default is 5.
    expectDefaults({...report, mode: report.rotateMode}, ['rotations', 'mode', 'kind', 'maxFailures', 'settleMs'])
    expect(report.perRotation).toHaveLength(D.rotations)
  }, 60_000)
})
