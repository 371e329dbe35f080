/**
 * Issue 17 item 3 (writers): a writer never writes into, or replaces, a file it did not
 * create. A visible name holding another user's file (made by uid 65534 through setpriv),
 * a hard link, a FIFO or a socket is refused in every writer mode (exit 3 `unsafe-file`)
 * before anything of the set is written. And issue 18 item 3: the spiffe-helper writer
 * makes spiffe-helper's calls (open O_TRUNC, write, close) and adds an fchmod only to
 * narrow a mode wider than the wanted one.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, linkSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {makeCa, MODES, modeOf, namesOf, refusal, rot, svidDir} from './harness.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

/** The modes whose visible names are files in --dir (dir-symlink writes only in its own version dirs). */
const FILE_MODES = MODES.filter((m) => m !== 'dir-symlink')
const canSetpriv = process.geteuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0
if (!canSetpriv)
  console.warn('[svidkit tests] unsafe-files: needs root and setpriv for a second uid: those tests skipped')

/** A per-test SVID directory of `mode` after one rotation; returns it and the name of its key file. */
async function scene(ctx: Parameters<typeof tmpDir>[0], mode: WriterMode) {
  const root = tmpDir(ctx)
  chmodSync(root, 0o755)
  const dir = svidDir(root, mode)
  await rot({dir, ca, mode})
  return {root, dir, key: namesOf(mode).key}
}

/** Replaces `path` by a file with `content` created by uid 65534 (the directory is opened to it for the create only). */
function plantForeign(dir: string, path: string, content: string): void {
  rmSync(path, {force: true})
  chmodSync(dir, 0o777)
  try {
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', 'umask 077; cat > "$1"', 'sh', path],
      {input: content},
    )
    expect(r.status).toBe(0)
  } finally {
    chmodSync(dir, 0o755)
  }
  expect(statSync(path).uid).toBe(65534)
}

