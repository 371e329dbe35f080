/**
 * The README contract: on a fresh clone, the README's first line (`npm ci && <main job>`)
 * works as written, and `.ci/run` runs that same line. The clone is a copy of the tracked
 * files (git ls-files) in a temporary directory, with no dist/, no node_modules and no
 * ../shared. Needs the npm registry (or a warm npm cache): skipped with one line otherwise.
 * Then `npm pack` of that clone (its prepack build), installed into a temporary prefix with
 * no install-script warning from svidkit itself, and used from PATH.
 * One `npm ci` with its `prepare` build and the main job (about 40-70 s on a loaded machine
 * with a warm npm cache), one `npm pack` with its build and `npm i -g` (about 30-50 s).
 */
import {spawnSync} from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
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
    const r = spawnSync(path.join(ROOT, '.ci/run'), ['--print-main-job'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 10_000,
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`${readmeMainJob()}\n`)
  })

  describe('on a fresh clone', () => {
    let dir: string | undefined
    /** The clone, once `npm ci` and the main-job line passed in it. */
    let cloned: string | undefined
    afterAll(() => {
      if (dir) rmSync(dir, {recursive: true, force: true})
    })
    // npm may use its cache without revalidating (the lockfile pins every version).
    const env = (extra: NodeJS.ProcessEnv = {}) =>
      userEnv({npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', ...extra})

    it('`npm ci` leaves a working CLI and the main-job line exits 0', {timeout: 420_000}, async (ctx) => {
      const files = trackedFiles()
      if (!files) {
        console.warn('[svidkit tests] skipping the fresh-clone tests: not a git checkout (git ls-files failed)')
        ctx.skip()
        return
      }
      dir = mkdtempSync(path.join(tmpdir(), 'svidkit-clone-'))
      const repo = path.join(dir, 'svidkit')
      copyTracked(files, repo)
      expect(existsSync(path.join(repo, 'dist'))).toBe(false)

      const ping = await runBounded('npm', ['ping'], {cwd: repo, env: env(), timeoutMs: 30_000})
      if (ping.status !== 0) {
        console.warn(
          `[svidkit tests] skipping the fresh-clone tests: the npm registry is unreachable (npm ping: ${ping.output.trim().split('\n').at(-1)})`,
        )
        ctx.skip()
        return
      }

      const line = readmeMainJob()
      const r = await runBounded('bash', ['-euo', 'pipefail', '-c', line], {
        cwd: repo,
        env: env(),
        timeoutMs: 360_000,
        nice: true,
      })
      console.info(`[svidkit tests] fresh clone: "${line}" took ${(r.ms / 1000).toFixed(1)}s`)
      expect(r.timedOut, r.output).toBe(false)
      expect(r.status, r.output).toBe(0)
      expect(existsSync(path.join(repo, 'dist/commands'))).toBe(true)
      expect(r.output).not.toMatch(/MODULE_NOT_FOUND|\n\s+at .+:\d+:\d+\)?\n/)
      cloned = repo
    })

    it('`npm pack` makes a package that installs and runs from PATH', {timeout: 300_000}, async (ctx) => {
      if (!cloned) {
        ctx.skip()
        return
      }
      // `npm pack` as a maintainer runs it: prepack builds once (prepare leaves it to prepack)
      // and strips the install-time scripts from the packed package.json; postpack restores it.
      const before = readFileSync(path.join(cloned, 'package.json'), 'utf8')
      const pack = await runBounded('npm', ['pack', '--loglevel=warn', '--pack-destination', dir!], {
        cwd: cloned,
        env: env(),
        timeoutMs: 240_000,
        nice: true,
      })
      expect(pack.status, pack.output).toBe(0)
      expect(pack.output.match(/> svidkit@\S+ build\n/g), 'one build per pack').toHaveLength(1)
      expect(readFileSync(path.join(cloned, 'package.json'), 'utf8')).toBe(before)
      const tarballs = readdirSync(dir!).filter((f) => /^svidkit-.*\.tgz$/.test(f))
      expect(tarballs).toHaveLength(1)
      const tarball = path.join(dir!, tarballs[0])
      const packed = spawnSync('tar', ['-tzf', tarball], {encoding: 'utf8'})
        .stdout.split('\n')
        .filter(Boolean)
        .map((f) => f.replace(/^package\//, ''))
      expect(packed).toEqual(
        expect.arrayContaining([
          'LICENSE',
          'README.md',
          'bin/run.js',
          'dist/index.js',
          'dist/index.d.ts',
          'dist/bundle/commands/verify.js',
          'dist/bundle/lite/run.cjs',
          'oclif.manifest.json',
        ]),
      )
      expect(packed.filter((f) => f === 'bin/dev.js' || f.startsWith('src/') || f.startsWith('test/'))).toEqual([])
      const manifest = JSON.parse(
        spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], {encoding: 'utf8'}).stdout,
      ) as {scripts: Record<string, string>}
      expect(
        Object.keys(manifest.scripts).filter((s) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(s)),
      ).toEqual([])

      const prefix = path.join(dir!, 'prefix')
      const install = await runBounded('npm', ['i', '-g', '--prefix', prefix, tarball], {
        cwd: dir!,
        env: env(),
        timeoutMs: 180_000,
        nice: true,
      })
      expect(install.status, install.output).toBe(0)
      // npm may warn about a dependency's install script (README.md, "Install"), never about svidkit's own.
      expect(install.output).not.toMatch(/svidkit@\S+ \((preinstall|install|postinstall|prepare):/)

      const work = path.join(dir!, 'work')
      mkdirSync(work)
      const pathEnv = env({PATH: `${path.join(prefix, 'bin')}:${env().PATH}`})
      const svidkit = (args: string[]) => runBounded('svidkit', args, {cwd: work, env: pathEnv, timeoutMs: 60_000})
      const which = spawnSync('bash', ['-c', 'command -v svidkit'], {env: pathEnv, encoding: 'utf8'})
      expect(which.stdout.trim()).toBe(path.join(prefix, 'bin/svidkit'))

      const help = await svidkit(['--help'])
      expect(help.status, help.output).toBe(0)
      expect(help.output).toMatch(/COMMANDS[\s\S]*verify/)
      const init = await svidkit(['ca', 'init', '--trust-domain', 'example.org', '--out', 'ca'])
      expect(init.status, init.output).toBe(0)
      const issue = await svidkit(['issue', '--spiffe-id', 'spiffe://example.org/web', '--ca', 'ca', '--out', 'svid'])
      expect(issue.status, issue.output).toBe(0)
      const verify = await svidkit(['verify', '--dir', 'svid', '--expect-id', 'spiffe://example.org/web', '--json'])
      expect(verify.status, verify.output).toBe(0)
      expect(JSON.parse(verify.output)).toMatchObject({valid: true, spiffeId: 'spiffe://example.org/web'})
      // And a wrong expectation fails the way the docs say (exit 4, id-mismatch).
      const wrong = await svidkit(['verify', '--dir', 'svid', '--expect-id', 'spiffe://example.org/db', '--json'])
      expect(wrong.status, wrong.output).toBe(4)
      expect((JSON.parse(wrong.output) as {errors: {code: string}[]}).errors[0].code).toBe('id-mismatch')
      console.info(
        `[svidkit tests] npm pack ${(pack.ms / 1000).toFixed(1)}s, npm i -g ${(install.ms / 1000).toFixed(1)}s`,
      )
    })
  })
})
