/**
 * Issue 20 items 4, 11, 14 and 16: `issue --out -` (PEM on stdout, key last, a warning on a
 * terminal) and "-" refused where a directory is required; every flag checked before the
 * filesystem is looked at; a handshake that sent no client certificate says so; wording
 * (issue's file labels, --list-defects headers, singular "authority").
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {runClient} from '../../src/core/handshake/run-client.js'
import {runServer} from '../../src/core/handshake/run-server.js'
import type {HandshakeResult} from '../../src/core/handshake/client.js'
import {parsePemBlocks} from '../../src/core/x509/pem.js'
import {workloadLine} from '../../src/cli/render/workload-api.js'
import {REPO, jsonOf, runCli} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'

const base = suiteTmpDir()
const p = (name: string) => join(base(), name)
const ID = 'spiffe://example.org/web'

beforeAll(async () => {
  expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', p('ca')])).exit).toBe(0)
  expect((await runCli(['issue', '--ca', p('ca'), '--spiffe-id', ID, '--out', p('svid')])).exit).toBe(0)
})

async function failure(args: string[]): Promise<{exit: number; code?: string; message?: string}> {
  const r = await runCli([...args, '--json'])
  const doc = jsonOf(r.stdout) as {error?: {code: string; message: string}; errors?: {code: string; message: string}[]}
  return {exit: r.exit, ...(doc.error ?? doc.errors?.[0])}
}

describe('issue --out -', () => {
  it('prints the chain then the key as PEM, and writes no file or directory', async () => {
    const r = await runCli(['issue', '--ca', p('ca'), '--spiffe-id', ID, '--out', '-'])
    expect(r.exit, r.stderr).toBe(0)
    expect(parsePemBlocks(r.stdout).map((b) => b.type)).toEqual(['CERTIFICATE', 'CERTIFICATE', 'PRIVATE KEY'])
    expect(r.stderr).toBe('') // not a terminal: no warning
    expect(existsSync(join(REPO, '-'))).toBe(false)
  })

  it('warns on stderr when stdout is a terminal', () => {
    // script(1) gives the command a pseudo-terminal; its output is the terminal's.
    const cmd = `${process.execPath} ${join(REPO, 'bin/run.js')} issue --ca ${p('ca')} --spiffe-id ${ID} --out -`
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {...process.env, NO_COLOR: '1'},
    })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain(
      'warning: the private key is printed to the terminal (redirect --out - to a file or a pipe)',
    )
    expect(r.stdout).toContain('-----BEGIN PRIVATE KEY-----')
  })

  it.each([
    [['--count', '2'], '--out - writes one SVID to standard output; drop --count, or give --out a directory'],
    [['--format', 'pkcs12', '--p12-password', 'x'], '--out - writes PEM; --format pkcs12 needs a directory'],
    [['--layout', 'k8s-secret'], '--out - writes PEM; --layout k8s-secret needs a directory'],
    [['--json'], '--json and --out - both write to standard output'],
  ])('refuses %j (exit 2)', async (extra, message) => {
    const r = await runCli(['issue', '--ca', p('ca'), '--spiffe-id', ID, '--out', '-', ...extra])
    expect(r.exit).toBe(2)
    expect(r.stdout).not.toContain('BEGIN')
    expect(r.stderr + r.stdout).toContain(message)
  })

  it.each([
    [['verify', '--dir', '-'], '--dir needs a directory, not "-"'],
    [['watch', '-'], 'watch DIR needs a directory, not "-"'],
    [['rotate', '--dir', '-', '--ca', 'CA'], '--dir needs a directory, not "-"'],
    [['ca', 'init', '--trust-domain', 'example.org', '--out', '-'], '--out needs a directory, not "-"'],
  ])('"-" where a directory is required: %j (exit 2)', async (args, message) => {
    expect(await failure(args.map((a) => (a === 'CA' ? p('ca') : a)))).toMatchObject({exit: 2, code: 'usage', message})
  })
})

describe('flags are checked before the filesystem', () => {
  it('issue: an invalid --spiffe-id is reported, not the existing --out', async () => {
    expect(
      await failure(['issue', '--ca', p('ca'), '--spiffe-id', 'spiffe://Bad ID/x', '--out', p('svid')]),
    ).toMatchObject({
      exit: 2,
      code: 'spiffe-id-invalid',
    })
    expect(
      await failure(['issue', '--ca', p('ca'), '--spiffe-id', ID, '--dns', 'bad_name!', '--out', p('svid')]),
    ).toMatchObject({exit: 2, code: 'usage'})
  })

  it('issue: an ID of another trust domain is reported before the existing --out', async () => {
    expect(
      await failure(['issue', '--ca', p('ca'), '--spiffe-id', 'spiffe://other.org/x', '--out', p('svid')]),
    ).toMatchObject({
      exit: 2,
      message: `"spiffe://other.org/x" is not in the CA's trust domain "example.org"`,
    })
  })

  it('ca init: an invalid --trust-domain is reported, not the existing --out', async () => {
    expect(await failure(['ca', 'init', '--trust-domain', 'Not A Domain', '--out', p('ca')])).toMatchObject({
      exit: 2,
      code: 'spiffe-id-invalid',
    })
  })
})

describe('handshake without a client SVID', () => {
  for (const tlsVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${tlsVersion}: the failure says no certificate was sent, not that ours was rejected`, async () => {
      let client: Promise<HandshakeResult> | undefined
      await runServer({
        listen: '127.0.0.1:0',
        dir: p('svid'),
        count: 1,
        timeoutMs: 20_000,
        tlsVersion,
        sink: (e) => {
          if (e.type === 'listening')
            client = runClient({
              target: `127.0.0.1:${e.port}`,
              bundles: [p('ca/bundle.pem')],
              tlsVersion,
              timeoutMs: 10_000,
            })
        },
      })
      const r = (await client) as HandshakeResult
      expect(r.ok).toBe(false)
      expect(r.errors[0].hint).toMatch(/no client certificate was sent|we sent no client certificate/)
      expect(r.errors[0].hint).not.toMatch(/rejected our certificate/)
    })
  }
})

describe('wording', () => {
  it('issue labels secret.yaml, svid.p12 and credentials.pem by what they hold', async () => {
    mkdirSync(p('w'))
    const secret = await runCli([
      'issue',
      '--ca',
      p('ca'),
      '--spiffe-id',
      ID,
      '--out',
      p('w/secret'),
      '--layout',
      'k8s-secret',
    ])
    expect(secret.stdout).toMatch(/^ {2}secret {5}\S+secret\.yaml$/m)
    const p12 = await runCli([
      'issue',
      '--ca',
      p('ca'),
      '--spiffe-id',
      ID,
      '--out',
      p('w/p12'),
      '--format',
      'pkcs12',
      '--p12-password',
      'x',
    ])
    expect(p12.stdout).toMatch(/^ {2}pkcs12 {5}\S+svid\.p12$/m)
    const cb = await runCli([
      'issue',
      '--ca',
      p('ca'),
      '--spiffe-id',
      ID,
      '--out',
      p('w/cb'),
      '--layout',
      'credential-bundle',
    ])
    expect(cb.stdout).toMatch(/^ {2}key\+chain {2}\S+credentials\.pem$/m)
    expect(readdirSync(p('w')).sort()).toEqual(['cb', 'p12', 'secret'])
  })

  it('--list-defects has column headers', async () => {
    const r = await runCli(['issue', '--list-defects'])
    expect(r.stdout.split('\n')[0]).toMatch(/^DEFECT +REASON CODE +RULE BROKEN$/)
  })

  it('one authority is "1 authority"', () => {
    const line = workloadLine({
      t: 1000,
      type: 'message',
      client: 'c1',
      rpc: 'FetchX509Bundles',
      stream: 1,
      bundles: {'example.org': ['ab']},
    } as never)
    expect(line).toMatch(/example\.org \(1 authority\)$/)
  })
})
