/**
 * What each one-shot command loads, read from a real process (`node --import
 * record-graph.mjs bin/run.js …`): the ESM modules it resolved, the CommonJS files in
 * require's cache and the Node built-ins it loaded. Structural, not timed: start-up speed
 * itself is measured by `npm run bench` (docs/benchmarks.md).
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {initCa, issueToDirectory} from '../../src/index.js'
import {REPO} from '../helpers/cli.js'
import {run} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'

const base = suiteTmpDir()
const RECORDER = join(REPO, 'test', 'structure', 'record-graph.mjs')

interface Graph {
  status: number | null
  stdout: string
  /** Every loaded file or URL (ESM and CommonJS), as paths under the repository where they are. */
  modules: string[]
  builtins: string[]
}

let meta: Record<string, {inputs: string[]}> | undefined
/** What each bundled output holds: dist/bundle-meta.json, written by `npm run build`. */
function bundleMeta(): Record<string, {inputs: string[]}> {
  meta ??= JSON.parse(readFileSync(join(REPO, 'dist', 'bundle-meta.json'), 'utf8')) as Record<
    string,
    {inputs: string[]}
  >
  return meta
}

/** Runs `node --import recorder …args` and returns what the process loaded. */
function graphOf(args: string[], name: string): Graph {
  const out = join(base(), `${name}.graph`)
  const {NODE_ENV: _env, DEBUG: _debug, ...env} = process.env
  const r = run(process.execPath, ['--import', RECORDER, ...args], {
    cwd: base(),
    env: {...env, SVIDKIT_GRAPH_OUT: out, NO_COLOR: '1'},
  })
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n')
  const last = JSON.parse(lines.pop() as string) as {cjs: string[]; builtins: string[]}
  const files = [...lines, ...last.cjs].map((m) => m.replace(/^file:\/\//, '').replace(`${REPO}/`, ''))
  // A bundled file (scripts/bundle.js) stands for the source modules it holds.
  const modules = [...new Set([...files, ...files.flatMap((f) => bundleMeta()[f]?.inputs ?? [])])]
  return {status: r.status, stdout: r.stdout, modules, builtins: last.builtins}
}

/** Forbidden on the start-up path of commands that only parse and check certificates. */
const FORBIDDEN_MODULES: {name: string; pattern: RegExp}[] = [
  {name: 'chokidar', pattern: /node_modules\/chokidar\//},
  {name: 'rotation code', pattern: /^dist\/core\/rotate\//},
  {name: 'watch code', pattern: /^dist\/core\/watch\//},
  // verify-connect.js is the one exception: `verify --connect` orchestration, which imports the
  // TLS code (fetch-chain.js) itself only when it connects (node:tls is forbidden below).
  {name: 'TLS handshake code', pattern: /^dist\/core\/handshake\/(?!verify-connect\.js$)/},
  // From node_modules, or as the one file the build writes (dist/vendor/x509.cjs) holding both.
  {name: '@peculiar/x509', pattern: /node_modules\/@peculiar\/x509\/|^dist\/vendor\/x509\.cjs$/},
  {name: 'reflect-metadata', pattern: /node_modules\/reflect-metadata\/|^dist\/vendor\/x509\.cjs$/},
  // The ASN.1 schemas and decoder cost a one-shot command 60-70 ms to load; certificates are read
  // and written with svidkit's own DER reader and writer (src/core/x509/der-read.ts, der.ts).
  {name: 'ASN.1 schemas', pattern: /node_modules\/(@peculiar\/asn1-[^/]+|asn1js)\//},
]
const FORBIDDEN_BUILTINS = ['tls', '_tls_wrap']

function offending(g: Graph): string[] {
  return [
    ...FORBIDDEN_MODULES.flatMap(({name, pattern}) =>
      g.modules.filter((m) => pattern.test(m)).map((m) => `${name}: ${m}`),
    ),
    ...g.builtins.filter((b) => FORBIDDEN_BUILTINS.includes(b)).map((b) => `node:${b}`),
  ]
}

const svidDir = () => join(base(), 'svid')
const caDir = () => join(base(), 'ca')

beforeAll(async () => {
  await initCa({trustDomain: 'example.org', out: caDir()})
  await issueToDirectory({spiffeId: 'spiffe://example.org/web', ca: caDir(), out: svidDir()})
})

describe('the recorder sees what the checks forbid (controls)', () => {
  const table: {name: string; module: string; use: string; expect: RegExp | string}[] = [
    {name: 'TLS client code loads node:tls', module: 'dist/core/handshake/client.js', use: '', expect: 'tls'},
    {
      name: 'watch strategies load chokidar',
      module: 'dist/core/watch/strategies.js',
      use: '',
      expect: /node_modules\/chokidar\//,
    },
    {
      name: 'the ASN.1 schemas, imported, are seen',
      module: 'node_modules/@peculiar/asn1-x509/build/cjs/index.js',
      use: '',
      expect: /node_modules\/(@peculiar\/asn1-[^/]+|asn1js)\//,
    },
    {
      name: 'first use of x509 loads @peculiar/x509 and its polyfill (dist/vendor/x509.cjs)',
      module: 'dist/core/x509/provider.js',
      use: 'm.x509.Name',
      expect: /^dist\/vendor\/x509\.cjs$/,
    },
  ]
  it.each(table)('$name', ({name, module, use, expect: want}) => {
    const code = `const m = await import(${JSON.stringify(join(REPO, module))}); ${use}`
    const g = graphOf(['--input-type=module', '-e', code], name.replace(/\W+/g, '-'))
    expect(g.status).toBe(0)
    if (typeof want === 'string') expect(g.builtins).toContain(want)
    else expect(g.modules.some((m) => want.test(m))).toBe(true)
    expect(offending(g)).not.toEqual([])
  })
})

describe('one-shot commands load only what they need', () => {
  const table: {name: string; args: () => string[]; loads: string[]}[] = [
    {
      name: 'verify',
      args: () => ['verify', join(svidDir(), 'svid.pem'), '--bundle', `example.org=${join(caDir(), 'bundle.pem')}`],
      loads: ['dist/commands/verify.js', 'dist/core/verify/verify.js', 'dist/core/x509/certificate.js'],
    },
    {
      name: 'inspect',
      args: () => ['inspect', join(svidDir(), 'svid.pem'), join(caDir(), 'bundle.spiffe.json')],
      loads: ['dist/commands/inspect.js', 'dist/core/inspect/inspect.js', 'dist/core/x509/certificate.js'],
    },
  ]
  it.each(table)(
    '$name: no TLS, chokidar, rotation, watch, @peculiar/x509, Reflect polyfill or ASN.1 schemas',
    ({name, args, loads}) => {
      const g = graphOf([join(REPO, 'bin', 'run.js'), ...args()], name)
      expect(g.status).toBe(0)
      for (const m of loads) expect(g.modules).toContain(m)
      expect(offending(g)).toEqual([])
    },
  )

  // Issuing writes DER itself, plain RFC 4514 names included (core/x509/name-der.ts), and writes
  // names as text with core/x509/name-text.ts: ca init and issue load none of the above either.
  it.each([
    {
      name: 'ca init',
      args: () => ['ca', 'init', '--trust-domain', 'example.org', '--out', join(base(), 'graph-ca')],
      command: 'ca/init',
    },
    {
      name: 'issue',
      args: () => [
        'issue',
        '--ca',
        caDir(),
        '--spiffe-id',
        'spiffe://example.org/graph',
        '--out',
        join(base(), 'graph-svid'),
      ],
      command: 'issue',
    },
  ])(
    '$name: no TLS, chokidar, rotation, watch, @peculiar/x509, Reflect polyfill or ASN.1 schemas',
    ({name, args, command}) => {
      const g = graphOf([join(REPO, 'bin', 'run.js'), ...args()], name.replace(' ', '-'))
      expect(g.status).toBe(0)
      for (const m of [`dist/commands/${command}.js`, 'dist/core/x509/build.js', 'dist/core/x509/certificate.js'])
        expect(g.modules).toContain(m)
      expect(offending(g)).toEqual([])
    },
  )

  // The run-time V8 tier cap (cli/jit.ts, --max-opt=1 for --count up to 10,000) is gone: it did not
  // pay on both supported Nodes (docs/benchmarks.md), and Node's docs warn against setting V8 flags
  // after start-up. No issue run loads node:v8 (on main a bulk run did).
  it('issue loads node:v8 for neither one SVID nor a bulk run: no V8 flag is set at run time', () => {
    const one = graphOf(
      [
        join(REPO, 'bin', 'run.js'),
        'issue',
        '--ca',
        caDir(),
        '--spiffe-id',
        'spiffe://example.org/v8',
        '--out',
        join(base(), 'v8-one'),
      ],
      'v8-one',
    )
    expect(one.status).toBe(0)
    expect(one.builtins).not.toContain('v8')
    const bulk = graphOf(
      [
        join(REPO, 'bin', 'run.js'),
        'issue',
        '--ca',
        caDir(),
        '--spiffe-id',
        'spiffe://example.org/v{n}',
        '--out',
        join(base(), 'v8-bulk', '{n}'),
        '--count',
        '2',
      ],
      'v8-bulk',
    )
    expect(bulk.status, bulk.stdout).toBe(0)
    expect(bulk.builtins).not.toContain('v8')
  })

  it.each(['verify', 'inspect', 'issue', 'ca init'])('%s runs from its lite bundle: no @oclif module', (name) => {
    const args: Record<string, string[]> = {
      verify: ['verify', join(svidDir(), 'svid.pem'), '--bundle', `example.org=${join(caDir(), 'bundle.pem')}`],
      inspect: ['inspect', join(svidDir(), 'svid.pem')],
      issue: ['issue', '--ca', caDir(), '--spiffe-id', 'spiffe://example.org/lite', '--out', join(base(), 'lite-svid')],
      'ca init': ['ca', 'init', '--trust-domain', 'example.org', '--out', join(base(), 'lite-ca')],
    }
    const g = graphOf([join(REPO, 'bin', 'run.js'), ...args[name]], `lite-${name.replace(' ', '-')}`)
    expect(g.status).toBe(0)
    expect(g.modules).toContain(`dist/bundle/lite/commands/${name.replace(' ', '/')}.cjs`)
    expect(g.modules.filter((m) => m.includes('@oclif/') || m === 'dist/bundle/cli/oclif-runtime.js')).toEqual([])
  })

  it('handshake (control): the same expansion of bundles finds its TLS code', () => {
    // An unknown flag: oclif loads the command, then its parser refuses the flag (exit 2).
    const g = graphOf([join(REPO, 'bin', 'run.js'), 'handshake', '--no-such-flag'], 'handshake')
    expect(g.modules).toContain('dist/commands/handshake.js')
    expect(g.modules.some((m) => m.startsWith('dist/core/handshake/'))).toBe(true)
  })

  it('--version loads no command module and not oclif', () => {
    const g = graphOf([join(REPO, 'bin', 'run.js'), '--version'], 'version')
    expect(g.status).toBe(0)
    expect(g.stdout).toMatch(/^svidkit\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+\.\d+\.\d+\n$/)
    expect(g.modules.filter((m) => m.startsWith('dist/') || m.includes('node_modules/'))).toEqual([])
  })

  it.each([{args: ['--help']}, {args: ['verify', '--help']}, {args: ['issue', '--help']}])(
    '$args renders from the manifest: no command module, no core module',
    ({args}) => {
      const g = graphOf([join(REPO, 'bin', 'run.js'), ...args], `help-${args.join('-')}`)
      expect(g.status).toBe(0)
      expect(g.modules.filter((m) => /^dist\/(commands|core)\//.test(m))).toEqual([])
    },
  )

  it('importing the library installs no Reflect polyfill and loads neither @peculiar/x509 nor oclif', () => {
    const g = graphOf(
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(REPO, 'dist', 'index.js'))}); if (!m.verifySvid) process.exit(9)`,
      ],
      'library',
    )
    expect(g.status).toBe(0)
    expect(g.modules).toContain('dist/index.js')
    expect(
      g.modules.filter((m) => /node_modules\/(reflect-metadata|@peculiar\/x509|@oclif)\/|^dist\/vendor\//.test(m)),
    ).toEqual([])
  })
})

describe('bundled modules still find the files beside their dist/ location', () => {
  // core/race/local/rotator.ts starts `bin/run.js rotate` from new URL('../../../../bin/run.js',
  // import.meta.url): inside a chunk that URL would be wrong unless the bundler keeps it (scripts/bundle.js).
  it('race (in-process) runs its writer child from the bundled CLI', () => {
    const {NODE_ENV: _env, DEBUG: _debug, ...env} = process.env
    const r = run(
      process.execPath,
      [join(REPO, 'bin', 'run.js'), 'race', '--rotations', '1', '--interval', '20ms', '--json'],
      {
        cwd: base(),
        env: {...env, NO_COLOR: '1'},
        timeout: 120_000,
      },
    )
    expect({status: r.status, stderr: r.stderr}).toEqual({status: 0, stderr: ''})
    expect(JSON.parse(r.stdout)).toMatchObject({ok: true, rotations: 1, failures: 0})
  })
})
