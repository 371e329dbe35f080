/**
 * `svidkit ca init` through oclif, in-process: exit and reason codes of every bad input in
 * human and JSON mode (cli-contract.md), the files of a CA directory, and --force.
 */
import {existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readCertificates} from '../../src/index.js'
import {expectFailure, jsonOf, runCli, type FailureCase} from '../helpers/cli.js'
import {tmpDir} from '../helpers/tmp.js'

/** `<tmp>` in arguments is replaced by the test's temporary directory. */
const bad: FailureCase[] = [
  {name: 'uppercase trust domain', args: ['--trust-domain', 'Example.org'], exit: 2, code: 'spiffe-id-invalid'},
  {
    name: 'trust domain with a path',
    args: ['--trust-domain', 'spiffe://example.org/x'],
    exit: 2,
    code: 'spiffe-id-invalid',
  },
  {name: 'trust domain with a bad byte', args: ['--trust-domain', 'exa$mple.org'], exit: 2, code: 'spiffe-id-invalid'},
  {name: 'empty trust domain', args: ['--trust-domain', ''], exit: 2, code: 'spiffe-id-invalid'},
  {name: 'no --trust-domain', args: [], exit: 2, code: 'usage'},
  {name: 'unknown key type', args: ['--trust-domain', 'example.org', '--key-type', 'rsa'], exit: 2, code: 'usage'},
  {name: 'TTL in days', args: ['--trust-domain', 'example.org', '--ttl', '5days'], exit: 2, code: 'usage'},
  {name: 'zero TTL', args: ['--trust-domain', 'example.org', '--ttl', '0'], exit: 2, code: 'usage'},
  {name: 'negative TTL', args: ['--trust-domain', 'example.org', '--ttl=-1h'], exit: 2, code: 'usage'},
  {
    name: 'intermediate TTL in days',
    args: ['--trust-domain', 'example.org', '--intermediate-ttl', '5days'],
    exit: 2,
    code: 'usage',
  },
  {name: '9 intermediates', args: ['--trust-domain', 'example.org', '--intermediates', '9'], exit: 2, code: 'usage'},
  {name: '-1 intermediates', args: ['--trust-domain', 'example.org', '--intermediates=-1'], exit: 2, code: 'usage'},
  {
    name: 'non-numeric intermediates',
    args: ['--trust-domain', 'example.org', '--intermediates', 'two'],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'path length 0 over 1 intermediate',
    args: ['--trust-domain', 'example.org', '--path-len', '0', '--intermediates', '1'],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'path length 2 over 3 intermediates',
    args: ['--trust-domain', 'example.org', '--path-len', '2', '--intermediates', '3'],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'path length not a number',
    args: ['--trust-domain', 'example.org', '--path-len', 'x'],
    exit: 2,
    code: 'usage',
  },
  {name: 'negative path length', args: ['--trust-domain', 'example.org', '--path-len=-1'], exit: 2, code: 'usage'},
  {name: 'unknown flag', args: ['--trust-domain', 'example.org', '--bogus'], exit: 2, code: 'usage'},
  {
    name: 'out under a regular file',
    args: ['--trust-domain', 'example.org', '--out', '<tmp>/file/x'],
    exit: 3,
    code: 'output-not-writable',
  },
  {
    name: 'out is a regular file',
    args: ['--trust-domain', 'example.org', '--out', '<tmp>/file'],
    exit: 3,
    code: 'not-a-directory',
  },
  // Issue 8 item 12: a path that cannot exist fails at once (a recursive mkdir used to spin).
  {
    name: 'out under /proc',
    args: ['--trust-domain', 'example.org', '--out', '/proc/nope'],
    exit: 3,
    code: 'output-not-writable',
  },
  {
    name: 'out deep under /proc',
    args: ['--trust-domain', 'example.org', '--out', '/proc/nope/a/b'],
    exit: 3,
    code: 'output-not-writable',
  },
  {
    name: 'TTL of 99999999999h',
    args: ['--trust-domain', 'example.org', '--ttl', '99999999999h'],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'intermediate TTL of 99999999999h',
    args: ['--trust-domain', 'example.org', '--intermediate-ttl', '99999999999h'],
    exit: 2,
    code: 'usage',
  },
]

/** Returns `ca init` arguments with `<tmp>` resolved; --out defaults to `<tmp>/ca`. */
function argsFor(args: string[], tmp: string): string[] {
  const resolved = args.map((a) => a.replaceAll('<tmp>', tmp))
  return ['ca', 'init', ...(resolved.includes('--out') ? [] : ['--out', join(tmp, 'ca')]), ...resolved]
}

