#!/usr/bin/env node
// Start-up time is a feature here (docs/benchmarks.md): `--version` is answered from
// package.json alone, without loading oclif or any command. The one-shot commands run from
// their lite bundles (dist/bundle/lite/, src/cli/lite/oclif-lite.ts and load.ts), which load no oclif
// and run with a V8 code cache, unless help is asked for or the lite parser hands the argv
// back. Everything else goes through oclif, which reads oclif.manifest.json and imports only
// the command that runs.
// This file is CommonJS (bin/package.json), as is everything the one-shot path loads: an ES
// module entry and its imports of Node built-ins cost about 10 ms a process (docs/design.md).
// SVIDKIT_LITE=0 sends every command through oclif.
'use strict'
const {readFileSync} = require('node:fs')
const {arch, platform, release} = require('node:os')
const {join} = require('node:path')

const root = join(__dirname, '..')
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const argv = process.argv.slice(2)

/** Returns the lite bundle for argv's command, or undefined when oclif must run it. */
function liteCommand() {
  if (process.env.SVIDKIT_LITE === '0') return undefined
  const helpFlags = ['--help', ...(pjson.oclif?.additionalHelpFlags ?? [])]
  const end = argv.indexOf('--')
  if (argv.slice(0, end === -1 ? undefined : end).some((a) => helpFlags.includes(a))) return undefined
  let index
  try {
    index = JSON.parse(readFileSync(join(root, 'dist', 'bundle', 'lite', 'commands.json'), 'utf8'))
  } catch {
    return undefined
  }
  for (const words of [2, 1]) {
    const id = argv.slice(0, words).join(':')
    if (argv.length >= words && Object.hasOwn(index, id))
      return {id, file: join(root, 'dist', 'bundle', 'lite', index[id]), rest: argv.slice(words)}
  }
  return undefined
}

/** Loads dist/bundle/lite/run.cjs, or returns undefined when it cannot (a partial install): oclif runs the command then. */
function liteRunner() {
  try {
    return require('../dist/bundle/lite/run.cjs')
  } catch {
    return undefined
  }
}

async function main() {
  if (['--version', ...(pjson.oclif?.additionalVersionFlags ?? [])].includes(argv[0])) {
    // The same text as oclif's `--version` (its config.userAgent).
    const os = platform() === 'linux' && /microsoft/i.test(release()) ? 'wsl' : platform()
    process.stdout.write(
      `${pjson.name}/${pjson.version} ${os}-${arch() === 'ia32' ? 'x86' : arch()} node-${process.version}\n`,
    )
    return
  }
  const lite = liteCommand()
  const runner = lite === undefined ? undefined : liteRunner()
  const done =
    runner !== undefined && (await runner.runLite(lite.file, lite.id, lite.rest, pjson.oclif?.bin ?? pjson.name))
  if (!done) {
    // dist/bundle/cli/oclif-runtime.js is @oclif/core bundled with the commands (scripts/bundle.js).
    const {execute, settings} = await import('../dist/bundle/cli/oclif-runtime.js')
    // Commands load from oclif.manifest.json and dist/: never look for TypeScript sources,
    // even when NODE_ENV is development or test in the user's shell.
    settings.enableAutoTranspile = false
    // The package root itself: oclif looks for package.json upwards from what it is given,
    // and would find bin/package.json from this file.
    await execute({loadOptions: root})
  }
}

void main()
