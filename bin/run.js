#!/usr/bin/env node
// Start-up time is a feature here (docs/benchmarks.md): `--version` is answered from
// package.json alone, without loading oclif or any command. Everything else goes through
// oclif, which reads oclif.manifest.json and imports only the command that runs.
import {readFileSync} from 'node:fs'
import {arch, platform, release} from 'node:os'

const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
if (['--version', ...(pjson.oclif?.additionalVersionFlags ?? [])].includes(process.argv[2])) {
  // The same text as oclif's `--version` (its config.userAgent).
  const os = platform() === 'linux' && /microsoft/i.test(release()) ? 'wsl' : platform()
  process.stdout.write(`${pjson.name}/${pjson.version} ${os}-${arch() === 'ia32' ? 'x86' : arch()} node-${process.version}\n`)
} else {
  // dist/cli/oclif-runtime.js is @oclif/core bundled with the commands (scripts/bundle.js).
  const {execute, settings} = await import('../dist/cli/oclif-runtime.js')
  // Commands load from oclif.manifest.json and dist/: never look for TypeScript sources,
  // even when NODE_ENV is development or test in the user's shell.
  settings.enableAutoTranspile = false
  await execute({dir: import.meta.url})
}
