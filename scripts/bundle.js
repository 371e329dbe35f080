#!/usr/bin/env node
// Step 2 of `npm run build` (after tsc): bundles the CLI's start-up path with esbuild, into
// dist/bundle/ only: tsc's output (dist/ outside dist/bundle/) stays as tsc wrote it, the
// library (dist/index.js, the .d.ts files) and the modules started by path (the race's
// children) included. Entries: every command under dist/commands, the hooks and help class
// oclif loads by path, and dist/cli/oclif-runtime.js (what bin/run.js imports), written to
// the same paths under dist/bundle/ (package.json's oclif section names them there); their
// shared code (oclif, the core modules, the ASN.1 schemas) goes into dist/bundle/chunks/,
// split so a command loads only the chunks it imports. Module resolution over hundreds of
// small files was about half of a one-shot command's start-up (docs/benchmarks.md).
// dist/bundle-meta.json records which source modules each output holds
// (test/structure/import-graph.test.ts reads it).
import {build} from 'esbuild'
import {existsSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const bundleDir = join(dist, 'bundle')

function jsFiles(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : []
  })
}

/**
 * The other modules oclif loads by path: hooks (dist/cli/hooks and package.json oclif.hooks)
 * and oclif.helpClass. Bundled too, so the oclif classes they use and throw are the runtime's
 * own (its error handler tells an ExitError by instanceof) and they load no second oclif.
 * package.json names their bundles (dist/bundle/…); the entries are tsc's files (dist/…).
 */
function oclifModules() {
  const oclif = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).oclif ?? {}
  const named = [
    ...Object.values(oclif.hooks ?? {}).flat(),
    ...(typeof oclif.helpClass === 'string' ? [oclif.helpClass] : []),
  ]
    .filter((p) => typeof p === 'string')
    .map((p) => join(root, p.endsWith('.js') ? p : `${p}.js`))
    .map((p) => (p.startsWith(bundleDir + '/') ? join(dist, p.slice(bundleDir.length + 1)) : p))
  const hooksDir = join(dist, 'cli', 'hooks')
  return [...new Set([...(existsSync(hooksDir) ? jsFiles(hooksDir) : []), ...named])].filter(
    (p) => existsSync(p) && p.startsWith(dist + '/'),
  )
}

// Bundled code is ESM; oclif (CommonJS) reads require, __filename and __dirname. Every output
// lies under dist/ (in dist/bundle/, which holds no other /dist/), so __svidkitDist is dist/'s
// URL wherever the package is installed.
const banner = [
  "import {createRequire as __svidkitRequire} from 'node:module'",
  "import {fileURLToPath as __svidkitPath} from 'node:url'",
  'const require = __svidkitRequire(import.meta.url)',
  'const __filename = __svidkitPath(import.meta.url)',
  "const __dirname = __svidkitPath(new URL('.', import.meta.url))",
  "const __svidkitDist = import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/') + 6)",
].join('\n')

// Bundled: oclif (with its own dependencies), the ASN.1 schemas and chalk. Any other package
// our code imports stays a plain import from node_modules, as tsc wrote it: bundling is for
// start-up, and packages that read their own files at run time (gRPC, protobuf) stay intact.
const BUNDLED = new Set(['@oclif/core', '@peculiar/asn1-schema', '@peculiar/asn1-x509', 'chalk'])
const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/')

// A module that finds files next to itself (new URL('../x', import.meta.url)) must still see
// its own dist/ location (tsc's, not the bundle's) once it sits inside a chunk: import.meta is
// rewritten to that location.
function ownLocation(rel) {
  const url = `new URL(${JSON.stringify(rel)}, __svidkitDist)`
  return {
    'import.meta.url': `${url}.href`,
    'import.meta.filename': `__svidkitPath(${url})`,
    'import.meta.dirname': `__svidkitPath(${url}).replace(/\\/[^/]*$/, '')`,
  }
}

const svidkitLayout = {
  name: 'svidkit-layout',
  setup(b) {
    b.onResolve({filter: /^[^./]/}, (args) => {
      const fromOurs = args.importer.startsWith(dist + '/')
      if (fromOurs && !args.path.startsWith('node:') && !BUNDLED.has(packageName(args.path)))
        return {path: args.path, external: true}
      return undefined
    })
    b.onLoad({filter: /\.js$/}, (args) => {
      if (!args.path.startsWith(dist + '/')) return undefined
      let contents = readFileSync(args.path, 'utf8')
      if (contents.includes('import.meta')) {
        const rel = relative(dist, args.path)
        for (const [from, to] of Object.entries(ownLocation(rel))) contents = contents.replaceAll(from, to)
      }
      return {contents, loader: 'js', resolveDir: dirname(args.path)}
    })
  },
}

// What both builds share: ESM bundles with split chunks, minified, for Node 20.
const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: {js: banner},
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: root,
}

