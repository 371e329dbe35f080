/** `conformance run`: the suite (given or built), the harness run, the scorecard and optional JUnit file. */
import {readInput} from '../fs/read-input.js'
import {writeFilesAtomic} from '../fs/atomic-write.js'
import {parseSuiteText} from './suite-read.js'
import {buildSuite} from './generate.js'
import {toJunit} from './junit.js'
import {runHarness} from './run-harness.js'
import {score, type Scorecard} from './score.js'
import type {Suite} from './suite.js'

/** Options of {@link runConformance}. */
export interface RunConformanceOptions {
  harness: string
  /** Suite file; default: a suite built now (same cases as `conformance generate`). */
  suite?: string
  junit?: string
  timeoutMs?: number
  maxOutput?: number
  signal?: AbortSignal
}

function readSuite(path: string): Suite {
  return parseSuiteText(readInput(path, 'usage').toString('utf8'), path)
}

/** Returns the scorecard of the harness against the suite, having written the JUnit file if asked. */
export async function runConformance(o: RunConformanceOptions): Promise<Scorecard> {
  const suite = o.suite ? readSuite(o.suite) : await buildSuite()
  const results = await runHarness({
    command: o.harness,
    input: JSON.stringify(suite),
    timeoutMs: o.timeoutMs,
    maxOutput: o.maxOutput,
    signal: o.signal,
  })
  const card = score(suite, results)
  if (o.junit) writeFilesAtomic([{path: o.junit, data: toJunit(card, suite, results), mode: 0o644}])
  return card
}
