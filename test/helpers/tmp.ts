/**
 * Temporary directories for tests: one per test (removed when the test finishes) or one
 * per describe block (removed after its last test).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, onTestFinished, type TestContext} from 'vitest'

function makeDir(): string {
  return mkdtempSync(join(tmpdir(), 'svidkit-test-'))
}

function remove(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
}

/**
 * Returns a new empty directory under the OS temp dir, removed when the current test
 * finishes. Concurrent tests must pass their context: the global hook cannot tell which
 * of several running tests called it.
 */
export function tmpDir(ctx?: Pick<TestContext, 'onTestFinished'>): string {
  const dir = makeDir()
  ;(ctx?.onTestFinished ?? onTestFinished)(() => remove(dir))
  return dir
}

/**
 * Returns a getter for a directory created before the first test of the enclosing
 * describe block (or file) and removed after its last one; call it at collection time.
 */
export function suiteTmpDir(): () => string {
  let dir: string | undefined
  beforeAll(() => {
    dir = makeDir()
  })
  afterAll(() => {
    if (dir) remove(dir)
  })
  return () => {
    if (!dir) throw new Error('suiteTmpDir() read outside a test or hook')
    return dir
  }
}
