/**
 * Bulk issue: bounds, signals and crash safety (issue 17 items 12 and 3).
 * - `--count` has an upper bound (MAX_ISSUE_COUNT): above it, a usage error before anything
 *   is read or written. On main `--count 100000000` spent minutes checking directories
 *   synchronously and ignored SIGINT until killed.
 * - SIGINT stops a large run at once (exit 130).
 * - Each set is written whole in a temporary directory renamed into place, with its modes
 *   set on the descriptors; a rerun with the same arguments completes an interrupted run
 *   (kill -9 cases: test/robustness/fault-injection.test.ts).
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {MAX_ISSUE_COUNT} from '../../src/core/svid/bulk-run.js'
import {writeNewDirSync} from '../../src/core/fs/new-dir.js'
import {REPO, expectFailure, runCli} from '../helpers/cli.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = join(base(), 'ca')
  expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', ca])).exit).toBe(0)
})

const ID = 'spiffe://example.org/w{n}'

describe('issue --count bounds', () => {
  it.each([false, true])(`--count ${MAX_ISSUE_COUNT + 1} is a usage error (json %s), nothing written`, async (json) => {
    const out = join(tmpDir(), 'out')
    const r = await runCli([
      'issue',
      '--ca',
      ca,
      '--spiffe-id',
      ID,
      '--out',
      out,
      '--count',
      String(MAX_ISSUE_COUNT + 1),
      ...(json ? ['--json'] : []),
    ])
    expectFailure(r, {exit: 2, code: 'usage', json})
    expect(existsSync(out)).toBe(false)
  })

  it('SIGINT stops a run of a million SVIDs: exit 130, every directory written is complete', async () => {
    const out = join(tmpDir(), 'out')
    const child = spawn(
      process.execPath,
      [
        join(REPO, 'bin', 'run.js'),
        'issue',
        '--ca',
        ca,
        '--spiffe-id',
        ID,
        '--out',
        out,
        '--count',
        String(MAX_ISSUE_COUNT),
      ],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
    let lines = 0
    child.stdout.on('data', (d: Buffer) => (lines += d.toString().split('\n').length - 1))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    // Bounded: the child is gone after 60 s whatever happens (main ignored SIGINT here).
    const cap = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const until = Date.now() + 30_000
    while (lines < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGINT')
    const code = await exited
    clearTimeout(cap)
    expect(code).toBe(130)
    for (const d of readdirSync(out).filter((n) => /^[0-9]+$/.test(n))) {
      expect(readdirSync(join(out, d)).sort()).toEqual(['svid.pem', 'svid_bundle.pem', 'svid_key.pem'])
    }
  }, 90_000)
})

describe('writeNewDirSync', () => {
  it('writes a set whole under a temporary directory and renames it into place, modes set on the descriptors', () => {
    const parent = tmpDir()
    const dir = join(parent, '7')
    const old = process.umask(0o077)
    try {
      writeNewDirSync(dir, [
        {path: join(dir, 'svid.pem'), data: 'cert', mode: 0o644},
        {path: join(dir, 'svid_key.pem'), data: 'key', mode: 0o600},
      ])
    } finally {
      process.umask(old)
    }
    expect(readdirSync(parent)).toEqual(['7'])
    expect((statSync(join(dir, 'svid.pem')).mode & 0o777).toString(8)).toBe('644')
    expect((statSync(join(dir, 'svid_key.pem')).mode & 0o777).toString(8)).toBe('600')
  })

  it('into an existing directory: never replaces a file there (EEXIST), and removes what it wrote', () => {
    const dir = tmpDir()
    writeFileSync(join(dir, 'svid_key.pem'), 'planted')
    expect(() =>
      writeNewDirSync(dir, [
        {path: join(dir, 'svid.pem'), data: 'cert', mode: 0o644},
        {path: join(dir, 'svid_key.pem'), data: 'key', mode: 0o600},
      ]),
    ).toThrow(expect.objectContaining({code: 'output-not-writable'}))
    expect(readdirSync(dir)).toEqual(['svid_key.pem'])
  })

  it('a directory that appears non-empty at the name fails the set and leaves no temporary directory', () => {
    const parent = tmpDir()
    const dir = join(parent, '3')
    mkdirSync(dir)
    writeFileSync(join(dir, 'other'), 'x')
    writeNewDirSync(dir, [{path: join(dir, 'svid.pem'), data: 'cert', mode: 0o644}])
    expect(readdirSync(parent)).toEqual(['3'])
    expect(readdirSync(dir).sort()).toEqual(['other', 'svid.pem'])
  })
})
