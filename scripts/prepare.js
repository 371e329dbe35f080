#!/usr/bin/env node
// Builds (`npm run build`) for `prepare` and `prepack`, once per command: `npm ci` or
// `npm install` in a clone runs `prepare`; `npm pack` and `npm publish` run `prepack` and then
// `prepare`, so `prepare` leaves the build to `prepack` there (--pack). A tarball ships dist/
// built and no `prepare` at all (scripts/pack-manifest.js), so installing it builds nothing.
import {spawnSync} from 'node:child_process'

const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '')
if (process.argv.includes('--pack') || !packing) {
  const npm = process.env.npm_execpath
  const r = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], {stdio: 'inherit'})
    : spawnSync('npm', ['run', 'build'], {stdio: 'inherit'})
  process.exit(r.status ?? 1)
}
