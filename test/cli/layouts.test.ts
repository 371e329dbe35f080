/**
 * Issue 20 item 1: every layout `issue` writes is read back by every command that takes an SVID
 * directory, with the layout detected from the files present (core/fs/layout.ts resolveLayout);
 * several layouts in one directory are refused naming them; a missing directory says so.
 */
import {copyFileSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {detectLayouts, resolveLayout, type LayoutName} from '../../src/core/fs/layout.js'
import {runClient} from '../../src/core/handshake/run-client.js'
import {runServer} from '../../src/core/handshake/run-server.js'
import type {ServerEvent} from '../../src/core/handshake/server-events.js'
import {jsonOf, runCli} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'

const base = suiteTmpDir()
const ID = 'spiffe://example.org/web'
const LAYOUTS: LayoutName[] = ['spiffe-helper', 'spire', 'k8s', 'credential-bundle']
let ca = ''

async function issue(out: string, ...extra: string[]): Promise<string> {
  const r = await runCli(['issue', '--ca', ca, '--spiffe-id', ID, '--out', out, ...extra])
  expect(r.exit, r.stderr).toBe(0)
  return out
}

beforeAll(async () => {
  ca = join(base(), 'ca')
  const r = await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', ca])
  expect(r.exit, r.stderr).toBe(0)
  for (const layout of LAYOUTS) await issue(join(base(), layout), '--layout', layout)
})

/** Returns the error document of a failed --json run. */
async function failure(args: string[]): Promise<{exit: number; code?: string; message?: string; hint?: string}> {
  const r = await runCli([...args, '--json'])
  const lines = r.stdout.trim()
  const doc = jsonOf(lines.startsWith('{\n') ? lines : lines.slice(lines.lastIndexOf('\n{') + 1)) as {
    error?: {code: string; message: string; hint: string}
    errors?: {code: string; message: string; hint: string}[]
  }
  return {exit: r.exit, ...(doc.error ?? doc.errors?.[0])}
}

describe('resolveLayout', () => {
  it.each(LAYOUTS)('detects %s from the files issue wrote', (layout) => {
    expect(resolveLayout(join(base(), layout))).toMatchObject({layout, source: 'detected'})
  })

  it('a CSR directory (chain and bundle, no key) is still detected', async () => {
    const dir = join(base(), 'csr-like')
    mkdirSync(dir)
    copyFileSync(join(base(), 'spire', 'svid.pem'), join(dir, 'svid.pem'))
    copyFileSync(join(base(), 'spire', 'bundle.pem'), join(dir, 'bundle.pem'))
    expect(detectLayouts(dir).map((d) => d.layout)).toEqual(['spire'])
  })

  it('--layout wins without looking', () => {
    expect(resolveLayout(join(base(), 'k8s'), {layout: 'spire'})).toMatchObject({layout: 'spire', source: 'given'})
  })

  it('a writer falls back to its own layout in a missing or empty directory', () => {
    expect(resolveLayout(join(base(), 'nope'), {fallback: 'k8s'})).toMatchObject({layout: 'k8s', source: 'fallback'})
    const empty = join(base(), 'empty')
    mkdirSync(empty)
    expect(resolveLayout(empty, {fallback: 'spire'})).toMatchObject({layout: 'spire', source: 'fallback'})
    expect(() => resolveLayout(empty)).toThrow(/no SVID files in ".*empty" \(looked for spiffe-helper: svid.pem/)
  })

  it('file-name overrides apply to every layout', () => {
    const dir = join(base(), 'renamed')
    mkdirSync(dir)
    for (const f of ['chain.pem', 'svid_key.pem', 'svid_bundle.pem']) writeFileSync(join(dir, f), '')
    expect(resolveLayout(dir, {names: {cert: 'chain.pem'}})).toMatchObject({
      layout: 'spiffe-helper',
      names: {cert: 'chain.pem'},
    })
  })
})

describe('verify --dir reads every layout', () => {
  it.each(LAYOUTS)('%s: VALID, exit 0', async (layout) => {
    const r = await runCli(['verify', '--dir', join(base(), layout), '--json'])
    expect(r.exit, r.stdout).toBe(0)
    expect(jsonOf(r.stdout)).toMatchObject({valid: true, spiffeId: ID})
  })

  it('the one-file outputs too: a k8s-secret directory, and a pkcs12 one with its password', async () => {
    await issue(join(base(), 'secret'), '--layout', 'k8s-secret')
    writeFileSync(join(base(), 'pw'), 'pw\n')
    await issue(join(base(), 'p12'), '--format', 'pkcs12', '--p12-password-file', join(base(), 'pw'))
    expect(jsonOf((await runCli(['verify', '--dir', join(base(), 'secret'), '--json'])).stdout)).toMatchObject({
      valid: true,
      spiffeId: ID,
    })
    const p12 = await runCli([
      'verify',
      '--dir',
      join(base(), 'p12'),
      '--p12-password-file',
      join(base(), 'pw'),
      '--json',
    ])
    expect(jsonOf(p12.stdout)).toMatchObject({
      valid: true,
      checks: expect.arrayContaining([expect.objectContaining({name: 'key-match', status: 'pass'})]),
    })
    // serve cannot use them: the error says how to read the file instead.
    expect(await failure(['serve', '0', '--dir', join(base(), 'secret'), '--timeout', '1s'])).toMatchObject({
      exit: 3,
      code: 'file-not-found',
      hint: `it holds a Kubernetes Secret manifest (issue --layout k8s-secret): give it as a file, e.g. svidkit verify ${join(base(), 'secret')}/secret.yaml`,
    })
  })

  it('two layouts in one directory: exit 2 naming both, and --layout chooses', async () => {
    const dir = join(base(), 'mixed')
    mkdirSync(dir)
    for (const layout of ['spiffe-helper', 'k8s'])
      for (const f of readdirSync(join(base(), layout))) copyFileSync(join(base(), layout, f), join(dir, f))
    const f = await failure(['verify', '--dir', dir])
    expect(f).toMatchObject({exit: 2, code: 'usage'})
    expect(f.message).toBe(
      `"${dir}" holds the files of several layouts: spiffe-helper (svid.pem, svid_key.pem, svid_bundle.pem), k8s (tls.crt, tls.key, ca.crt)`,
    )
    expect(f.hint).toBe('choose one with --layout spiffe-helper or --layout k8s')
    expect((await runCli(['verify', '--dir', dir, '--layout', 'k8s'])).exit).toBe(0)
  })

  it('a missing directory: "directory does not exist" (exit 3)', async () => {
    const dir = join(base(), 'missing')
    expect(await failure(['verify', '--dir', dir])).toMatchObject({
      exit: 3,
      code: 'file-not-found',
      message: `directory "${dir}" does not exist`,
    })
  })
})

describe('serve, watch, rotate, handshake and race read the detected layout', () => {
  it('serve on a missing directory says so, without "a writer may be replacing it"', async () => {
    const dir = join(base(), 'missing')
    expect(await failure(['serve', '0', '--dir', dir, '--timeout', '1s'])).toMatchObject({
      exit: 3,
      code: 'file-not-found',
      message: `directory "${dir}" does not exist`,
    })
  })

  it('watch loads a k8s directory without --layout', async () => {
    const r = await runCli(['watch', join(base(), 'k8s'), '--timeout', '300ms', '--json'])
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {type: string; message?: string})
    expect(events[0].message).toBe(`watching ${join(base(), 'k8s')} (k8s layout, detected)`)
    expect(events.find((e) => e.type === 'rotation')).toBeDefined()
    expect(r.exit).toBe(0)
  })

  it('watch on an empty directory waits for the spiffe-helper names, and says so', async () => {
    const dir = join(base(), 'empty-watch')
    mkdirSync(dir)
    const r = await runCli(['watch', dir, '--timeout', '200ms', '--json'])
    const first = JSON.parse(r.stdout.split('\n')[0]) as {message: string}
    expect(first.message).toBe(
      `watching ${dir} (no SVID files yet: waiting for spiffe-helper names; --layout chooses another)`,
    )
    expect(r.exit).toBe(6) // nothing ever loaded
  })

  it('watch on a file: the hint names the directory to watch', async () => {
    const file = join(base(), 'k8s', 'tls.crt')
    expect(await failure(['watch', file])).toMatchObject({
      exit: 3,
      code: 'not-a-directory',
      hint: `watch takes the SVID directory, not one of its files: svidkit watch ${join(base(), 'k8s')}`,
    })
  })

  it('rotate keeps a spire directory in its layout', async () => {
    const dir = await issue(join(base(), 'rotate-spire'), '--layout', 'spire')
    const r = await runCli(['rotate', '--dir', dir, '--ca', ca])
    expect(r.exit, r.stderr).toBe(0)
    expect(readdirSync(dir).sort()).toEqual(['bundle.pem', 'key.pem', 'svid.pem'])
    expect((await runCli(['verify', '--dir', dir])).exit).toBe(0)
  })

  it('serve and handshake both use a credential-bundle directory', async () => {
    const dir = join(base(), 'credential-bundle')
    const events: ServerEvent[] = []
    let client: Promise<Awaited<ReturnType<typeof runClient>>> | undefined
    const summary = await runServer({
      listen: '127.0.0.1:0',
      dir,
      count: 1,
      timeoutMs: 20_000,
      sink: (e) => {
        events.push(e)
        if (e.type === 'listening') client = runClient({target: `127.0.0.1:${e.port}`, dir, timeoutMs: 10_000})
      },
    })
    expect(summary).toMatchObject({connections: 1, accepted: 1})
    expect((await client)?.ok).toBe(true)
  })

  it('race --target reads a k8s --dir (fails only at the unreachable target, exit 3)', async () => {
    const f = await failure([
      'race',
      '--target',
      '127.0.0.1:1',
      '--dir',
      join(base(), 'k8s'),
      '--ca',
      ca,
      '--rotations',
      '1',
    ])
    expect(f).toMatchObject({exit: 3, code: 'target-unreachable'})
  })
})
