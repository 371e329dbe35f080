/**
 * One race core (issue 21): the modules of src/core/race import each other without a cycle
 * (type imports included: local/race.ts and local/report.ts used to import each other), and a
 * race attempt is made in one place (core/race/attempt.ts: `clientLoop` and `attemptOf`), not
 * once per client loop. Read from the sources: structural, not run.
 */
import {readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {allImportsOf, findCycle, sources} from './source-graph.js'

const RACE = join(REPO, 'src', 'core', 'race')

const rel = (file: string) => relative(RACE, file)

/** The race modules each race module imports, type-only imports and re-exports included. */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>()
  for (const file of sources(RACE)) {
    const targets = allImportsOf(readFileSync(file, 'utf8'))
      .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')))
      .filter((t) => t.startsWith(RACE + '/'))
    g.set(rel(file), [...new Set(targets.map(rel))])
  }
  return g
}

describe('src/core/race', () => {
  it('has no import cycle between its modules (type imports count)', () => {
    const g = graph()
    // Control: the reader sees real edges, and the cycle finder finds a cycle when there is one.
    expect(g.get('local/race.ts')).toContain('local/report.ts')
    expect(findCycle(new Map([...g, ['attempt.ts', [...(g.get('attempt.ts') ?? []), 'local/race.ts']]]))).toBeDefined()
    expect(findCycle(g)).toBeUndefined()
  })

  it('builds an Attempt in one module only (attempt.ts)', () => {
    // An attempt literal names servedSerial; every other module takes attempts from attemptOf.
    const builders = sources(RACE)
      .filter((f) => /\bservedSerial:/.test(readFileSync(f, 'utf8')))
      .map(rel)
    expect(builders).toEqual(['attempt.ts'])
  })

  it('runs client handshakes in a loop in one module only (attempt.ts); target-race.ts probes once, before and after', () => {
    const callers = sources(RACE)
      .filter((f) => /\bclientHandshake\(/.test(readFileSync(f, 'utf8')))
      .map(rel)
      .sort()
    expect(callers).toEqual(['attempt.ts', 'target-race.ts'])
  })
})
