/** `conformance generate`: builds the suite and writes it as one JSON file. */
import {join} from 'node:path'
import {ensureDir, writeFilesAtomic} from '../fs/atomic-write.js'
import {SEEDED_WARNING} from '../x509/seeded.js'
import {bundleCases} from './bundle-cases.js'
import {jwtCases} from './jwt-cases.js'
import {makeFixtures} from './fixtures.js'
import type {Suite} from './suite.js'
import {leafProfileCases, pathCases} from './x509-cases.js'

/** The instant suites are made at unless told otherwise: fixed, so validation_time never drifts. */
export const DEFAULT_SUITE_NOW = new Date('2026-01-01T00:00:00Z')
export const SUITE_FILE = 'spiffe-conformance.json'

/** Returns a suite made at `now` (every family, in order); with `seed`, every key, serial and signature derives from it (byte-stable). */
export async function buildSuite(o: {now?: Date; seed?: string; generator?: string} = {}): Promise<Suite> {
  const f = await makeFixtures(o.now ?? DEFAULT_SUITE_NOW, o.seed)
  const testcases = [
    ...(await leafProfileCases(f)),
    ...(await pathCases(f)),
    ...(await jwtCases(f)),
    ...(await bundleCases(f)),
  ]
  return {version: 1, generator: o.generator ?? 'svidkit', seed: o.seed ?? null, testcases}
}

/** Writes the suite to DIR/spiffe-conformance.json and returns its path, case counts and warnings (seeded keys). */
export async function generateSuite(o: {
  out: string
  now?: Date
  seed?: string
  generator?: string
}): Promise<{path: string; cases: number; families: Record<string, number>; warnings: string[]}> {
  const suite = await buildSuite(o)
  ensureDir(o.out)
  const path = join(o.out, SUITE_FILE)
  writeFilesAtomic([{path, data: `${JSON.stringify(suite, null, 2)}\n`, mode: 0o644}])
  const families: Record<string, number> = {}
  for (const t of suite.testcases) families[t.family] = (families[t.family] ?? 0) + 1
  return {path, cases: suite.testcases.length, families, warnings: o.seed === undefined ? [] : [SEEDED_WARNING]}
}
