#!/usr/bin/env node
// Step 2 of `npm run build` (after tsc): bundles the CLI's start-up path with esbuild.
// Entries: every command under dist/commands and dist/cli/oclif-runtime.js (what bin/run.js
// imports); their shared code (oclif, the core modules, the ASN.1 schemas) goes into
// dist/chunks/, split so a command loads only the chunks it imports. The bundles replace the
// tsc output of those entries in place; dist/index.js (the library) and the .d.ts files stay
// as tsc wrote them. Module resolution over hundreds of small files was about half of a
// one-shot command's start-up (docs/benchmarks.md). dist/bundle-meta.json records which
// source modules each output holds (test/structure/import-graph.test.ts reads it).
import {build} from 'esbuild'
import {readdirSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')

function jsFiles(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : []
  })
}

// Bundled code is ESM; oclif (CommonJS) reads require, __filename and __dirname.
const banner = [
  "import {createRequire as __svidkitRequire} from 'node:module'",
  "import {fileURLToPath as __svidkitPath} from 'node:url'",
  'const require = __svidkitRequire(import.meta.url)',
  'const __filename = __svidkitPath(import.meta.url)',
  "const __dirname = __svidkitPath(new URL('.', import.meta.url))",
].join('\n')

const result = await build({
  entryPoints: [...jsFiles(join(dist, 'commands')), join(dist, 'cli', 'oclif-runtime.js')],
  outdir: dist,
  outbase: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  allowOverwrite: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: {js: banner},
  // oclif reads a TypeScript project's tsconfig only in development; @peculiar/x509 and its
  // Reflect polyfill stay separate files, loaded on first use (core/x509/provider.ts).
  external: ['typescript', '@peculiar/x509', 'reflect-metadata'],
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: root,
})

const outputs = Object.fromEntries(
  Object.entries(result.metafile.outputs).map(([out, o]) => [
    relative(root, join(root, out)),
    {imports: o.imports.map((i) => i.path), inputs: Object.keys(o.inputs)},
  ]),
)
writeFileSync(join(dist, 'bundle-meta.json'), JSON.stringify(outputs))
