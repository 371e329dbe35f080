/**
 * The README contract: on a fresh clone, the README's first line (`npm ci && <main job>`)
 * works as written, and `.ci/run` runs that same line. The clone is a copy of the tracked
 * files (git ls-files) in a temporary directory, with no dist/, no node_modules and no
 * ../shared. Needs the npm registry (or a warm npm cache): skipped with one line otherwise.
 * One run of `npm ci` with its `prepare` build (about 35-60 s with a warm npm cache) plus the
 * main job (about 10 s).
 */
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {runBounded, userEnv} from '../helpers/bounded.js'
import {readmeFirstBlock, readmeMainJob} from '../helpers/readme.js'

const ROOT = path.resolve(import.meta.dirname, '../..')

/** Returns the tracked files of the checkout, or undefined when it is not a git checkout. */
function trackedFiles(): string[] | undefined {
  const r = spawnSync('git', ['ls-files', '-z'], {cwd: ROOT, encoding: 'utf8', timeout: 30_000})
  if (r.status !== 0) return undefined
  return r.stdout.split('\0').filter((f) => f !== '' && existsSync(path.join(ROOT, f)))
}

/** Copies the tracked files (modes and symlinks kept) into `dest`. */
function copyTracked(files: string[], dest: string): void {
  for (const rel of files) {
    const from = path.join(ROOT, rel)
    const to = path.join(dest, rel)
    mkdirSync(path.dirname(to), {recursive: true})
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to)
    else copyFileSync(from, to)
  }
}

describe('the README contract', () => {
  it('the first code block is the main-job line and `npm test`', () => {
    const block = readmeFirstBlock()
    expect(block).toHaveLength(2)
    expect(block[0]).toMatch(/^npm ci && \.\/bin\/run\.js \S+/)
    expect(block[1]).toBe('npm test')
  })

  it('.ci/run runs exactly the README main-job line', () => {
    const r = spawnSync(path.join(ROOT, '.ci/run'), ['--print-main-job'], {cwd: ROOT, encoding: 'utf8', timeout: 10_000})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`${readmeMainJob()}\n`)
  })

  describe('on a fresh clone', () => {
    let dir: string | undefined
    afterAll(() => {
      if (dir) rmSync(dir, {recursive: true, force: true})
    })

    it('`npm ci` leaves a working CLI and the main-job line exits 0', {timeout: 420_000}, async (ctx) => {
      const files = trackedFiles()
      if (!files) {
        console.warn('[svidkit tests] skipping the fresh-clone test: not a git checkout (git ls-files failed)')
        ctx.skip()
        return
      }
      dir = mkdtempSync(path.join(tmpdir(), 'svidkit-clone-'))
      const repo = path.join(dir, 'svidkit')
      copyTracked(files, repo)
      expect(existsSync(path.join(repo, 'dist'))).toBe(false)

      const ping = await runBounded('npm', ['ping'], {cwd: repo, env: userEnv(), timeoutMs: 30_000})
      if (ping.status !== 0) {
        console.warn(`[svidkit tests] skipping the fresh-clone test: the npm registry is unreachable (npm ping: ${ping.output.trim().split('\n').at(-1)})`)
        ctx.skip()
        return
      }

      // The line as written; npm may use its cache without revalidating (the lockfile pins every version).
      const line = readmeMainJob()
      const env = userEnv({npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false'})
      const r = await runBounded('bash', ['-euo', 'pipefail', '-c', line], {cwd: repo, env, timeoutMs: 360_000})
      console.info(`[svidkit tests] fresh clone: "${line}" took ${(r.ms / 1000).toFixed(1)}s`)
      expect(r.timedOut, r.output).toBe(false)
      expect(r.status, r.output).toBe(0)
      expect(existsSync(path.join(repo, 'dist/commands'))).toBe(true)
      expect(r.output).not.toMatch(/MODULE_NOT_FOUND|ERR_MODULE_NOT_FOUND|\n\s+at .+:\d+:\d+\)?\n/)
    })
  })
})
