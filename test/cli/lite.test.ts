/**
 * The lite path of the one-shot commands (src/cli/lite/, dist/bundle/lite/): its parser against
 * oclif's on generated argument lists, and whole runs of bin/run.js with and without it
 * (SVIDKIT_LITE=0) giving the same output, files and exit code. Structural, not timed:
 * the start-up gain is measured by `npm run bench` (docs/benchmarks.md).
 */
import fc from 'fast-check'
import {createHash} from 'node:crypto'
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {run} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import type {loadBundle as LoadBundle} from '../../src/cli/lite/load.js'

const base = suiteTmpDir()
const LITE = JSON.parse(readFileSync(join(REPO, 'dist', 'bundle', 'lite', 'commands.json'), 'utf8')) as Record<
  string,
  string
>

interface Flag {
  type: 'option' | 'boolean'
  options?: readonly string[]
  multiple?: boolean
  allowNo?: boolean
  min?: number
  max?: number
}
interface Parsed {
  args: Record<string, unknown>
  flags: Record<string, unknown>
  argv: string[]
}
interface Cmd {
  new (argv: string[], config: unknown): {parse(): Promise<Parsed>}
  flags: Record<string, Flag>
  args: Record<string, unknown>
}

/** The lite bundle loader as bin/run.js uses it (src/cli/lite/load.ts, built). */
async function loader(): Promise<{loadBundle: typeof LoadBundle}> {
  return (await import(join(REPO, 'dist', 'cli', 'lite', 'load.js'))) as {loadBundle: typeof LoadBundle}
}

/** The command class as oclif runs it (dist/bundle/commands) and as the lite path runs it (dist/bundle/lite). */
async function classes(id: string): Promise<{oclif: Cmd; lite: Cmd}> {
  const oclif = (await import(join(REPO, 'dist', 'bundle', 'commands', `${id.replaceAll(':', '/')}.js`))) as {
    default: Cmd
  }
  const lite = (await loader()).loadBundle(join(REPO, 'dist', 'bundle', 'lite', LITE[id])).exports.default as Cmd
  return {oclif: oclif.default, lite}
}

/** What oclif's Command.parse needs of its config when no plugin hooks preparse. */
const oclifConfig = {
  bin: 'svidkit',
  runHook: async () => ({successes: [], failures: []}),
  scopedEnvVar: () => undefined,
}
const liteConfig = {bin: 'svidkit', scopedEnvVar: () => undefined}

async function outcome(parse: () => Promise<Parsed>): Promise<{ok: Parsed} | {error: string}> {
  try {
    const p = await parse()
    return {ok: {args: p.args, flags: p.flags, argv: p.argv}}
  } catch (err) {
    return {error: (err as Error).message}
  }
}

/** Tokens a user could type to this command: its flags in every spelling, and values good and bad. */
function tokens(flags: Record<string, Flag>): fc.Arbitrary<string> {
  const names = Object.keys(flags)
  const values = [
    'x.pem',
    '-',
    '-1h',
    '+10m',
    '0',
    '3',
    '7',
    '-2',
    'abc',
    'spiffe://example.org/w',
    'example.org=b.pem',
    '',
  ]
  const optionValues = Object.values(flags).flatMap((f) => [...(f.options ?? [])])
  return fc.oneof(
    fc.constantFrom(...names.map((n) => `--${n}`), '--json', '--no-such-flag', '--', '-x', '--json=true'),
    fc.constantFrom(...names.filter((n) => flags[n].allowNo).map((n) => `--no-${n}`), '--no-json'),
    fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values, ...optionValues)).map(([n, v]) => `--${n}=${v}`),
    fc.constantFrom(...values, ...optionValues),
  )
}

