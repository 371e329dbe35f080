/**
 * Truthful messages of `rotate` and `watch` (issue 11) and clean failures (issue 8 items 3
 * and 12), through the CLI: exit code, reason code, and the message naming the real problem.
 */
import {spawn} from 'node:child_process'
import {lstatSync, readFileSync, readlinkSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {readCertificates} from '../../src/core/x509/read.js'
import {REPO, jsonOf, runCli} from '../helpers/cli.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {makeCa, until} from './harness.js'
import {leftovers} from './neighbourhood.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

const ID = 'spiffe://example.org/web'

/** Returns the error document of a failed --json run (rotate streams NDJSON events first). */
async function failure(
  args: string[],
): Promise<{exit: number; code: string; message: string; hint: string; stderr: string}> {
  const r = await runCli([...args, '--json'])
  const start = r.stdout.startsWith('{\n') ? 0 : r.stdout.lastIndexOf('\n{\n') + 1
  const {error} = jsonOf(r.stdout.slice(start)) as {error: {code: string; message: string; hint: string}}
  return {exit: r.exit, ...error, stderr: r.stderr}
}

async function issued(ctx: Parameters<typeof tmpDir>[0]): Promise<string> {
  const dir = join(tmpDir(ctx), 'svid')
  const r = await runCli(['issue', '--ca', ca, '--spiffe-id', ID, '--out', dir])
  expect(r.exit, r.stderr).toBe(0)
  return dir
}

describe('rotate on a directory made by issue', () => {
  it('--mode kubelet says what the directory holds and how to convert it (exit 3)', async (ctx) => {
    const dir = await issued(ctx)
    const f = await failure(['rotate', '--dir', dir, '--ca', ca, '--mode', 'kubelet'])
    expect(f).toMatchObject({exit: 3, code: 'output-exists'})
    expect(f.message).toBe(
      `refusing to rotate "${dir}": it holds spiffe-helper-layout files (svid.pem, svid_key.pem, svid_bundle.pem), but --mode kubelet writes tls.crt by default`,
    )
    expect(f.hint).toContain('--layout spiffe-helper --force')
  })

  it('--mode kubelet --layout spiffe-helper without --force: the plain file is named', async (ctx) => {
    const dir = await issued(ctx)
    const f = await failure(['rotate', '--dir', dir, '--ca', ca, '--mode', 'kubelet', '--layout', 'spiffe-helper'])
    expect(f).toMatchObject({
      exit: 3,
      code: 'output-exists',
      message: `refusing to rotate "${dir}": "svid.pem" is a plain file, not a link through ..data as the kubelet layout has`,
    })
  })

  it('--mode kubelet --layout spiffe-helper --force converts it: the visible names show the new SVID', async (ctx) => {
    const dir = await issued(ctx)
    const r = await runCli([
      'rotate',
      '--dir',
      dir,
      '--ca',
      ca,
      '--mode',
      'kubelet',
      '--layout',
      'spiffe-helper',
      '--force',
      '--json',
    ])
    expect(r.exit, r.stderr).toBe(0)
    const done = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {step: string; serial?: string})
      .find((e) => e.step === 'done')
    for (const n of ['svid.pem', 'svid_key.pem', 'svid_bundle.pem']) {
      expect(lstatSync(join(dir, n)).isSymbolicLink(), n).toBe(true)
      expect(readlinkSync(join(dir, n))).toBe(join('..data', n))
    }
    const leaf = readCertificates(readFileSync(join(dir, 'svid.pem')), 'svid.pem')[0]
    expect(leaf.serial).toBe(done?.serial)
    expect(leftovers(dir)).toEqual([])
  })

  it('--mode dir-symlink --force is refused clearly (exit 3, not an EINVAL crash)', async (ctx) => {
    const dir = await issued(ctx)
    const f = await failure(['rotate', '--dir', dir, '--ca', ca, '--mode', 'dir-symlink', '--force'])
    expect(f).toMatchObject({exit: 3, code: 'output-exists'})
    expect(f.message).toBe(
      `refusing to rotate "${dir}": it is a directory, but --mode dir-symlink swaps a symlink (such as certs/current -> v1)`,
    )
  })
})

describe('flags that do not apply to the writer mode are usage errors naming the mode', () => {
  it.for([
    {
      mode: 'atomic-rename',
      args: ['--truncate-hold', '1s'],
      message: '--truncate-hold does not apply to --mode atomic-rename',
    },
    {
      mode: 'spiffe-helper',
      args: ['--keep-old-dirs'],
      message: '--keep-old-dirs does not apply to --mode spiffe-helper',
    },
    {mode: 'kubelet', args: ['--absent-for', '1s'], message: '--absent-for does not apply to --mode kubelet'},
    {
      mode: 'atomic-rename',
      args: ['--cleanup-delay', '1s'],
      message: '--cleanup-delay does not apply to --mode atomic-rename',
    },
    {
      mode: 'dir-symlink',
      args: ['--chunk-delay', '1ms', '--chunk-bytes', '10'],
      message: '--chunk-bytes does not apply to --mode dir-symlink',
    },
    {mode: 'spiffe-helper', args: ['--chunk-delay', '1ms'], message: '--chunk-delay needs --chunk-bytes'},
    {
      mode: 'atomic-rename',
      args: ['--key-mode', '0644'],
      message: '--key-mode "0644" would make the private key readable by group or others',
    },
  ])('--mode $mode $args', async ({mode, args, message}, ctx) => {
    const dir = join(tmpDir(ctx), 'svid')
    const f = await failure(['rotate', '--dir', dir, '--ca', ca, '--spiffe-id', ID, '--mode', mode, ...args])
    expect(f).toMatchObject({exit: 2, code: 'usage', message})
    expect(() => lstatSync(dir)).toThrow()
  })
})

