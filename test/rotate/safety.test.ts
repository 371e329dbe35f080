/**
 * Writer safety (docs/security.md "Hostile directory contents", "Interrupted runs"): one
 * regression test per defect, each asserting the exit code, the reason code and that
 * nothing outside the SVID directory changed (a fingerprint of the neighbourhood).
 */
import {execFileSync} from 'node:child_process'
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {dirname, join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {isSvidkitError} from '../../src/core/errors.js'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {doneOf, fileSha, makeCa, modeOf, namesOf, readlinkOr, rot, svidDir, type RotOptions} from './harness.js'
import {exposedKeys, fingerprint, leftovers} from './neighbourhood.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

/** A per-test root holding the SVID dir of `mode` (made by one rotation) and a victim sibling. */
async function scene(ctx: Parameters<typeof tmpDir>[0], mode: WriterMode) {
  const root = tmpDir(ctx)
  const dir = svidDir(root, mode)
  await rot({dir, ca, mode})
  const victim = join(root, 'victim')
  mkdirSync(victim)
  writeFileSync(join(victim, 'precious.txt'), 'do not touch\n')
  writeFileSync(join(root, 'outside.pem'), 'outside\n', {mode: 0o644})
  // The SVID dir of dir-symlink is the link's parent (link + version dirs).
  const svidArea = mode === 'dir-symlink' ? dirname(dir) : dir
  return {root, dir, victim, svidArea, before: fingerprint(root, [svidArea])}
}

/** Runs a rotation expected to fail; returns the error. */
async function refused(o: Omit<RotOptions, 'ca'>): Promise<{code: string; exit: number; message: string}> {
  const err = await rot({ca, ...o}).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSvidkitError(err)) throw new Error(`expected a refusal, got ${String(err)}`)
  return err
}

describe('item 1: kubelet and dir-symlink remove only version dirs they created', () => {
  const cases: {name: string; mode: WriterMode; plant: (s: {dir: string; root: string}) => void; target: string}[] = [
    {
      name: 'kubelet ..data -> ../victim',
      mode: 'kubelet',
      plant: ({dir}) => {
        rmSync(join(dir, '..data'))
        symlinkSync('../victim', join(dir, '..data'))
      },
      target: '../victim',
    },
    {
      name: 'kubelet ..data -> ..',
      mode: 'kubelet',
      plant: ({dir}) => {
        rmSync(join(dir, '..data'))
        symlinkSync('..', join(dir, '..data'))
      },
      target: '..',
    },
    {
      name: 'kubelet ..data -> a ..timestamp name that is itself a link out',
      mode: 'kubelet',
      plant: ({dir}) => {
        rmSync(join(dir, '..data'))
        symlinkSync('../victim', join(dir, '..2020_01_01_00_00_00.1'))
        symlinkSync('..2020_01_01_00_00_00.1', join(dir, '..data'))
      },
      target: '..2020_01_01_00_00_00.1',
    },
    {
      name: 'dir-symlink current -> .',
      mode: 'dir-symlink',
      plant: ({dir}) => {
        rmSync(dir)
        symlinkSync('.', dir)
      },
      target: '.',
    },
    {
      name: 'dir-symlink current -> ../victim',
      mode: 'dir-symlink',
      plant: ({dir}) => {
        rmSync(dir)
        symlinkSync('../victim', dir)
      },
      target: '../victim',
    },
    {
      name: 'dir-symlink current -> v7, a link to the victim',
      mode: 'dir-symlink',
      plant: ({dir, root}) => {
        rmSync(dir)
        symlinkSync(join(root, 'victim'), join(dirname(dir), 'v7'))
        symlinkSync('v7', dir)
      },
      target: 'v7',
    },
  ]
  it.for(cases)('$name → exit 3 unsafe-link, nothing written or removed', async ({mode, plant, target}, ctx) => {
    const s = await scene(ctx, mode)
    plant(s)
    const inside = fingerprint(s.svidArea)
    const err = await refused({dir: s.dir, mode})
    expect(err).toMatchObject({code: 'unsafe-link', exit: 3})
    expect(err.message).toContain(`points to "${target}"`)
    expect(err.message).toContain(mode === 'kubelet' ? '..data' : 'current')
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
    // Refused before anything was written: the SVID dir is as planted.
    expect(fingerprint(s.svidArea)).toEqual(inside)
    expect(readFileSync(join(s.victim, 'precious.txt'), 'utf8')).toBe('do not touch\n')
  })

  it('--cleanup-delay re-checks at removal time: a version dir swapped for a link meanwhile is left alone', async (ctx) => {
    const s = await scene(ctx, 'kubelet')
    const old = readlinkOr(join(s.dir, '..data')) as string
    const {events} = await rot({
      dir: s.dir,
      ca,
      mode: 'kubelet',
      knobs: {cleanupDelayMs: 50},
      hooks: {
        afterEvent: (e) => {
          // Right after the swap, replace the old version dir with a link to the victim.
          if (e.step === 'rename' && e.to === '..data') {
            rmSync(join(s.dir, old), {recursive: true})
            symlinkSync('../victim', join(s.dir, old))
          }
        },
      },
    })
    expect(events.some((e) => e.step === 'error' && e.code === 'unsafe-link')).toBe(true)
    expect(readlinkOr(join(s.dir, old))).toBe('../victim')
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
  })
})