describe('the lite parser reads an argv as oclif does, or hands it back', () => {
  it.each(Object.keys(LITE))('%s', async (id) => {
    const {oclif, lite} = await classes(id)
    let accepted = 0
    let handled = 0
    await fc.assert(
      fc.asyncProperty(fc.array(tokens(oclif.flags), {maxLength: 7}), async (argv) => {
        const want = await outcome(() => new oclif([...argv], oclifConfig).parse())
        const got = await outcome(() => new lite([...argv], liteConfig).parse())
        if ('ok' in want) accepted++
        if ('error' in got) {
          // Handing back is always allowed; any other lite error must be oclif's own (the shared
          // checks after parsing, e.g. an empty path, run on both paths).
          if (!/^needs oclif: /.test(got.error)) expect(got, `argv ${JSON.stringify(argv)}`).toEqual(want)
          return
        }
        handled++
        expect(want, `argv ${JSON.stringify(argv)}`).toEqual(got)
      }),
      {seed: 20261129, numRuns: 300},
    )
    // The lite path must take a real share of what oclif accepts, or it saves nothing.
    expect(handled).toBeGreaterThan(accepted * 0.3)
  })

  it('takes the invocations the docs show', async () => {
    const typical: [string, string[]][] = [
      ['verify', ['svid/svid.pem', '--bundle', 'example.org=ca/bundle.pem', '--expect-id', 'spiffe://example.org/web']],
      ['verify', ['--dir', 'svid', '--expect-trust-domain', 'example.org', '--json']],
      ['verify', ['svid.pem', '--at', '-1h', '--strict', '--bundle=b.json']],
      ['verify', ['--connect', '127.0.0.1:8443', '--bundle', 'example.org=ca/bundle.pem', '--servername', 'x']],
      ['inspect', ['svid/svid.pem', 'ca/bundle.spiffe.json', '--json']],
      ['inspect', ['-', '--format', 'pem']],
      ['issue', ['--ca', 'ca', '--spiffe-id', 'spiffe://example.org/web', '--out', 'svid', '--ttl', '1h']],
      ['issue', ['--spiffe-id', 'spiffe://example.org/w{n}', '--count', '1000', '--out', 'out/{n}', '--json']],
      ['ca:init', ['--trust-domain', 'example.org', '--out', 'ca', '--intermediates', '2']],
      ['bundle:convert', ['ca/bundle.pem', '--to', 'jwks', '--out', 'b.json']],
    ]
    for (const [id, argv] of typical) {
      const {oclif, lite} = await classes(id)
      const want = await outcome(() => new oclif([...argv], oclifConfig).parse())
      expect(want, `${id} ${argv.join(' ')}`).toHaveProperty('ok')
      expect(await outcome(() => new lite([...argv], liteConfig).parse()), `${id} ${argv.join(' ')}`).toEqual(want)
    }
  })
})