describe('ca init: bad input', () => {
  for (const json of [false, true]) {
    it.for(bad)(`$name → exit $exit, $code${json ? ' (--json)' : ''}`, async ({args, exit, code}, ctx) => {
      const tmp = tmpDir(ctx)
      writeFileSync(join(tmp, 'file'), 'not a directory\n')
      const r = await runCli([...argsFor(args, tmp), ...(json ? ['--json'] : [])])
      expectFailure(r, {exit, code, json})
      // Nothing half-written.
      expect(existsSync(join(tmp, 'ca'))).toBe(false)
    })
  }
})

describe('ca init: messages say what is wrong', () => {
  it.for([
    {name: 'negative TTL', args: ['--ttl=-1h'], message: '--ttl "-1h" is negative: a lifetime must be positive'},
    {
      name: 'huge TTL',
      args: ['--ttl', '99999999999h'],
      message: 'duration "99999999999h" is too long: the limit is 876000h (100 years)',
    },
    {name: 'out is a file', args: ['--out', '<tmp>/file'], message: '"<tmp>/file" is a file, not a directory'},
    {
      name: 'out under /proc',
      args: ['--out', '/proc/nope'],
      message: 'cannot write "/proc/nope": the file system refuses to create it (ENOENT)',
    },
  ])('$name', async ({args, message}, ctx) => {
    const tmp = tmpDir(ctx)
    writeFileSync(join(tmp, 'file'), 'not a directory\n')
    const before = readdirSync(tmp)
    const r = await runCli([...argsFor(['--trust-domain', 'example.org', ...args], tmp), '--json'])
    expect((jsonOf(r.stdout) as {error: {message: string}}).error.message).toBe(message.replaceAll('<tmp>', tmp))
    // Nothing beside it: no staging directory left.
    expect(readdirSync(tmp)).toEqual(before)
  })
})

const KEY = /-key\.pem$/

/** Returns the names in a directory, sorted. */
function names(dir: string): string[] {
  return readdirSync(dir).sort()
}