describe('item 2: in-place and backup writers never write through a planted link or keep a planted mode', () => {
  it('spiffe-helper: a symlink at svid_key.pem to a file outside → exit 3 unsafe-link naming link and target', async (ctx) => {
    const s = await scene(ctx, 'spiffe-helper')
    rmSync(join(s.dir, 'svid_key.pem'))
    symlinkSync('../outside.pem', join(s.dir, 'svid_key.pem'))
    const err = await refused({dir: s.dir, mode: 'spiffe-helper'})
    expect(err).toMatchObject({code: 'unsafe-link', exit: 3})
    expect(err.message).toMatch(/svid_key\.pem": it is a symlink to "\.\.\/outside\.pem"/)
    expect(readFileSync(join(s.root, 'outside.pem'), 'utf8')).toBe('outside\n')
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
  })

  it('spiffe-helper: a hard link at svid_key.pem to a file outside → refused before the truncation', async (ctx) => {
    const s = await scene(ctx, 'spiffe-helper')
    rmSync(join(s.dir, 'svid_key.pem'))
    linkSync(join(s.root, 'outside.pem'), join(s.dir, 'svid_key.pem'))
    const before = fingerprint(s.root, [s.svidArea])
    const err = await refused({dir: s.dir, mode: 'spiffe-helper'})
    expect(err).toMatchObject({code: 'unsafe-file', exit: 3, message: expect.stringMatching(/other hard link/)})
    expect(readFileSync(join(s.root, 'outside.pem'), 'utf8')).toBe('outside\n')
    expect(fingerprint(s.root, [s.svidArea])).toEqual(before)
  })

  it('spiffe-helper: a FIFO at svid.pem is refused, not opened (no hang)', async (ctx) => {
    const s = await scene(ctx, 'spiffe-helper')
    rmSync(join(s.dir, 'svid.pem'))
    execFileSync('mkfifo', [join(s.dir, 'svid.pem')])
    const err = await refused({dir: s.dir, mode: 'spiffe-helper', spiffeId: 'spiffe://example.org/web'})
    expect(err).toMatchObject({code: 'unsafe-file', exit: 3, message: expect.stringMatching(/not a regular file/)})
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
  })

  it('spiffe-helper: planted 0666 files are 0600/0644 before the new bytes land', async (ctx) => {
    const s = await scene(ctx, 'spiffe-helper')
    for (const n of ['svid.pem', 'svid_key.pem', 'svid_bundle.pem']) chmodSync(join(s.dir, n), 0o666)
    const modes: string[] = []
    await rot({
      dir: s.dir,
      ca,
      mode: 'spiffe-helper',
      hooks: {
        afterEvent: (e) =>
          void (e.step === 'write' && e.file === 'svid_key.pem' && modes.push(modeOf(join(s.dir, 'svid_key.pem')))),
      },
    })
    expect(modes).toEqual(['0600'])
    expect(modeOf(join(s.dir, 'svid.pem'))).toBe('0644')
    expect(exposedKeys(s.dir)).toEqual([])
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
  })

  it('hardlink-backup: a planted svid_key.pem.new link to outside and a 0666 svid.pem.new are unlinked, never followed or kept', async (ctx) => {
    const s = await scene(ctx, 'hardlink-backup')
    symlinkSync('../outside.pem', join(s.dir, 'svid_key.pem.new'))
    writeFileSync(join(s.dir, 'svid.pem.new'), 'planted\n', {mode: 0o666})
    chmodSync(join(s.dir, 'svid.pem.new'), 0o666)
    const {events} = await rot({dir: s.dir, ca, mode: 'hardlink-backup'})
    expect(doneOf(events).sha256?.key).toBe(fileSha(join(s.dir, 'svid_key.pem')))
    expect(readFileSync(join(s.root, 'outside.pem'), 'utf8')).toBe('outside\n')
    expect(modeOf(join(s.dir, 'svid_key.pem'))).toBe('0600')
    expect(modeOf(join(s.dir, 'svid.pem'))).toBe('0644')
    expect(leftovers(s.dir)).toEqual([])
    expect(exposedKeys(s.dir)).toEqual([])
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
  })
})

describe('item 9: crash leftovers are recovered without --force', () => {
  it('dir-symlink: a leftover current.tmp and an orphan version dir', async (ctx) => {
    const s = await scene(ctx, 'dir-symlink')
    const parent = dirname(s.dir)
    const cur = readlinkOr(s.dir) as string
    execFileSync('cp', ['-a', join(parent, cur), join(parent, 'v9')])
    symlinkSync('v9', join(parent, 'current.tmp'))
    const {events} = await rot({dir: s.dir, ca, mode: 'dir-symlink'})
    expect(events.filter((e) => e.step === 'recover').map((e) => e.file)).toEqual(['current.tmp', 'v9'])
    expect(readdirSync(parent).sort()).toEqual(['current', 'v2'])
    expect(leftovers(parent)).toEqual([])
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
  })

  it('kubelet: a leftover ..data_tmp and an orphan ..timestamp dir', async (ctx) => {
    const s = await scene(ctx, 'kubelet')
    const cur = readlinkOr(join(s.dir, '..data')) as string
    execFileSync('cp', ['-a', join(s.dir, cur), join(s.dir, '..2020_01_01_00_00_00.7')])
    symlinkSync('..2020_01_01_00_00_00.7', join(s.dir, '..data_tmp'))
    const {events} = await rot({dir: s.dir, ca, mode: 'kubelet'})
    expect(events.filter((e) => e.step === 'recover').map((e) => e.file)).toEqual([
      '..data_tmp',
      '..2020_01_01_00_00_00.7',
    ])
    expect(readdirSync(s.dir).filter((e) => e.startsWith('..')).length).toBe(2) // ..data and one version dir
    expect(leftovers(s.dir)).toEqual([])
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
  })

  it('atomic-rename: temporaries of a crashed run are removed', async (ctx) => {
    const s = await scene(ctx, 'atomic-rename')
    writeFileSync(join(s.dir, '.svid_key.pem.tmpdeadbeef'), 'half a key', {mode: 0o600})
    const {events} = await rot({dir: s.dir, ca, mode: 'atomic-rename'})
    expect(events.filter((e) => e.step === 'recover').map((e) => e.file)).toEqual(['.svid_key.pem.tmpdeadbeef'])
    expect(leftovers(s.dir)).toEqual([])
  })

  it('kubelet: a ..data_tmp that is not a link the writer left is refused, not removed (exit 3)', async (ctx) => {
    const s = await scene(ctx, 'kubelet')
    mkdirSync(join(s.dir, '..data_tmp'))
    const err = await refused({dir: s.dir, mode: 'kubelet'})
    expect(err).toMatchObject({code: 'unsafe-link', exit: 3})
    expect(existsSync(join(s.dir, '..data_tmp'))).toBe(true)
    expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
  })
})

describe('item 11: a failed write exits 3 with the path and the OS reason, and leaves no temporary', () => {
  it.for(['atomic-rename', 'hardlink-backup', 'spiffe-helper', 'unlink-create'] as WriterMode[])(
    '%s: the key name is a directory',
    async (mode, ctx) => {
      const s = await scene(ctx, mode)
      rmSync(join(s.dir, 'svid_key.pem'))
      mkdirSync(join(s.dir, 'svid_key.pem'))
      writeFileSync(join(s.dir, 'svid_key.pem', 'x'), 'x')
      const err = await refused({dir: s.dir, mode})
      expect(err.exit).toBe(3)
      expect(['output-not-writable', 'unsafe-link', 'unsafe-file']).toContain(err.code)
      expect(err.message).toContain('svid_key.pem')
      if (err.code === 'output-not-writable') expect(err.message).toMatch(/\((EISDIR|ENOTEMPTY|EEXIST|EPERM)\)$/)
      expect(leftovers(s.dir)).toEqual([])
      expect(fingerprint(s.root, [s.svidArea])).toEqual(s.before)
    },
  )

  it('kubelet: a failure after the version dir was made removes it (no leaked version dirs)', async (ctx) => {
    const s = await scene(ctx, 'kubelet')
    const names = namesOf('kubelet')
    const versionsBefore = readdirSync(s.dir).filter((e) => /^\.\.\d/.test(e))
    // A visible name that is a directory makes step 6 fail after the swap... so plant the failure before it: ..data_tmp's slot.
    const err = await rot({
      dir: s.dir,
      ca,
      mode: 'kubelet',
      hooks: {
        afterEvent: (e) => {
          if (e.step === 'close' && e.file === names.key) mkdirSync(join(s.dir, '..data_tmp'))
        },
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toMatchObject({code: 'output-not-writable', exit: 3})
    expect(readdirSync(s.dir).filter((e) => /^\.\.\d/.test(e))).toEqual(versionsBefore)
    rmSync(join(s.dir, '..data_tmp'), {recursive: true})
    expect(leftovers(s.dir)).toEqual([])
  })
})