describe('the lite bundles', () => {
  const meta = JSON.parse(readFileSync(join(REPO, 'dist', 'bundle-meta.json'), 'utf8')) as Record<
    string,
    {imports: string[]; inputs: string[]; lazyInputs?: string[]}
  >
  /** Every source module the output `file` holds (run on load or lazily) or imports, transitively (dist/bundle-meta.json). */
  function inputsOf(file: string, seen = new Set<string>()): string[] {
    if (seen.has(file) || meta[file] === undefined) return []
    seen.add(file)
    return [
      ...meta[file].inputs,
      ...(meta[file].lazyInputs ?? []),
      ...meta[file].imports.flatMap((i) => inputsOf(i, seen)),
    ]
  }

  it.each(Object.entries(LITE))('%s holds the command and no oclif', (id, file) => {
    const inputs = inputsOf(`dist/bundle/lite/${file}`)
    expect(inputs).toContain(`dist/commands/${id.replaceAll(':', '/')}.js`)
    expect(inputs).toContain('dist/cli/lite/oclif-lite.js')
    expect(inputs.filter((i) => i.includes('@oclif/'))).toEqual([])
  })

  it('the bulk issuing worker starts from its one-file CommonJS build, which holds the worker and neither oclif nor a CLI module', async () => {
    const pool = (await import(join(REPO, 'dist', 'core', 'svid', 'issue-pool.js'))) as {workerEntry: () => URL}
    const entry = pool.workerEntry()
    expect(entry.pathname).toBe(join(REPO, 'dist', 'bundle', 'lite', 'workers', 'issue-worker.cjs'))
    expect(existsSync(entry)).toBe(true)
    const inputs = inputsOf('dist/bundle/lite/workers/issue-worker.cjs')
    expect(inputs).toContain('dist/core/svid/issue-worker.js')
    expect(meta['dist/bundle/lite/workers/issue-worker.cjs'].imports.filter((i) => !i.startsWith('node:'))).toEqual([])
    expect(
      inputs.filter((i) => i.includes('@oclif/') || i.startsWith('dist/cli/') || i.startsWith('dist/commands/')),
    ).toEqual([])
  })

  // src/cli/lite/load.ts: the build's code cache is taken by V8 in a plain Node process, and
  // is left out (the bundle compiles as without one) when it does not belong to the bundle.
  // Each load runs in a fresh process: within one, V8 reuses what it compiled from the same source.
  const loadInChild = (bundle: string) => {
    const code = `const {loadBundle} = await import(${JSON.stringify(join(REPO, 'dist', 'cli', 'lite', 'load.js'))}); const b = loadBundle(${JSON.stringify(bundle)}); console.log(JSON.stringify({used: b.cacheUsed, rejected: b.script.cachedDataRejected ?? null, kind: typeof b.exports.default}))`
    const r = run(process.execPath, ['--input-type=module', '-e', code], {cwd: base()})
    expect(r.stderr).toBe('')
    return JSON.parse(r.stdout) as {used: boolean; rejected: boolean | null; kind: string}
  }

  it.each(Object.entries(LITE))('%s has a code cache that a fresh Node process uses', (_id, file) => {
    expect(loadInChild(join(REPO, 'dist', 'bundle', 'lite', file))).toEqual({
      used: true,
      rejected: false,
      kind: 'function',
    })
  })

  it('a cache that does not belong to its bundle is not used, and the bundle still loads', () => {
    const dir = join(base(), 'stale-cache')
    mkdirSync(dir, {recursive: true})
    const bundle = join(dir, 'inspect.cjs')
    copyFileSync(join(REPO, 'dist', 'bundle', 'lite', LITE.inspect), bundle)
    copyFileSync(join(REPO, 'dist', 'bundle', 'lite', `${LITE.inspect}.cache`), `${bundle}.cache`)
    // The control: a copy of the bundle and its cache is used.
    expect(loadInChild(bundle)).toEqual({used: true, rejected: false, kind: 'function'})
    // The bundle changed after the build: the hash in the cache no longer matches, and V8 is not asked.
    appendFileSync(bundle, '\n// edited\n')
    expect(loadInChild(bundle)).toEqual({used: false, rejected: null, kind: 'function'})
    // The hash matches but the data is not V8's: V8 rejects it.
    writeFileSync(
      `${bundle}.cache`,
      Buffer.concat([createHash('sha256').update(readFileSync(bundle)).digest(), Buffer.alloc(4096, 7)]),
    )
    expect(loadInChild(bundle)).toEqual({used: false, rejected: true, kind: 'function'})
    // No cache at all.
    rmSync(`${bundle}.cache`)
    expect(loadInChild(bundle)).toEqual({used: false, rejected: null, kind: 'function'})
  })

  it('a lite bundle that cannot be loaded hands the command back to oclif (runLite returns false)', async () => {
    const {runLite} = (await import(join(REPO, 'dist', 'bundle', 'lite', 'run.cjs'))) as {
      runLite: (...a: unknown[]) => Promise<boolean>
    }
    expect(await runLite(join(base(), 'no-such-bundle.cjs'), 'inspect', [], 'svidkit')).toBe(false)
  })

  it('an install without dist/bundle/lite/run.cjs runs the command through oclif, with the same result', () => {
    // A copy of the package (bin/, package.json, manifest, dist/ less the lite runner) beside the real node_modules.
    const pkg = join(base(), 'partial-install')
    mkdirSync(pkg, {recursive: true})
    for (const f of ['package.json', 'oclif.manifest.json']) copyFileSync(join(REPO, f), join(pkg, f))
    cpSync(join(REPO, 'bin'), join(pkg, 'bin'), {recursive: true})
    cpSync(join(REPO, 'dist'), join(pkg, 'dist'), {recursive: true})
    symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'))
    rmSync(join(pkg, 'dist', 'bundle', 'lite', 'run.cjs'))
    const {NODE_ENV: _n, DEBUG: _d, SVIDKIT_LITE: _l, ...env} = process.env
    const r = run(
      process.execPath,
      [join(pkg, 'bin', 'run.js'), 'inspect', '--json', join(REPO, 'test', 'fixtures', 'does-not-exist.pem')],
      {env},
    )
    const control = run(
      process.execPath,
      [join(REPO, 'bin', 'run.js'), 'inspect', '--json', join(REPO, 'test', 'fixtures', 'does-not-exist.pem')],
      {env},
    )
    expect(r.status, r.stderr).toBe(3)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect({status: r.status, stdout: r.stdout.replaceAll(pkg, REPO)}).toEqual({
      status: control.status,
      stdout: control.stdout,
    })
  })

  it('control: the oclif bundle of the same command holds @oclif/core', () => {
    expect(inputsOf('dist/bundle/commands/verify.js').some((i) => i.includes('node_modules/@oclif/core/'))).toBe(true)
  })
})

describe('the bundles have their own folder', () => {
  // On main the oclif-path bundles replaced tsc's dist/commands, dist/cli/… in place.
  it('every esbuild output is under dist/bundle/, and tsc output stays as tsc wrote it', () => {
    const meta = JSON.parse(readFileSync(join(REPO, 'dist', 'bundle-meta.json'), 'utf8')) as Record<string, unknown>
    expect(Object.keys(meta).length).toBeGreaterThan(10)
    expect(Object.keys(meta).filter((out) => !out.startsWith('dist/bundle/'))).toEqual([])
    for (const file of ['commands/verify.js', 'cli/oclif-runtime.js', 'cli/help.js', 'core/svid/issue-worker.js']) {
      const tsc = readFileSync(join(REPO, 'dist', file), 'utf8')
      expect(tsc, file).not.toMatch(/__svidkitDist/)
      expect(tsc.split('\n').length, file).toBeLessThan(400)
    }
    expect(readFileSync(join(REPO, 'dist', 'commands', 'inspect.js'), 'utf8')).toMatch(/from '@oclif\/core'/)
  })

  it("package.json's oclif section names bundles that exist", () => {
    const oclif = (
      JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
        oclif: {commands: string; helpClass: string; hooks: Record<string, string>}
      }
    ).oclif
    const named = [oclif.commands, oclif.helpClass, ...Object.values(oclif.hooks)]
    expect(named.filter((p) => !p.startsWith('./dist/bundle/'))).toEqual([])
    for (const p of named) expect(existsSync(join(REPO, p)), p).toBe(true)
  })
})