/** Returns every file of a directory with its bytes. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(names(dir).map((n) => [n, readFileSync(join(dir, n), 'base64')]))
}

describe('ca init: success', () => {
  it.for([
    {intermediates: 0, files: []},
    {intermediates: 1, files: ['intermediate-1-key.pem', 'intermediate-1.pem']},
    {
      intermediates: 3,
      files: [
        'intermediate-1-key.pem',
        'intermediate-1.pem',
        'intermediate-2-key.pem',
        'intermediate-2.pem',
        'intermediate-3-key.pem',
        'intermediate-3.pem',
      ],
    },
  ])(
    'writes the CA directory with $intermediates intermediates, keys 0600 (--json)',
    async ({intermediates, files}, ctx) => {
      const out = join(tmpDir(ctx), 'ca')
      const r = await runCli([
        'ca',
        'init',
        '--trust-domain',
        'spiffe://example.org',
        '--out',
        out,
        '--intermediates',
        String(intermediates),
        '--json',
      ])
      expect({exit: r.exit, stderr: r.stderr}).toEqual({exit: 0, stderr: ''})
      expect(names(out)).toEqual(
        ['bundle.pem', 'bundle.spiffe.json', 'ca.json', 'jwt-key.pem', 'root-key.pem', 'root.pem', ...files].sort(),
      )
      for (const n of names(out))
        expect({n, mode: statSync(join(out, n)).mode & 0o777}).toEqual({n, mode: KEY.test(n) ? 0o600 : 0o644})
      for (const n of names(out).filter((f) => KEY.test(f)))
        expect(readFileSync(join(out, n), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)

      const doc = jsonOf(r.stdout) as {
        trustDomain: string
        files: Record<string, unknown>
        chain: {role: string; spiffeId: string}[]
      }
      expect(doc.trustDomain).toBe('example.org')
      expect(doc.files).toMatchObject({
        bundle: join(out, 'bundle.pem'),
        bundleJwks: join(out, 'bundle.spiffe.json'),
        metadata: join(out, 'ca.json'),
      })
      expect(doc.chain.map((c) => c.role)).toEqual([...Array(intermediates).fill('intermediate'), 'root'])
      expect(doc.chain.every((c) => c.spiffeId === 'spiffe://example.org')).toBe(true)
      expect(readFileSync(join(out, 'bundle.pem'), 'utf8')).toBe(readFileSync(join(out, 'root.pem'), 'utf8'))
      const jwks = JSON.parse(readFileSync(join(out, 'bundle.spiffe.json'), 'utf8')) as {
        keys: {use: string}[]
        spiffe_sequence: number
      }
      expect(jwks.keys.map((k) => k.use)).toEqual(['x509-svid', 'jwt-svid'])
      expect(JSON.parse(readFileSync(join(out, 'ca.json'), 'utf8'))).toMatchObject({
        trustDomain: 'example.org',
        keyType: 'ec-p256',
      })
    },
  )

  it('prints the chain in human mode and --no-name-constraints drops the root constraint', async (ctx) => {
    const out = join(tmpDir(ctx), 'ca')
    const r = await runCli([
      'ca',
      'init',
      '--trust-domain',
      'example.org',
      '--out',
      out,
      '--no-name-constraints',
      '--key-type',
      'ed25519',
    ])
    expect({exit: r.exit, stderr: r.stderr}).toEqual({exit: 0, stderr: ''})
    expect(r.stdout).toContain(`created CA for trust domain example.org in ${out}`)
    const root = readCertificates(readFileSync(join(out, 'root.pem')), 'root.pem')[0]
    expect(root.nameConstraints).toBeUndefined()
    expect(root.publicKeyType).toBe('ed25519')
  })

  it('warns when the intermediate TTL is capped at the root, on stderr or in the JSON document', async (ctx) => {
    const tmp = tmpDir(ctx)
    const human = await runCli([
      'ca',
      'init',
      '--trust-domain',
      'example.org',
      '--out',
      join(tmp, 'a'),
      '--ttl',
      '2h',
      '--intermediate-ttl',
      '720h',
    ])
    expect(human.exit).toBe(0)
    expect(human.stderr).toMatch(/^warning: intermediate 1 lifetime capped at its parent's notAfter /)
    const json = await runCli([
      'ca',
      'init',
      '--trust-domain',
      'example.org',
      '--out',
      join(tmp, 'b'),
      '--ttl',
      '2h',
      '--intermediate-ttl',
      '720h',
      '--json',
    ])
    expect({exit: json.exit, stderr: json.stderr}).toEqual({exit: 0, stderr: ''})
    expect((jsonOf(json.stdout) as {warnings: string[]}).warnings).toEqual([expect.stringContaining('capped')])
  })
})

describe('ca init: an existing CA', () => {
  for (const json of [false, true]) {
    it(`is refused without --force (exit 3, output-exists) and left byte for byte${json ? ' (--json)' : ''}`, async (ctx) => {
      const out = join(tmpDir(ctx), 'ca')
      expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', out])).exit).toBe(0)
      const before = snapshot(out)
      const r = await runCli([
        'ca',
        'init',
        '--trust-domain',
        'example.org',
        '--out',
        out,
        '--intermediates',
        '2',
        ...(json ? ['--json'] : []),
      ])
      expectFailure(r, {exit: 3, code: 'output-exists', json})
      expect(snapshot(out)).toEqual(before)
    })
  }

  it('is refused when only some CA files are there (no ca.json)', async (ctx) => {
    const out = join(tmpDir(ctx), 'ca')
    expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', out])).exit).toBe(0)
    rmSync(join(out, 'ca.json'))
    const before = snapshot(out)
    const r = await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', out, '--json'])
    expectFailure(r, {exit: 3, code: 'output-exists', json: true})
    expect(snapshot(out)).toEqual(before)
  })

  it('is replaced with --force: a new root, and files of the old chain that the new one lacks are removed', async (ctx) => {
    const out = join(tmpDir(ctx), 'ca')
    expect(
      (await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', out, '--intermediates', '2'])).exit,
    ).toBe(0)
    const oldRoot = readFileSync(join(out, 'root.pem'), 'utf8')
    const r = await runCli([
      'ca',
      'init',
      '--trust-domain',
      'example.org',
      '--out',
      out,
      '--intermediates',
      '1',
      '--force',
      '--json',
    ])
    expect({exit: r.exit, stderr: r.stderr}).toEqual({exit: 0, stderr: ''})
    expect(readFileSync(join(out, 'root.pem'), 'utf8')).not.toBe(oldRoot)
    expect(readFileSync(join(out, 'bundle.pem'), 'utf8')).toBe(readFileSync(join(out, 'root.pem'), 'utf8'))
    expect(names(out)).toEqual([
      'bundle.pem',
      'bundle.spiffe.json',
      'ca.json',
      'intermediate-1-key.pem',
      'intermediate-1.pem',
      'jwt-key.pem',
      'root-key.pem',
      'root.pem',
    ])
  })
})
