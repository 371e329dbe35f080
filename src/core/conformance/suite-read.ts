/** Reading a suite file (what `conformance run --suite` and `conformance harness` take). */
import {SvidkitError} from '../errors.js'
import type {Suite} from './suite.js'

const HINT = 'give a file written by "svidkit conformance generate"'

/** Returns the suite in `text`; throws `usage` with exit 3 when it is not one. */
export function parseSuiteText(text: string, source: string): Suite {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new SvidkitError('usage', `suite "${source}" is not JSON`, {exit: 3, hint: HINT})
  }
  const s = doc as Partial<Suite> | null
  if (typeof s !== 'object' || s === null || !Array.isArray(s.testcases))
    throw new SvidkitError('usage', `suite "${source}" has no "testcases" array`, {exit: 3, hint: HINT})
  return s as Suite
}
