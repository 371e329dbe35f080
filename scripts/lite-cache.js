#!/usr/bin/env node
// Step 3 of `npm run build` (after scripts/bundle.js): a training run of each lite command
// (dist/bundle/lite/commands/*.cjs) on throwaway files, each in its own Node process started with no
// flags, which then writes the bundle's V8 code cache beside it (src/cli/lite/load.ts says
// how it is used and checked). What V8 compiled during the run is in the cache, so a user's
// run neither parses the bundle nor compiles the functions the training run called. A cache
// from another Node version is rejected by V8 and costs nothing but its read.
// The training runs write their files in one temporary directory, removed at the end.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const lite = join(root, 'dist', 'bundle', 'lite')
const index = JSON.parse(readFileSync(join(lite, 'commands.json'), 'utf8'))
const dir = mkdtempSync(join(tmpdir(), 'svidkit-lite-cache-'))
const at = (...p) => join(dir, ...p)

/** The training runs, in order (later ones use what earlier ones wrote). */
const runs = [
  ['ca:init', ['--trust-domain', 'train.test', '--out', at('ca')]],
  ['issue', ['--ca', at('ca'), '--spiffe-id', 'spiffe://train.test/web', '--out', at('svid')]],
  ['verify', [at('svid', 'svid.pem'), '--bundle', `train.test=${at('ca', 'bundle.pem')}`]],
  ['inspect', [at('svid', 'svid.pem')]],
  ['bundle:convert', [`train.test=${at('ca', 'bundle.pem')}`, '--to', 'jwks']],
]
const trained = new Set(runs.map(([id]) => id))
const untrained = Object.keys(index).filter((id) => !trained.has(id))
if (untrained.length > 0)
  throw new Error(`scripts/lite-cache.js: no training run for lite command(s) ${untrained.join(', ')}`)

// A command whose training run fails gets no cache and runs as fast as it did without one: the
// build goes on (a user's `npm ci` must not fail for a speed-up), with a warning here, and
// test/cli/lite.test.ts fails on any lite bundle without a cache that V8 takes.
const runLite = pathToFileURL(join(lite, 'run.cjs')).href
try {
  for (const [id, argv] of runs) {
    const file = join(lite, index[id])
    const code = `const {runLite} = await import(${JSON.stringify(runLite)}); process.exitCode = (await runLite(${JSON.stringify(file)}, ${JSON.stringify(id)}, ${JSON.stringify(argv)}, 'svidkit', {saveCache: true})) ? 0 : 9`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: dir,
      encoding: 'utf8',
      env: {...process.env, NO_COLOR: '1'},
    })
    if (r.status !== 0 || !existsSync(`${file}.cache`))
      console.warn(
        `scripts/lite-cache.js: no code cache for ${id}: its training run failed (exit ${r.status}); it runs without one. ${r.stderr.trim()}`,
      )
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}
