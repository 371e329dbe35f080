#!/usr/bin/env node
// The package.json a tarball ships has no install-time script: `npm pack` and `npm publish`
// run `prepack` (`node scripts/pack-manifest.js strip`, after the build) and `postpack`
// (`restore`), and the tarball holds package.json as it is on disk in between. `prepare`
// builds a clone of the repository on `npm ci`; a tarball ships dist/ built, so npm must not
// run it (and must not warn about it) when a user installs the package.
//   strip    saves package.json as package.json.pack-orig, then writes it without `prepare`
//   restore  puts package.json.pack-orig back (also done by `strip` when one is left over
//            from a pack that failed before postpack)
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = join(root, 'package.json')
const saved = `${manifest}.pack-orig`
/** Scripts npm runs when the package is installed: none may reach a tarball. */
export const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare']

const action = process.argv[2]
if (action !== 'strip' && action !== 'restore') {
  console.error('usage: node scripts/pack-manifest.js strip|restore')
  process.exit(2)
}
if (existsSync(saved)) renameSync(saved, manifest)
if (action === 'strip') {
  const text = readFileSync(manifest, 'utf8')
  const pkg = JSON.parse(text)
  for (const s of INSTALL_SCRIPTS) delete pkg.scripts?.[s]
  writeFileSync(saved, text)
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`)
}