describe('values and signals', () => {
  it.for([
    {
      name: 'negative TTL',
      args: ['--ttl=-1h'],
      exit: 2,
      code: 'usage',
      message: '--ttl "-1h" is negative: a lifetime must be positive',
    },
    {
      name: 'huge TTL',
      args: ['--ttl', '99999999999h'],
      exit: 2,
      code: 'usage',
      message: 'duration "99999999999h" is too long: the limit is 876000h (100 years)',
    },
    {
      name: 'huge relative time',
      args: ['--not-after=-99999999999h'],
      exit: 2,
      code: 'usage',
      message: 'duration "-99999999999h" is too long: the limit is 876000h (100 years)',
    },
  ])('$name → exit $exit', async ({args, exit, code, message}, ctx) => {
    const f = await failure(['rotate', '--dir', join(tmpDir(ctx), 'svid'), '--ca', ca, '--spiffe-id', ID, ...args])
    expect(f).toMatchObject({exit, code, message})
  })

  it('--signal HUP --pid 999999 fails the command once (exit 3), after writing the set', async (ctx) => {
    const dir = join(tmpDir(ctx), 'svid')
    const r = await runCli([
      'rotate',
      '--dir',
      dir,
      '--ca',
      ca,
      '--spiffe-id',
      ID,
      '--signal',
      'HUP',
      '--pid',
      '999999',
    ])
    expect(r.exit).toBe(3)
    expect(r.stderr.trim().split('\n')).toEqual([
      'error [signal-failed]: cannot send SIGHUP to pid 999999: no such process (ESRCH)',
      expect.stringMatching(/^ {2}hint: /),
    ])
    expect(lstatSync(join(dir, 'svid.pem')).isFile()).toBe(true)
  })
})

describe('a CA path that is a file', () => {
  it('issue --ca ca/ca.json: "is a file, not a directory" (exit 3)', async (ctx) => {
    const f = await failure([
      'issue',
      '--ca',
      join(ca, 'ca.json'),
      '--spiffe-id',
      ID,
      '--out',
      join(tmpDir(ctx), 'svid'),
    ])
    expect(f).toMatchObject({
      exit: 3,
      code: 'not-a-directory',
      message: `--ca "${join(ca, 'ca.json')}" is a file, not a directory`,
    })
  })

  it('ca init --out svid/svid.pem: "is a file, not a directory" (exit 3)', async (ctx) => {
    const dir = await issued(ctx)
    const f = await failure(['ca', 'init', '--trust-domain', 'example.org', '--out', join(dir, 'svid.pem')])
    expect(f).toMatchObject({
      exit: 3,
      code: 'not-a-directory',
      message: `"${join(dir, 'svid.pem')}" is a file, not a directory`,
    })
  })
})

describe('watch on something that is not a directory', () => {
  it('a file: "is a file, not a directory" (exit 3, not a wait and exit 6)', async (ctx) => {
    const dir = await issued(ctx)
    const f = await failure(['watch', join(dir, 'svid.pem'), '--timeout', '30s'])
    expect(f).toMatchObject({
      exit: 3,
      code: 'not-a-directory',
      message: `"${join(dir, 'svid.pem')}" is a file, not a directory`,
    })
  })

  it('a missing directory: "directory does not exist" (exit 3)', async (ctx) => {
    const dir = join(tmpDir(ctx), 'nope')
    const f = await failure(['watch', dir, '--timeout', '30s'])
    expect(f).toMatchObject({exit: 3, code: 'file-not-found', message: `directory "${dir}" does not exist`})
  })
})

describe('SIGINT/SIGTERM stop rotate --count cleanly', () => {
  it.for([
    {signal: 'SIGINT', exit: 130},
    {signal: 'SIGTERM', exit: 143},
  ] as const)('$signal → exit $exit, the last set complete, no temporary left', async ({signal, exit}, ctx) => {
    const dir = join(tmpDir(ctx), 'svid')
    const {DEBUG: _d, NODE_ENV: _e, ...env} = process.env
    const child = spawn(
      process.execPath,
      [
        join(REPO, 'bin', 'run.js'),
        'rotate',
        '--dir',
        dir,
        '--ca',
        ca,
        '--spiffe-id',
        ID,
        '--count',
        '1000',
        '--interval',
        '50ms',
        '--gap',
        '20ms',
        '--json',
      ],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)))
    try {
      await until(() => (out.match(/"step":"done"/g) ?? []).length >= 2, 30_000, 'two rotations')
      child.kill(signal)
      expect(await code).toBe(exit)
    } finally {
      child.kill('SIGKILL')
    }
    const dones = out.match(/"step":"done"/g) ?? []
    expect(dones.length).toBeLessThan(1000)
    expect(leftovers(dir)).toEqual([])
    const verify = await runCli(['verify', '--dir', dir, '--bundle', join(ca, 'bundle.pem')])
    expect(verify.exit, verify.stdout + verify.stderr).toBe(0)
  })
})