describe('item 3: a visible file the writer did not create is refused in every mode (unsafe-file)', () => {
  it.skipIf(!canSetpriv).for(FILE_MODES)(
    "%s: another user's file at the key name → exit 3, not truncated or replaced",
    async (mode, ctx) => {
      const s = await scene(ctx, mode)
      const path = join(s.dir, s.key)
      plantForeign(s.dir, path, 'theirs\n')
      const ino = statSync(path).ino
      const err = await refusal(rot({dir: s.dir, ca, mode, force: mode === 'kubelet'}))
      expect(err).toMatchObject({code: 'unsafe-file', exit: 3, message: expect.stringMatching(/belongs to uid 65534/)})
      expect(readFileSync(path, 'utf8')).toBe('theirs\n')
      expect(statSync(path).ino).toBe(ino)
    },
  )

  it.for(FILE_MODES)(
    '%s: a hard link at the key name to a file outside → exit 3, the outside file unchanged',
    async (mode, ctx) => {
      const s = await scene(ctx, mode)
      const outside = join(s.root, 'outside.pem')
      writeFileSync(outside, 'outside\n', {mode: 0o600})
      rmSync(join(s.dir, s.key))
      linkSync(outside, join(s.dir, s.key))
      const err = await refusal(rot({dir: s.dir, ca, mode, force: mode === 'kubelet'}))
      expect(err).toMatchObject({code: 'unsafe-file', exit: 3, message: expect.stringMatching(/other hard link/)})
      expect(readFileSync(outside, 'utf8')).toBe('outside\n')
      expect(statSync(outside).nlink).toBe(2)
    },
  )

  it('hardlink-backup killed between `ln f f.old` and `mv f.new f`: the next rotation accepts f with its own f.old, and leaves one link', async (ctx) => {
    // The fault-injection kill test found this: the leftover second link is the writer's own backup.
    const s = await scene(ctx, 'hardlink-backup')
    const path = join(s.dir, s.key)
    rmSync(`${path}.old`, {force: true})
    linkSync(path, `${path}.old`)
    expect(statSync(path).nlink).toBe(2)
    await rot({dir: s.dir, ca, mode: 'hardlink-backup'})
    expect(statSync(path).nlink).toBe(1)
    // The same second link under any other name is still refused.
    rmSync(`${path}.old`, {force: true})
    linkSync(path, `${path}.bak`)
    const err = await refusal(rot({dir: s.dir, ca, mode: 'hardlink-backup'}))
    expect(err).toMatchObject({code: 'unsafe-file', exit: 3, message: expect.stringMatching(/other hard link/)})
  })

  it.for(FILE_MODES)('%s: a FIFO at the key name → exit 3 at once (no hang), still a FIFO', async (mode, ctx) => {
    const s = await scene(ctx, mode)
    rmSync(join(s.dir, s.key))
    execFileSync('mkfifo', [join(s.dir, s.key)])
    const err = await refusal(rot({dir: s.dir, ca, mode, force: mode === 'kubelet'}))
    expect(err).toMatchObject({code: 'unsafe-file', exit: 3, message: expect.stringMatching(/not a regular file/)})
    expect(statSync(join(s.dir, s.key)).isFIFO()).toBe(true)
  })

  it.for(FILE_MODES)('%s: a listening socket at the cert name → exit 3, the socket kept', async (mode, ctx) => {
    const s = await scene(ctx, mode)
    const path = join(s.dir, namesOf(mode).cert)
    rmSync(path)
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(path, resolve))
    try {
      const err = await refusal(rot({dir: s.dir, ca, mode, force: mode === 'kubelet'}))
      expect(err).toMatchObject({code: 'unsafe-file', exit: 3})
      expect(statSync(path).isSocket()).toBe(true)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('issue 18 item 3: spiffe-helper makes only the calls spiffe-helper makes', () => {
  const stepsOf = (events: {step: string; file?: string}[], file: string) =>
    events.filter((e) => e.file === file && e.step !== 'window').map((e) => e.step)

  it('files already at the wanted modes: open, write, close per file, no fchmod', async (ctx) => {
    const s = await scene(ctx, 'spiffe-helper')
    const {events} = await rot({dir: s.dir, ca, mode: 'spiffe-helper'})
    for (const f of ['svid.pem', 'svid_key.pem', 'svid_bundle.pem'])
      expect(stepsOf(events, f)).toEqual(['open', 'write', 'close'])
  })

  it('a narrower existing mode is kept (as spiffe-helper keeps it): no fchmod', async (ctx) => {
    const s = await scene(ctx, 'spiffe-helper')
    chmodSync(join(s.dir, 'svid.pem'), 0o600)
    const {events} = await rot({dir: s.dir, ca, mode: 'spiffe-helper'})
    expect(stepsOf(events, 'svid.pem')).toEqual(['open', 'write', 'close'])
    expect(modeOf(join(s.dir, 'svid.pem'))).toBe('0600')
  })

  it('a wider existing key mode is narrowed on the descriptor before the key bytes: open, fchmod, write, close', async (ctx) => {
    const s = await scene(ctx, 'spiffe-helper')
    chmodSync(join(s.dir, 'svid_key.pem'), 0o644)
    const modeAtWrite: string[] = []
    const {events} = await rot({
      dir: s.dir,
      ca,
      mode: 'spiffe-helper',
      hooks: {
        afterEvent: (e) =>
          void (
            e.step === 'write' &&
            e.file === 'svid_key.pem' &&
            modeAtWrite.push(modeOf(join(s.dir, 'svid_key.pem')))
          ),
      },
    })
    expect(stepsOf(events, 'svid_key.pem')).toEqual(['open', 'fchmod', 'write', 'close'])
    expect(modeAtWrite).toEqual(['0600'])
    expect(stepsOf(events, 'svid.pem')).toEqual(['open', 'write', 'close'])
  })
})