describe('bin/run.js gives the same result on both paths', () => {
  const cli = (args: string[], lite: boolean, cwd: string) => {
    const {NODE_ENV: _n, DEBUG: _d, SVIDKIT_LITE: _l, ...env} = process.env
    return run(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
      cwd,
      env: {...env, NO_COLOR: '1', ...(lite ? {} : {SVIDKIT_LITE: '0'})},
    })
  }
  const at = '2030-01-01T00:00:00Z'
  const cases: {name: string; args: string[]}[] = [
    {name: 'ca init', args: ['ca', 'init', '--trust-domain', 'example.org', '--out', 'ca', '--json']},
    {name: 'issue', args: ['issue', '--ca', '../ref/ca', '--spiffe-id', 'spiffe://example.org/w', '--out', 'svid']},
    {
      name: 'issue over an existing SVID (exit 3)',
      args: ['issue', '--ca', '../ref/ca', '--spiffe-id', 'spiffe://example.org/w', '--out', '../ref/svid'],
    },
    {
      name: 'verify',
      args: ['verify', '../ref/svid/svid.pem', '--bundle', 'example.org=../ref/ca/bundle.pem', '--at', at],
    },
    {
      name: 'verify --json, wrong ID (exit 4)',
      args: ['verify', '--dir', '../ref/svid', '--expect-id', 'spiffe://example.org/x', '--at', at, '--json'],
    },
    {name: 'verify, missing file (exit 3)', args: ['verify', 'nope.pem', '--bundle', '../ref/ca/bundle.pem']},
    {name: 'verify, a typo (exit 2, oclif words it)', args: ['verify', '../ref/svid/svid.pem', '--bundel', 'x']},
    {name: 'verify, bad --layout (exit 2)', args: ['verify', '--dir', '../ref/svid', '--layout', 'bogus']},
    {name: 'verify --help', args: ['verify', '--help']},
    {name: 'inspect', args: ['inspect', '../ref/svid/svid.pem', '../ref/ca/bundle.spiffe.json', '--at', at]},
    {name: 'inspect --format pem', args: ['inspect', '../ref/svid/svid.pem', '--format', 'pem']},
    {name: 'inspect, no argument (exit 2)', args: ['inspect']},
    {name: 'bundle convert', args: ['bundle', 'convert', '../ref/ca/bundle.pem', '--to', 'jwks', '--out', 'b.json']},
  ]

  beforeAll(() => {
    const ref = join(base(), 'ref')
    expect(cli(['ca', 'init', '--trust-domain', 'example.org', '--out', join(ref, 'ca')], true, base()).status).toBe(0)
    expect(
      cli(
        ['issue', '--ca', join(ref, 'ca'), '--spiffe-id', 'spiffe://example.org/w', '--out', join(ref, 'svid')],
        true,
        base(),
      ).status,
    ).toBe(0)
  })

  it.each(cases)('$name', ({name, args}) => {
    const results = [true, false].map((lite) => {
      const cwd = join(base(), `${name.replace(/\W+/g, '-')}-${lite ? 'lite' : 'oclif'}`)
      run('mkdir', ['-p', cwd])
      const r = cli(args, lite, cwd)
      // Fresh keys, serials and times differ between the two runs: compare shapes, not bytes.
      const mask = (s: string) =>
        s
          .replaceAll(cwd, 'CWD')
          .replace(/\b[0-9a-f]{16,}\b/g, 'HEX')
          .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')
          .replace(/\((\d+[ydhms])+( \d+[ydhms])* left\)|valid for (\d+[ydhms])+/g, 'LEFT')
          .replace(/"(x|y|d|n|e)": "[\w-]+"/g, '"$1": "B64"')
          .replace(/"remainingMs": \d+/g, '"remainingMs": MS')
      const files = existsSync(cwd) ? readdirSync(cwd, {recursive: true}).map(String).sort() : []
      return {status: r.status, stdout: mask(r.stdout), stderr: mask(r.stderr), files}
    })
    expect(results[0]).toEqual(results[1])
  })
})
