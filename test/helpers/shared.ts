/**
 * For test files that need the conformance fixtures beside the checkout (see shared-dir.ts):
 * call requireConformance() at the top level. vitest.config.ts leaves such files out when
 * the fixtures are absent (with one line saying so); if a file is run anyway, every test
 * of it is skipped with the reason.
 */
import {beforeEach, it} from 'vitest'
import {hasConformance, MISSING_CONFORMANCE} from './shared-dir.js'

export {CONFORMANCE_DIR, SHARED_DIR, hasConformance} from './shared-dir.js'

/** Marks the calling test file as needing the conformance fixtures; returns whether they are there. */
export function requireConformance(): boolean {
  if (hasConformance) return true
  console.warn(`[svidkit tests] skipping: ${MISSING_CONFORMANCE}`)
  beforeEach((ctx) => ctx.skip())
  it.skip(`needs ${MISSING_CONFORMANCE}`, () => {})
  return false
}
