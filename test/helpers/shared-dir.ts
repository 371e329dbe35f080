/**
 * Where the material beside the checkout is: ../shared/conformance (go-spiffe's test
 * fixtures and their expected outcomes). CI has it; a user's clone does not. No vitest
 * import: vitest.config.ts uses this to leave out the files that need it, with one line.
 * SVIDKIT_SHARED_DIR points elsewhere (a path that does not exist shows the skip).
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

const REPO_ROOT = path.resolve(import.meta.dirname, '../..')

/** The shared directory: $SVIDKIT_SHARED_DIR, else ../shared from the repository root. */
export const SHARED_DIR = path.resolve(REPO_ROOT, process.env.SVIDKIT_SHARED_DIR ?? '../shared')

/** The go-spiffe conformance fixtures (README.md, expectations.json, go-spiffe/). */
export const CONFORMANCE_DIR = path.join(SHARED_DIR, 'conformance')

/** True when the conformance fixtures are there. */
export const hasConformance = existsSync(path.join(CONFORMANCE_DIR, 'expectations.json'))

/** The one line that says why the files that need the fixtures are skipped. */
export const MISSING_CONFORMANCE = `${CONFORMANCE_DIR} not found (the go-spiffe conformance fixtures CI places beside the checkout)`

/** Returns the test files (relative to the repository root) that call requireConformance(). */
export function filesNeedingConformance(dir = path.join(REPO_ROOT, 'test')): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesNeedingConformance(full))
    else if (entry.name.endsWith('.test.ts') && readFileSync(full, 'utf8').includes('\nrequireConformance()'))
      out.push(path.relative(REPO_ROOT, full))
  }
  return out.sort()
}

/**
 * Returns the vitest exclude patterns for the files that need the fixtures when they are
 * absent (after printing one line naming what is missing and the files skipped), else none.
 */
export function conformanceExcludes(): string[] {
  if (hasConformance) return []
  const files = filesNeedingConformance()
  if (files.length > 0)
    console.warn(`[svidkit tests] skipping ${files.length} test files: ${MISSING_CONFORMANCE}: ${files.join(', ')}`)
  return files
}
