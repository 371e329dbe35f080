/**
 * What the published tarball holds and declares: the README and docs it ships link only to
 * files it ships, package.json says where the project lives, and the package.json packed has
 * no script npm runs on install (scripts/pack-manifest.js strips them while `npm pack` runs).
 * The file list comes from `npm pack --dry-run --ignore-scripts` (no build, no network).
 */
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {tmpDir} from '../helpers/tmp.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>

/** The paths `npm pack` would put in the tarball (relative, without the package/ prefix). */
function packedFiles(): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  })
  expect(r.status, r.stderr).toBe(0)
  return (JSON.parse(r.stdout) as {files: {path: string}[]}[])[0].files.map((f) => f.path)
}

/** Returns the relative link targets of a markdown text (no URLs, no in-page anchors), without their #anchor. */
export function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'))
    .map((t) => t.split('#')[0])
}

describe('the packed package', () => {
  it('every relative link in the packed README and docs resolves to a file in the tarball', () => {
    const files = packedFiles()
    const packed = new Set(files)
    const markdown = files.filter((f) => f.endsWith('.md'))
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/commands.md', 'docs/errors.md']))
    const broken = markdown.flatMap((f) =>
      relativeLinks(readFileSync(path.join(ROOT, f), 'utf8'))
        .map((target) => path.posix.normalize(path.posix.join(path.posix.dirname(f), target)))
        .filter((target) => !packed.has(target))
        .map((target) => `${f} -> ${target}`),
    )
    expect(broken).toEqual([])
  })

  it('relativeLinks finds the links a broken README would have', () => {
    expect(relativeLinks('see [a](docs/a.md#x), [b](https://x.org/b.md), [c](#top) and [d](../d.md)')).toEqual([
      'docs/a.md',
      '../d.md',
    ])
  })

  it('package.json says where the project lives: repository, homepage and bugs', () => {
    const repository = pkg.repository as {type?: string; url?: string} | undefined
    expect(repository?.type).toBe('git')
    expect(repository?.url).toMatch(/^git\+https:\/\/\S+\.git$/)
    const base = repository!.url!.replace(/^git\+/, '').replace(/\.git$/, '')
    expect(pkg.homepage).toBe(`${base}#readme`)
    expect((pkg.bugs as {url?: string} | undefined)?.url).toBe(`${base}/issues`)
  })

  describe('scripts/pack-manifest.js', () => {
    const INSTALL = ['preinstall', 'install', 'postinstall', 'prepare']
    const copy = (manifest: string) => {
      const dir = tmpDir()
      mkdirSync(path.join(dir, 'scripts'))
      copyFileSync(path.join(ROOT, 'scripts', 'pack-manifest.js'), path.join(dir, 'scripts', 'pack-manifest.js'))
      writeFileSync(path.join(dir, 'package.json'), manifest)
      const run = (action: string) =>
        spawnSync(process.execPath, [path.join(dir, 'scripts', 'pack-manifest.js'), action], {
          encoding: 'utf8',
          timeout: 30_000,
        })
      return {dir, run, manifest: () => readFileSync(path.join(dir, 'package.json'), 'utf8')}
    }

    it('the repository has a prepare script that builds a clone, and prepack/postpack that strip it from the tarball', () => {
      const scripts = pkg.scripts as Record<string, string>
      expect(scripts.prepare).toBeDefined()
      expect(scripts.prepack).toMatch(/pack-manifest\.js strip/)
      expect(scripts.postpack).toMatch(/pack-manifest\.js restore/)
    })

    it('strip leaves no install-time script and keeps the rest; restore puts the file back byte for byte', () => {
      const original = readFileSync(path.join(ROOT, 'package.json'), 'utf8')
      const c = copy(original)
      expect(c.run('strip').status).toBe(0)
      const stripped = JSON.parse(c.manifest()) as {scripts: Record<string, string>; dependencies: unknown}
      expect(INSTALL.filter((s) => s in stripped.scripts)).toEqual([])
      expect(stripped.scripts.build).toBe((pkg.scripts as Record<string, string>).build)
      expect(stripped.dependencies).toEqual(pkg.dependencies)
      expect(c.run('restore').status).toBe(0)
      expect(c.manifest()).toBe(original)
      expect(existsSync(path.join(c.dir, 'package.json.pack-orig'))).toBe(false)
    })

    it('a copy left over by a pack that failed before postpack is put back first, so a second strip does not lose the original', () => {
      const original = JSON.stringify({name: 'x', scripts: {prepare: 'build', postinstall: 'y', test: 't'}}, null, 2)
      const c = copy(original)
      expect(c.run('strip').status).toBe(0)
      expect(c.run('strip').status).toBe(0)
      expect(c.run('restore').status).toBe(0)
      expect(c.manifest()).toBe(original)
    })
  })
})
