/**
 * Every export of a module under src/ is used: imported by another module of src/ (or by bin/,
 * scripts/, bench/), or part of the public surface (src/index.ts, src/workload-api.ts), or
 * loaded by path (an oclif command's default class, the hooks and help class in package.json,
 * the lite runner bin/run.js requires). Read from the sources with the TypeScript parser
 * (export-graph.ts); the control runs the same reader on a small tree with known dead exports.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {findDeadExports} from './export-graph.js'

const base = suiteTmpDir()

/**
 * Dead exports allowed for now (file → names): none. A name listed here that is no longer dead
 * fails the test, so the list cannot outlive the exports it names.
 */
const ALLOWLIST: Record<string, string[]> = {}

/** Exports used from outside src/'s import graph, each with the file that proves the use. */
function repoRoots(): string[] {
  const pjson = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    oclif: {hooks: Record<string, string>; helpClass: string}
  }
  const byPath = [...Object.values(pjson.oclif.hooks), pjson.oclif.helpClass].map(
    (p) => `${p.replace(/^\.\/dist\/(bundle\/)?/, 'src/').replace(/\.js$/, '')}.ts:default`,
  )
  // bin/run.js requires dist/bundle/lite/run.cjs, which scripts/bundle.js builds from cli/lite/run.
  expect(readFileSync(join(REPO, 'bin', 'run.js'), 'utf8')).toContain("require('../dist/bundle/lite/run.cjs')")
  expect(readFileSync(join(REPO, 'scripts', 'bundle.js'), 'utf8')).toContain("run: join(dist, 'cli', 'lite', 'run.js')")
  return [...byPath, 'src/cli/lite/run.ts:*']
}

/** scripts/bundle.js puts oclif-lite in @oclif/core's place in the lite bundles. */
function repoAliases(): Record<string, string> {
  expect(readFileSync(join(REPO, 'scripts', 'bundle.js'), 'utf8')).toContain(
    "b.onResolve({filter: /^@oclif\\/core$/}, () => ({path: join(dist, 'cli', 'lite', 'oclif-lite.js')}))",
  )
  return {'@oclif/core': 'src/cli/lite/oclif-lite.ts'}
}

describe('exports under src/', () => {
  it('are all used (or listed in ALLOWLIST for the lead to delete)', () => {
    const dead = findDeadExports(REPO, {
      publicModules: ['src/index.ts', 'src/workload-api.ts'],
      roots: repoRoots(),
      aliases: repoAliases(),
    })
    const listed = Object.entries(ALLOWLIST).flatMap(([file, names]) => names.map((n) => `${file}:${n}`))
    expect(
      dead.filter((d) => !listed.includes(d)),
      'dead exports: delete them, or drop `export` where the module uses them',
    ).toEqual([])
    expect(
      listed.filter((l) => !dead.includes(l as (typeof dead)[number])),
      'no longer dead: remove from ALLOWLIST',
    ).toEqual([])
  })

  it('are found dead when nothing imports them (control)', () => {
    const root = join(base(), 'tree')
    const files: Record<string, string> = {
      'src/index.ts': "export {pub} from './core/a.js'\nexport * from './core/star.js'\n",
      'src/core/a.ts': [
        'export function pub() {}',
        'export const used = 1',
        'export const unused = 2',
        'export type T = number',
        'export const forTest = 3',
        'const local = forTest',
        'export const testOnly = 4',
        'export interface Shown {n: typeof local}',
      ].join('\n'),
      'src/core/b.ts':
        "import {used, type T} from './a.js'\nconst {lazy} = await import('./c.js')\nconst t: T = used + lazy\nexport type {Shown as Seen} from './a.js'\n",
      'src/core/c.ts': 'export const lazy = 1\nexport const notLazy = 2\n',
      'src/core/star.ts': 'export const viaStar = 1\n',
      'src/core/barrel.ts': "export {fromBarrel} from './d.js'\n",
      'src/core/d.ts': 'export const fromBarrel = 1\n',
      'src/core/e.ts': 'export const benchUsed = 1\nexport default 5\n',
      'src/commands/x.ts': 'export default class X {}\nexport const extra = 1\n',
      'bench/b.js': "import {benchUsed} from '../dist/core/e.js'\n",
      'test/a.test.ts': "import {forTest, testOnly} from '../src/core/a.js'\n",
    }
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), {recursive: true})
      writeFileSync(join(root, file), text)
    }
    expect(findDeadExports(root, {publicModules: ['src/index.ts']})).toEqual(
      [
        // Re-exported by b.ts as Seen, which nothing imports.
        'src/core/a.ts:Shown',
        'src/core/a.ts:testOnly',
        'src/core/a.ts:unused',
        'src/core/b.ts:Seen',
        'src/core/barrel.ts:fromBarrel',
        'src/core/c.ts:notLazy',
        'src/core/d.ts:fromBarrel',
        'src/core/e.ts:default',
        'src/commands/x.ts:extra',
      ].sort(),
    )
  })
})
