/**
 * Issue 17 item 4: directories other users can write are not trusted (OpenSSH StrictModes),
 * and a directory is removed only while it is the one svidkit proved its own (device and
 * inode re-checked). Real kernel behaviour: a second uid (65534) through setpriv proves the
 * directory is writable by another user, and renameat2(RENAME_EXCHANGE) from a tiny Python
 * helper swaps directories the way an attacker would.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {makeCa, MODES, readlinkOr, refusal, rot, svidDir} from '../rotate/harness.js'
import {jsonError, svidkit} from './spawn-cli.js'

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups']
const isRoot = process.geteuid?.() === 0
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0
if (!isRoot || !hasSetpriv)
  console.warn('[svidkit tests] safety-dirs: needs root and setpriv (util-linux) for a second uid: skipped')
const d = isRoot && hasSetpriv ? describe : describe.skip

/** Runs `cmd args` as uid 65534; returns its exit status. */
function asNobody(cmd: string, ...args: string[]): number | null {
  return spawnSync('setpriv', [...NOBODY, cmd, ...args], {stdio: 'ignore'}).status
}

const EXCHANGE = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2) != 0:
    sys.exit(os.strerror(ctypes.get_errno()))
`

/** Swaps two paths atomically (renameat2 RENAME_EXCHANGE), as a hostile user would. */
function exchange(a: string, b: string): void {
  execFileSync('python3', ['-c', EXCHANGE, a, b])
}

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

/** A per-test directory other users can traverse (mkdtemp makes it 0700) but not write. */
function openRoot(ctx: Parameters<typeof tmpDir>[0]): string {
  const root = tmpDir(ctx)
  chmodSync(root, 0o755)
  return root
}

/** A directory under the test's temp dir whose mode lets uid 65534 write it (proved by writing). */
function sharedDir(parent: string, name = 'shared', mode = 0o777): string {
  const dir = join(parent, name)
  mkdirSync(dir)
  chmodSync(dir, mode)
  expect(asNobody('touch', join(dir, 'planted-by-nobody'))).toBe(0)
  return dir
}

d('directories another user can write are refused (unsafe-dir)', () => {
  it.for(MODES)('%s: an SVID directory writable by all → exit 3 unsafe-dir, nothing written', async (mode, ctx) => {
    const root = openRoot(ctx)
    const area = sharedDir(root)
    const dir = mode === 'dir-symlink' ? join(area, 'current') : join(area, 'svid')
    const err = await refusal(rot({dir, ca, mode}))
    expect(err).toMatchObject({code: 'unsafe-dir', exit: 3})
    expect(err.message).toMatch(/writable by all users/)
    expect(readdirSync(area)).toEqual(['planted-by-nobody'])
  })

  it('a directory above the SVID directory owned by another user → refused, naming it', async (ctx) => {
    const root = openRoot(ctx)
    // A sticky world-writable dir (like /tmp) in which uid 65534 makes its own directory.
    const sticky = join(root, 'sticky')
    mkdirSync(sticky)
    chmodSync(sticky, 0o1777)
    expect(asNobody('mkdir', '-m', '0755', join(sticky, 'theirs'))).toBe(0)
    expect(statSync(join(sticky, 'theirs')).uid).toBe(65534)
    const dir = join(sticky, 'theirs', 'svid')
    const err = await refusal(rot({dir, ca, mode: 'atomic-rename'}))
    expect(err).toMatchObject({code: 'unsafe-dir', exit: 3})
    expect(err.message).toContain(`"${join(sticky, 'theirs')}"`)
    expect(err.message).toMatch(/belongs to uid 65534/)
    expect(existsSync(join(sticky, 'theirs', 'svid'))).toBe(false)
  })

  it('a group-writable directory two levels up → refused', async (ctx) => {
    const root = openRoot(ctx)
    const top = join(root, 'top')
    mkdirSync(join(top, 'mid'), {recursive: true})
    chmodSync(top, 0o775)
    const err = await refusal(rot({dir: join(top, 'mid', 'svid'), ca, mode: 'spiffe-helper'}))
    expect(err).toMatchObject({code: 'unsafe-dir', exit: 3, message: expect.stringMatching(/writable by its group/)})
  })

  it('a root-owned sticky directory (like /tmp) is trusted: our directory inside it rotates', async (ctx) => {
    const root = openRoot(ctx)
    const sticky = join(root, 'sticky')
    mkdirSync(sticky)
    chmodSync(sticky, 0o1777)
    expect(asNobody('touch', join(sticky, 'x'))).toBe(0)
    const {summaries} = await rot({dir: join(sticky, 'svid'), ca, mode: 'kubelet'})
    expect(summaries[0].result).toBe('written')
  })

  it('a root or intermediate rotation refuses a CA directory others can write', async (ctx) => {
    const root = openRoot(ctx)
    const area = sharedDir(root)
    const shared = await makeCa(root, 'ca-private')
    // Move the CA into the shared area without svidkit (a user's own mistake).
    execFileSync('mv', [shared, join(area, 'ca')])
    const dir = join(root, 'svid')
    await rot({dir, ca: join(area, 'ca'), mode: 'atomic-rename', allowSharedDir: true})
    const err = await refusal(rot({dir, ca: join(area, 'ca'), mode: 'atomic-rename', kind: 'root', caOverlap: 'add'}))
    expect(err).toMatchObject({code: 'unsafe-dir', exit: 3})
  })

  for (const lite of [true, false]) {
    it(`ca init --out in a shared directory → exit 3 unsafe-dir; --insecure-allow-shared-dir writes it${lite ? '' : ' (oclif)'}`, (ctx) => {
      const root = openRoot(ctx)
      const area = sharedDir(root)
      const r = svidkit(
        ['ca', 'init', '--trust-domain', 'example.org', '--out', join(area, 'ca'), '--json'],
        root,
        lite,
      )
      expect(r.status).toBe(3)
      expect(jsonError(r)).toMatchObject({
        code: 'unsafe-dir',
        hint: expect.stringContaining('--insecure-allow-shared-dir'),
      })
      expect(existsSync(join(area, 'ca'))).toBe(false)
      const ok = svidkit(
        ['ca', 'init', '--trust-domain', 'example.org', '--out', join(area, 'ca'), '--insecure-allow-shared-dir'],
        root,
        lite,
      )
      expect(ok.status).toBe(0)
      expect(existsSync(join(area, 'ca', 'ca.json'))).toBe(true)
    })
  }

  it('rotate --insecure-allow-shared-dir rotates a shared directory (the CLI flag reaches the core)', (ctx) => {
    const root = openRoot(ctx)
    const area = sharedDir(root)
    const args = [
      'rotate',
      '--dir',
      join(area, 'svid'),
      '--ca',
      ca,
      '--mode',
      'atomic-rename',
      '--spiffe-id',
      'spiffe://example.org/web',
      '--json',
    ]
    const r = svidkit(args, root)
    expect(r.status).toBe(3)
    expect(jsonError(r).code).toBe('unsafe-dir')
    expect(svidkit([...args, '--insecure-allow-shared-dir'], root).status).toBe(0)
    expect(existsSync(join(area, 'svid', 'svid.pem'))).toBe(true)
  })
})

d('a directory is removed only while it is the one proved (device and inode re-checked)', () => {
  /** A victim directory shaped exactly like a version directory (same file names, regular files). */
  function victimLike(root: string, versionDir: string): string {
    const victim = join(root, 'victim')
    mkdirSync(victim)
    for (const f of readdirSync(versionDir)) writeFileSync(join(victim, f), `precious ${f}\n`)
    return victim
  }

  it.for(['kubelet', 'dir-symlink'] as WriterMode[])(
    '%s: the old version dir exchanged for a look-alike during --cleanup-delay is left alone',
    async (mode, ctx) => {
      const root = openRoot(ctx)
      const dir = svidDir(root, mode)
      await rot({dir, ca, mode})
      const parent = mode === 'kubelet' ? dir : dirname(dir)
      const link = mode === 'kubelet' ? join(dir, '..data') : dir
      const old = readlinkOr(link) as string
      const victim = victimLike(root, join(parent, old))
      const {events} = await rot({
        dir,
        ca,
        mode,
        knobs: {cleanupDelayMs: 50},
        hooks: {
          afterEvent: (e) => {
            if (e.step === 'rename' && (e.to === '..data' || e.to === 'current')) exchange(join(parent, old), victim)
          },
        },
      })
      expect(events.some((e) => e.step === 'error' && e.code === 'unsafe-link')).toBe(true)
      // The look-alike now sits at the old name: every file of it survived.
      for (const f of readdirSync(join(parent, old)))
        expect(readFileSync(join(parent, old, f), 'utf8')).toBe(`precious ${f}\n`)
    },
  )

  it('kubelet: the SVID directory itself exchanged during --cleanup-delay: nothing is removed in the directory now at its path', async (ctx) => {
    const root = openRoot(ctx)
    const dir = svidDir(root, 'kubelet')
    await rot({dir, ca, mode: 'kubelet'})
    const old = readlinkOr(join(dir, '..data')) as string
    // Another directory holding a look-alike of the old version dir under the same name.
    const other = join(root, 'other')
    mkdirSync(other)
    mkdirSync(join(other, old))
    for (const f of readdirSync(join(dir, old))) writeFileSync(join(other, old, f), `precious ${f}\n`)
    const {events} = await rot({
      dir,
      ca,
      mode: 'kubelet',
      knobs: {cleanupDelayMs: 50},
      hooks: {
        afterEvent: (e) => {
          if (e.step === 'rename' && e.to === '..data') exchange(dir, other)
        },
      },
    })
    expect(events.some((e) => e.step === 'error' && e.code === 'unsafe-dir')).toBe(true)
    // `dir` now names the other directory: its look-alike is intact.
    for (const f of readdirSync(join(dir, old))) expect(readFileSync(join(dir, old, f), 'utf8')).toBe(`precious ${f}\n`)
  })
})