// The one-shot commands a second time, for bin/run.js's fast path: '@oclif/core' resolves
// to dist/cli/lite/oclif-lite.js (src/cli/lite/oclif-lite.ts says what it accepts), so these
// copies load no oclif at all. Each is one self-contained CommonJS file, dist/bundle/lite/
// commands/<id>.cjs: src/cli/lite/load.ts runs it with the V8 code cache that
// scripts/lite-cache.js writes beside it (Node 20 caches no compiled code for ES modules).
// dist/bundle/lite/run.cjs is what bin/run.js requires to load and run one;
// dist/bundle/lite/commands.json maps each command ID to its file. A new lite command goes
// here and in tsconfig.lite.json's files (npm run typecheck:lite; a test compares the two).
const LITE_COMMANDS = ['verify', 'inspect', 'issue', 'ca/init', 'bundle/convert']
const liteCore = {
  name: 'svidkit-lite-core',
  setup(b) {
    b.onResolve({filter: /^@oclif\/core$/}, () => ({path: join(dist, 'cli', 'lite', 'oclif-lite.js')}))
  },
}
// The CommonJS form of the ESM banner's names (svidkitLayout rewrites import.meta with them).
const cjsBanner = [
  "const {fileURLToPath: __svidkitPath, pathToFileURL: __svidkitUrl} = require('node:url')",
  "const __svidkitDist = ((u) => u.slice(0, u.lastIndexOf('/dist/') + 6))(__svidkitUrl(__filename).href)",
].join('\n')
// In the same build: the issuing worker thread (core/svid/issue-pool.ts), as dist/bundle/lite/
// workers/issue-worker.cjs (a worker that loads one CommonJS file is ready sooner than one that
// resolves and links tsc's ES modules, docs/design.md), and what bin/run.js requires to run a
// lite command, dist/bundle/lite/run.cjs (CommonJS like bin/run.js).
const lite = await build({
  entryPoints: {
    ...Object.fromEntries(LITE_COMMANDS.map((c) => [`commands/${c}`, join(dist, 'commands', `${c}.js`)])),
    'workers/issue-worker': join(dist, 'core', 'svid', 'issue-worker.js'),
    run: join(dist, 'cli', 'lite', 'run.js'),
  },
  outdir: join(bundleDir, 'lite'),
  ...common,
  splitting: false,
  format: 'cjs',
  outExtension: {'.js': '.cjs'},
  banner: {js: cjsBanner},
  plugins: [liteCore, svidkitLayout],
})
// src/cli/lite/load.ts runs a bundle as a vm.Script, which has no loader for import(): every
// dynamic import in a lite command must be of a module bundled with it (inlined, lazily run).
for (const [out, o] of Object.entries(lite.metafile.outputs)) {
  const dynamic = o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)
  if (dynamic.length > 0)
    throw new Error(
      `scripts/bundle.js: ${out} keeps import() of ${dynamic.join(', ')}; bundle it or import it statically`,
    )
}
writeFileSync(
  join(bundleDir, 'lite', 'commands.json'),
  JSON.stringify(Object.fromEntries(LITE_COMMANDS.map((c) => [c.replaceAll('/', ':'), `commands/${c}.cjs`]))),
)

const result = await build({
  entryPoints: [...jsFiles(join(dist, 'commands')), ...oclifModules(), join(dist, 'cli', 'oclif-runtime.js')],
  outdir: bundleDir,
  outbase: dist,
  ...common,
  // oclif reads a TypeScript project's tsconfig only in development.
  external: ['typescript'],
  plugins: [svidkitLayout],
})

/**
 * The inputs of a self-contained output that run when it loads: those its entry reaches by
 * static imports. In a CommonJS bundle a dynamically imported module is inlined behind a lazy
 * initializer and runs only when that import() does (e.g. verify's TLS client, for --connect).
 */
function staticInputs(metafile, entry) {
  const seen = new Set()
  const stack = [entry]
  while (stack.length > 0) {
    const p = stack.pop()
    if (seen.has(p)) continue
    seen.add(p)
    for (const i of metafile.inputs[p]?.imports ?? [])
      if (i.kind !== 'dynamic-import' && !i.external) stack.push(i.path)
  }
  return seen
}

// Per output: the source modules it holds (`inputs`; for a lite bundle, those that run when it
// loads, and the rest as `lazyInputs`) and the other outputs it imports.
const outputs = Object.fromEntries([
  ...Object.entries(result.metafile.outputs).map(([out, o]) => [
    out,
    {imports: o.imports.map((i) => i.path), inputs: Object.keys(o.inputs)},
  ]),
  ...Object.entries(lite.metafile.outputs).map(([out, o]) => {
    const eager = staticInputs(lite.metafile, o.entryPoint)
    const inputs = Object.keys(o.inputs)
    return [
      out,
      {
        imports: o.imports.map((i) => i.path),
        inputs: inputs.filter((i) => eager.has(i)),
        lazyInputs: inputs.filter((i) => !eager.has(i)),
      },
    ]
  }),
])
writeFileSync(join(dist, 'bundle-meta.json'), JSON.stringify(outputs))

// @peculiar/x509 and its Reflect polyfill as one CommonJS file, for core/x509/provider.ts to
// load on first use (issue, ca init, CSRs); verify and inspect never load it.
await build({
  stdin: {
    contents: "require('reflect-metadata')\nmodule.exports = require('@peculiar/x509')",
    resolveDir: root,
    loader: 'js',
  },
  outfile: join(dist, 'vendor', 'x509.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
})
