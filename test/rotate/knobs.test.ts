/**
 * rotation.md §1.1–§1.3: every knob changes the op log and the disk the way the doc says
 * (order, pauses, chunking, absence, version dirs, held fds, bundle delay, bundle-only,
 * intermediates in the bundle, fail/pause, signals, file modes), the CA rotation kinds
 * (intermediate, root add → leaf → drop-old, root none) and the layout refusals.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {loadAuthority} from '../../src/core/ca/store.js'
import {isSvidkitError} from '../../src/core/errors.js'
import type {RotateEvent} from '../../src/core/rotate/events.js'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {readCertificates} from '../../src/core/x509/read.js'
import {keyMatches, readPrivateKey} from '../../src/core/x509/keys.js'
import {readSet, validateSet} from '../../src/core/watch/material.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {MODES, delay, doneOf, fileSha, makeCa, modeOf, namesOf, rot, statOr, svidDir, until} from './harness.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

let seq = 0
/** Returns a fresh --dir for a mode (dir-symlink: a fresh parent with the link inside). */
function fresh(mode: WriterMode): string {
  return svidDir(base(), mode, `-${++seq}`)
}

/** Returns the events of rotation `n` with the given step. */
function steps(events: RotateEvent[], step: string, n = 2): RotateEvent[] {
  return events.filter((e) => e.rotation === n && e.step === step)
}

/** Returns the one event of rotation `n` matching. */
function one(events: RotateEvent[], pred: (e: RotateEvent) => boolean, n = 2): RotateEvent {
  const found = events.filter((e) => e.rotation === n && pred(e))
  expect(found, 'exactly one matching event').toHaveLength(1)
  return found[0]
}

// libuv's timers run off a millisecond loop clock, so a timer can fire up to 1 ms before
// its nominal delay as measured by CLOCK_MONOTONIC (the `t` of the log).
const TIMER_SLACK = 1

function certsIn(path: string) {
  return readCertificates(readFileSync(path), path)
}

describe('write order and pacing', () => {
  it('--order key,cert,bundle writes the key first and opens key-mismatch at the key', async () => {
    for (const mode of ['spiffe-helper', 'atomic-rename', 'kubelet'] as WriterMode[]) {
      const {events} = await rot({dir: fresh(mode), ca, mode, count: 2, knobs: {order: ['key', 'cert', 'bundle']}})
      const names = namesOf(mode)
      const opened = steps(events, 'open').map((e) => e.file?.replace(/^\.(.*)\.tmp[0-9a-f]{8}$/, '$1'))
      expect(opened, mode).toEqual([names.key, names.cert, names.bundle])
      if (mode !== 'kubelet') {
        const r2 = events.filter((e) => e.rotation === 2)
        const firstPublish = r2.findIndex((e) => (mode === 'spiffe-helper' ? e.step === 'close' : e.step === 'rename'))
        expect(r2[firstPublish].file).toMatch(/key/)
        const opens = r2.findIndex((e) => e.step === 'window' && e.window === 'key-mismatch' && e.state === 'open')
        expect(opens).toBeGreaterThan(firstPublish)
      }
    }
    // The default is cert,key,bundle.
    const {events} = await rot({dir: fresh('spiffe-helper'), ca, mode: 'spiffe-helper', count: 2})
    expect(steps(events, 'open').map((e) => e.file)).toEqual(['svid.pem', 'svid_key.pem', 'svid_bundle.pem'])
  })

  it('--gap shows as a pause between finishing one file and starting the next', async () => {
    const gap = 40
    for (const mode of ['atomic-rename', 'spiffe-helper', 'hardlink-backup'] as WriterMode[]) {
      const {events} = await rot({dir: fresh(mode), ca, mode, count: 2, knobs: {gapMs: gap}})
      const r2 = events.filter((e) => e.rotation === 2 && e.step !== 'window')
      // The last op of each file (close or rename) to the first op of the next.
      const ends = r2.filter((e) => (mode === 'spiffe-helper' ? e.step === 'close' : e.step === 'rename'))
      expect(ends).toHaveLength(3)
      for (const end of ends.slice(0, 2)) {
        const next = r2[r2.indexOf(end) + 1]
        expect(next.t - end.t, `${mode}: after ${end.file}`).toBeGreaterThanOrEqual(gap - TIMER_SLACK)
      }
      // Within a file there is no such pause (no upper bound asserted, just the placement).
      expect(r2.at(-1)?.step).toBe('done')
    }
  })

  it('--truncate-hold leaves the file at 0 bytes between open(O_TRUNC) and the first write', async () => {
    const hold = 60
    const sizes: number[] = []
    const dir = fresh('spiffe-helper')
    const {events} = await rot({
      dir,
      ca,
      mode: 'spiffe-helper',
      count: 2,
      knobs: {truncateHoldMs: hold},
      hooks: {
        afterEvent: (e) => {
          // Sample the file from a timer that fires inside the hold.
          if (e.rotation === 2 && e.step === 'open')
            setTimeout(() => sizes.push(statOr(join(dir, e.file!))?.size ?? -1), 20)
        },
      },
    })
    expect(sizes).toEqual([0, 0, 0])
    for (const open of steps(events, 'open')) {
      const write = one(events, (e) => e.step === 'write' && e.file === open.file)
      expect(write.t - open.t, open.file).toBeGreaterThanOrEqual(hold - TIMER_SLACK)
    }
    const torn = doneOf(events, 2).windows?.filter((w) => w.window === 'torn') ?? []
    expect(torn.map((w) => w.file)).toEqual(['svid.pem', 'svid_key.pem', 'svid_bundle.pem'])
    for (const w of torn) expect(w.ms).toBeGreaterThanOrEqual(hold - TIMER_SLACK)
  })

  it('--chunk-bytes 64 makes several writes to the visible name; temp-file writers refuse it', async () => {
    for (const mode of ['spiffe-helper', 'unlink-create', 'move-away'] as WriterMode[]) {
      const dir = fresh(mode)
      const {events} = await rot({dir, ca, mode, count: 2, knobs: {chunkBytes: 64, chunkDelayMs: 3}})
      for (const name of ['svid.pem', 'svid_key.pem', 'svid_bundle.pem']) {
        const writes = steps(events, 'write').filter((e) => e.file === name)
        const size = readFileSync(join(dir, name)).length
        expect(writes.length, `${mode} ${name}`).toBe(Math.ceil(size / 64))
        expect(writes.every((w) => (w.bytes ?? 0) <= 64 && (w.bytes ?? 0) > 0)).toBe(true)
        expect(writes.map((w) => w.offset)).toEqual(writes.map((_, i) => i * 64))
        expect(writes.reduce((s, w) => s + (w.bytes ?? 0), 0)).toBe(size)
        for (let i = 1; i < writes.length; i++)
          expect(writes[i].t - writes[i - 1].t).toBeGreaterThanOrEqual(3 - TIMER_SLACK)
      }
    }
    // Temp-file writers never write a visible name in pieces: the knob is refused, not ignored.
    for (const mode of ['atomic-rename', 'kubelet', 'dir-symlink', 'hardlink-backup'] as WriterMode[]) {
      await expect(rot({dir: fresh(mode), ca, mode, count: 2, knobs: {chunkBytes: 64}}), mode).rejects.toMatchObject({
        code: 'usage',
        message: `--chunk-bytes does not apply to --mode ${mode}`,
      })
    }
  })

  it('--absent-for keeps the name absent that long (unlink-create, move-away)', async () => {
    const absentFor = 50
    for (const mode of ['unlink-create', 'move-away'] as WriterMode[]) {
      const dir = fresh(mode)
      const seen: (boolean | undefined)[] = []
      const {events} = await rot({
        dir,
        ca,
        mode,
        count: 2,
        knobs: {absentForMs: absentFor},
        hooks: {
          afterEvent: (e) => {
            if (e.rotation === 2 && e.step === 'window' && e.window === 'absent' && e.state === 'open')
              setTimeout(() => seen.push(existsSync(join(dir, e.file!))), 15)
          },
        },
      })
      expect(seen, mode).toEqual([false, false, false])
      for (const name of ['svid.pem', 'svid_key.pem', 'svid_bundle.pem']) {
        const gone = one(events, (e) =>
          mode === 'unlink-create' ? e.step === 'unlink' && e.file === name : e.step === 'rename' && e.from === name,
        )
        const back = one(events, (e) => e.step === 'open' && e.file === name)
        expect(back.t - gone.t, `${mode} ${name}`).toBeGreaterThanOrEqual(absentFor - TIMER_SLACK)
      }
      const absent = doneOf(events, 2).windows?.filter((w) => w.window === 'absent') ?? []
      expect(absent).toHaveLength(3)
      for (const w of absent) expect(w.ms).toBeGreaterThanOrEqual(absentFor - TIMER_SLACK)
    }
  })

  it('--bundle-delay writes the bundle that long after cert and key', async () => {
    const bundleDelay = 50
    for (const mode of ['atomic-rename', 'spiffe-helper'] as WriterMode[]) {
      const {events} = await rot({dir: fresh(mode), ca, mode, count: 2, knobs: {bundleDelayMs: bundleDelay}})
      const r2 = events.filter((e) => e.rotation === 2 && e.step !== 'window')
      const bundleOpen = r2.findIndex((e) => e.step === 'open' && /bundle/.test(e.file ?? ''))
      expect(r2[bundleOpen].t - r2[bundleOpen - 1].t, mode).toBeGreaterThanOrEqual(bundleDelay - TIMER_SLACK)
      expect(r2[bundleOpen - 1].file).toMatch(/key/)
    }
  })
})

describe('version dirs, held fds, bundle-only, intermediates in the bundle', () => {
  it('--keep-old-dirs keeps the previous ..timestamp dir (kubelet) and v<n> (dir-symlink)', async () => {
    const k = fresh('kubelet')
    const kr = await rot({dir: k, ca, mode: 'kubelet', count: 2, knobs: {keepOldDirs: true}})
    const tsDirs = readdirSync(k).filter((n) => /^\.\.\d{4}_/.test(n))
    expect(tsDirs.sort()).toEqual(
      kr.events
        .filter((e) => e.step === 'mkdir')
        .map((e) => e.file)
        .sort(),
    )
    expect(kr.events.some((e) => e.step === 'rm')).toBe(false)
    const d = fresh('dir-symlink')
    const dr = await rot({dir: d, ca, mode: 'dir-symlink', count: 2, knobs: {keepOldDirs: true}})
    expect(readdirSync(join(d, '..')).sort()).toEqual(['current', 'v1', 'v2'])
    expect(dr.events.some((e) => e.step === 'rm')).toBe(false)
  })

  it('--cleanup-delay removes the previous version dir that long after the swap', async () => {
    const cleanup = 80
    for (const mode of ['kubelet', 'dir-symlink'] as WriterMode[]) {
      const dir = fresh(mode)
      const parent = mode === 'kubelet' ? dir : join(dir, '..')
      let oldAtDone: boolean | undefined
      let old: string | undefined
      const {events} = await rot({
        dir,
        ca,
        mode,
        count: 2,
        knobs: {cleanupDelayMs: cleanup},
        hooks: {
          afterEvent: (e) => {
            if (e.rotation === 2 && e.step === 'readlink') old = e.target
            if (e.rotation === 2 && e.step === 'done') oldAtDone = existsSync(join(parent, old!))
          },
        },
      })
      expect(oldAtDone, `${mode}: ${old} still there when the rotation is done`).toBe(true)
      const rename = one(events, (e) => e.step === 'rename')
      const rm = one(events, (e) => e.step === 'rm')
      expect(rm.file).toBe(old)
      expect(rm.t - rename.t).toBeGreaterThanOrEqual(cleanup - TIMER_SLACK)
      expect(events.indexOf(rm)).toBeGreaterThan(events.indexOf(doneOf(events, 2)))
      // rotate() returns after the delayed cleanups.
      expect(existsSync(join(parent, old!))).toBe(false)
    }
  })

  it('--hold-old-fd opens each old file before replacing it and releases it that long after', async () => {
    const hold = 60
    for (const mode of [
      'atomic-rename',
      'unlink-create',
      'move-away',
      'hardlink-backup',
      'kubelet',
      'dir-symlink',
    ] as WriterMode[]) {
      const dir = fresh(mode)
      const names = namesOf(mode)
      const inos: Record<string, number | undefined> = {}
      const {events} = await rot({
        dir,
        ca,
        mode,
        count: 2,
        knobs: {holdOldFdMs: hold},
        hooks: {
          afterEvent: (e) => {
            if (e.rotation === 1 && e.step === 'done')
              for (const n of [names.cert, names.key, names.bundle]) inos[n] = statOr(join(dir, n))?.ino
          },
        },
      })
      const holds = steps(events, 'hold-fd')
      expect(holds.map((e) => e.file).sort(), mode).toEqual([names.cert, names.key, names.bundle].sort())
      for (const h of holds) {
        expect(h.ino, `${mode} holds the old inode of ${h.file}`).toBe(inos[h.file!])
        const release = one(events, (e) => e.step === 'release-fd' && e.file === h.file)
        expect(release.t - h.t).toBeGreaterThanOrEqual(hold - TIMER_SLACK)
        // The fd is taken before the name is replaced.
        const replaced = events.findIndex(
          (e) =>
            e.rotation === 2 &&
            (e.step === 'rename' || e.step === 'unlink') &&
            (e.file === h.file || e.from === h.file || e.file === '..data' || e.file === 'current'),
        )
        expect(events.indexOf(h)).toBeLessThan(replaced)
      }
    }
    // spiffe-helper rewrites in place: nothing to hold (rotation.md §1.1 "all but spiffe-helper").
    const {events} = await rot({
      dir: fresh('spiffe-helper'),
      ca,
      mode: 'spiffe-helper',
      count: 2,
      knobs: {holdOldFdMs: hold},
    })
    expect(events.filter((e) => e.step === 'hold-fd' || e.step === 'release-fd')).toEqual([])
  })

  it('--bundle-only: spiffe-helper rewrites cert and key with the same bytes (R16); atomic-rename leaves them untouched', async () => {
    for (const mode of ['spiffe-helper', 'atomic-rename'] as WriterMode[]) {
      const dir = fresh(mode)
      const first = await rot({dir, ca, mode})
      const before = doneOf(first.events)
      const inodes = ['svid.pem', 'svid_key.pem'].map((f) => statSync(join(dir, f)).ino)
      const {events, summaries} = await rot({dir, ca, mode, bundleOnly: true})
      const done = doneOf(events)
      expect(done.sha256, mode).toEqual(before.sha256)
      expect(done.serial).toBe(before.serial)
      expect(summaries[0].serial).toBe(before.serial)
      // spiffe-helper rewrites all three in place (a torn window on unchanged C/K); a bundle delivered
      // on its own (ConfigMap, ClusterTrustBundle) leaves the cert and key files alone (issue 18).
      const opened = steps(events, 'open', 1).map((e) => e.file?.replace(/^\.(.*)\.tmp[0-9a-f]{8}$/, '$1'))
      expect(opened).toEqual(
        mode === 'spiffe-helper' ? ['svid.pem', 'svid_key.pem', 'svid_bundle.pem'] : ['svid_bundle.pem'],
      )
      if (mode === 'atomic-rename')
        expect(['svid.pem', 'svid_key.pem'].map((f) => statSync(join(dir, f)).ino)).toEqual(inodes)
      if (mode === 'spiffe-helper') expect(done.windows?.map((w) => w.window)).toEqual(['torn', 'torn', 'torn'])
      // C and K do not change together, so no key-mismatch window.
      expect(events.some((e) => e.window === 'key-mismatch')).toBe(false)
    }
  })

  it('--intermediates-in-bundle: cert file = leaf only, bundle = roots + intermediates', async () => {
    const dir = fresh('atomic-rename')
    await rot({dir, ca, mode: 'atomic-rename', intermediatesInBundle: true, count: 2})
    const chain = certsIn(join(dir, 'svid.pem'))
    const bundle = certsIn(join(dir, 'svid_bundle.pem'))
    expect(chain).toHaveLength(1)
    expect(bundle.map((c) => c.basicConstraints?.ca)).toEqual([true, true])
    const a = loadAuthority(ca)
    expect(bundle.map((c) => c.serial)).toEqual([a.roots[0].cert.serial, a.intermediates[0].cert.serial])
    expect(chain[0].node.checkIssued(bundle[1].node)).toBe(true)
    // Still a consistent set for a reader that uses the bundle's intermediates.
    validateSet(await readSet(dir, namesOf('atomic-rename')), {at: new Date()})
  })
})

describe('failing, pausing and signalling', () => {
  it('--fail-after svid.pem: later files stay old, no done, no signal (R18)', async () => {
    const child = await signalChild('SIGHUP')
    try {
      for (const mode of [
        'spiffe-helper',
        'atomic-rename',
        'unlink-create',
        'hardlink-backup',
        'move-away',
      ] as WriterMode[]) {
        const dir = fresh(mode)
        const first = await rot({dir, ca, mode})
        const old = doneOf(first.events).sha256!
        const {events, summaries} = await rot({
          dir,
          ca,
          mode,
          knobs: {failAfter: 'svid.pem'},
          signal: {signal: 'SIGHUP', pid: child.pid},
        })
        expect(summaries[0].result, mode).toBe('aborted')
        expect(events.some((e) => e.step === 'done' || e.step === 'signal')).toBe(false)
        expect(events.filter((e) => e.step === 'error').map((e) => e.code)).toEqual(['fail-after'])
        expect(fileSha(join(dir, 'svid.pem'))).not.toBe(old.cert)
        expect(fileSha(join(dir, 'svid_key.pem'))).toBe(old.key)
        expect(fileSha(join(dir, 'svid_bundle.pem'))).toBe(old.bundle)
        // New cert + old key: the partial set a validating reader must reject.
        const cert = certsIn(join(dir, 'svid.pem'))[0]
        const key = readPrivateKey(readFileSync(join(dir, 'svid_key.pem')), 'key').keyObject
        expect(keyMatches(key, cert.node)).toBe(false)
        // The key-mismatch window stays open: the set was abandoned half-way.
        expect(events.filter((e) => e.window === 'key-mismatch').map((e) => e.state)).toEqual(['open'])
      }
      // kubelet and dir-symlink abort before their only publish point: readers see nothing new.
      for (const mode of ['kubelet', 'dir-symlink'] as WriterMode[]) {
        const dir = fresh(mode)
        const names = namesOf(mode)
        const old = doneOf((await rot({dir, ca, mode})).events).sha256!
        const {events, summaries} = await rot({
          dir,
          ca,
          mode,
          knobs: {failAfter: names.cert},
          signal: {signal: 'SIGHUP', pid: child.pid},
        })
        expect(summaries[0].result, mode).toBe('aborted')
        expect(events.some((e) => e.step === 'rename' || e.step === 'done' || e.step === 'signal')).toBe(false)
        expect(fileSha(join(dir, names.cert))).toBe(old.cert)
        expect(fileSha(join(dir, names.key))).toBe(old.key)
      }
      await delay(50)
      expect(child.received, 'no signal after an aborted set').toEqual([])
    } finally {
      child.proc.kill('SIGKILL')
    }
  })

  it('--pause-after svid.pem:rename holds the directory half-rotated until resumed', async () => {
    const dir = fresh('atomic-rename')
    const old = doneOf((await rot({dir, ca, mode: 'atomic-rename'})).events).sha256!
    let resume!: () => void
    let paused!: () => void
    const pausedP = new Promise<void>((r) => (paused = r))
    const run = rot({
      dir,
      ca,
      mode: 'atomic-rename',
      knobs: {pauseAfter: {file: 'svid.pem', step: 'rename'}},
      hooks: {waitForResume: () => new Promise<void>((r) => (resume = r))},
      sink: (e) => {
        if (e.step === 'pause') paused()
      },
    })
    await pausedP
    // Paused: new cert, old key and bundle, for as long as the test likes.
    await delay(50)
    expect(fileSha(join(dir, 'svid.pem'))).not.toBe(old.cert)
    expect(fileSha(join(dir, 'svid_key.pem'))).toBe(old.key)
    const cert = certsIn(join(dir, 'svid.pem'))[0]
    expect(keyMatches(readPrivateKey(readFileSync(join(dir, 'svid_key.pem')), 'key').keyObject, cert.node)).toBe(false)
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([])
    resume()
    const {events} = await run
    const seq2 = events.map((e) => e.step)
    const at = seq2.indexOf('pause')
    expect(seq2.slice(at - 1, at + 3)).toEqual(['rename', 'pause', 'resume', 'window'])
    expect(events[at].file).toBe('svid.pem')
    const done = doneOf(events)
    expect(fileSha(join(dir, 'svid_key.pem'))).toBe(done.sha256?.key)
  })

  it('--signal with a pid file arrives after the whole set is written; the pid file is re-read each rotation', async () => {
    const INTERVAL_MS = 300
    const dir = fresh('spiffe-helper')
    await rot({dir, ca, mode: 'spiffe-helper'})
    const a = await signalChild('SIGHUP', dir)
    const b = await signalChild('SIGHUP', dir)
    const pidFile = join(base(), 'app.pid')
    writeFileSync(pidFile, `${a.pid}\n`)
    try {
      const {events} = await rot({
        dir,
        ca,
        mode: 'spiffe-helper',
        count: 2,
        intervalMs: INTERVAL_MS,
        knobs: {gapMs: 10},
        signal: {signal: 'SIGHUP', pidFile},
        hooks: {
          afterEvent: (e) => {
            if (e.rotation === 1 && e.step === 'done') writeFileSync(pidFile, `${b.pid}\n`)
          },
        },
      })
      for (const [n, child] of [
        [1, a],
        [2, b],
      ] as const) {
        const r = events.filter((e) => e.rotation === n)
        const sig = r.findIndex((e) => e.step === 'signal')
        expect(r[sig].pid).toBe(child.pid)
        expect(r[sig].signal).toBe('SIGHUP')
        // After the last op of the set, right before done.
        expect(r.slice(sig + 1).map((e) => e.step)).toEqual(['done'])
        const lastOp = r
          .slice(0, sig)
          .filter((e) => e.step !== 'window')
          .at(-1)!
        expect(lastOp).toMatchObject({step: 'close', file: 'svid_bundle.pem'})
        await until(() => child.received.length > 0, 5000, `rotation ${n}'s signal`)
        expect(child.received).toHaveLength(1)
        // The receiver's handler ran after the last write (same CLOCK_MONOTONIC in both processes).
        const [at, hashes, readEnd] = child.received[0].split(' ')
        expect(Number(at)).toBeGreaterThan(lastOp.t)
        // It reads the directory on the signal: it sees exactly this rotation's set, unless
        // its read ended after the next rotation had started (the writer does not wait).
        // An event is stamped after its operation, so the next rotation's first event is no
        // bound (its open has already truncated svid.pem): the bound is this rotation's done
        // plus the interval the writer sleeps before the next one.
        const done = doneOf(events, n)
        const nextMayStart = done.t + INTERVAL_MS - TIMER_SLACK
        if (n === 2 || Number(readEnd) < nextMayStart)
          expect(hashes).toBe(`${done.sha256?.cert}/${done.sha256?.key}/${done.sha256?.bundle}`)
      }
    } finally {
      a.proc.kill('SIGKILL')
      b.proc.kill('SIGKILL')
    }
  })

  it('--signal retries with backoff from 100 ms when the pid file went missing, then fails the command once (exit 3)', async () => {
    const dir = fresh('atomic-rename')
    const events: RotateEvent[] = []
    // The pid file must be valid when the command starts (checked before anything is written); it goes during the rotation.
    const pidFile = join(base(), 'missing.pid')
    writeFileSync(pidFile, '4194304\n')
    const err = await rot({
      dir,
      ca,
      mode: 'atomic-rename',
      signal: {signal: 'SIGHUP', pidFile},
      sink: (e) => events.push(e),
      hooks: {afterEvent: () => rmSync(pidFile, {force: true})},
    }).catch((e: unknown) => e)
    expect(isSvidkitError(err) && err.exit).toBe(3)
    expect(err).toMatchObject({
      code: 'signal-failed',
      message: expect.stringMatching(/^cannot send SIGHUP: cannot read pid file ".*missing\.pid": ENOENT/),
    })
    const retries = events.filter((e) => e.step === 'error' && e.code === 'signal-retry')
    expect(retries).toHaveLength(4)
    for (const [i, wait] of [100, 200, 400].entries())
      expect(retries[i + 1].t - retries[i].t).toBeGreaterThanOrEqual(wait - TIMER_SLACK)
    expect(events.filter((e) => e.code === 'signal-failed')).toHaveLength(1)
    // The set itself was written and reported before the command failed.
    expect(doneOf(events).sha256?.key).toBe(fileSha(join(dir, 'svid_key.pem')))
  })

  it('--signal to a pid that does not exist fails at once, with one message (exit 3)', async () => {
    const dir = fresh('atomic-rename')
    const events: RotateEvent[] = []
    // 4194304 (2^22) is a valid pid number that never exists: Linux pids are below pid_max, at most 2^22.
    const err = await rot({
      dir,
      ca,
      mode: 'atomic-rename',
      signal: {signal: 'SIGHUP', pid: 4_194_304},
      sink: (e) => events.push(e),
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'signal-failed',
      exit: 3,
      message: 'cannot send SIGHUP to pid 4194304: no such process (ESRCH)',
    })
    expect(events.filter((e) => e.step === 'error').map((e) => e.code)).toEqual(['signal-failed'])
  })
})

describe('file modes (R18)', () => {
  it('the key stays 0600 in every mode; --cert-mode applies to cert and bundle', async () => {
    // The umask must not strip bits of 0640 for this check to mean anything.
    expect(process.umask() & 0o640).toBe(0)
    for (const mode of MODES) {
      const dir = fresh(mode)
      const names = namesOf(mode)
      await rot({dir, ca, mode, count: 2, knobs: {certMode: 0o640, keyMode: 0o600}})
      expect(modeOf(join(dir, names.key)), mode).toBe('0600')
      expect(modeOf(join(dir, names.cert)), mode).toBe(mode === 'credential-bundle' ? '0600' : '0640')
      expect(modeOf(join(dir, names.bundle)), mode).toBe('0640')
    }
  })

  it('spiffe-helper brings a planted 0666 key to 0600 on the descriptor before writing the key bytes', async () => {
    const dir = fresh('spiffe-helper')
    await rot({dir, ca, mode: 'spiffe-helper'})
    chmodSync(join(dir, 'svid_key.pem'), 0o666)
    chmodSync(join(dir, 'svid.pem'), 0o666)
    const {events, summaries} = await rot({dir, ca, mode: 'spiffe-helper', knobs: {keyMode: 0o600}})
    expect(modeOf(join(dir, 'svid_key.pem'))).toBe('0600')
    expect(modeOf(join(dir, 'svid.pem'))).toBe('0644')
    const key = events
      .filter((e) => e.file === 'svid_key.pem' && e.rotation === 1 && e.step !== 'window')
      .map((e) => `${e.step}${e.perm ? ` ${e.perm}` : ''}`)
    expect(key.slice(0, 3)).toEqual(['open 0600', 'fchmod 0600', 'write'])
    expect(summaries[0].warnings).toEqual([])
  })

  it('a --key-mode readable by group or others is refused (exit 2)', async () => {
    for (const keyMode of [0o640, 0o604, 0o644]) {
      await expect(
        rot({dir: fresh('atomic-rename'), ca, mode: 'atomic-rename', knobs: {keyMode}}),
      ).rejects.toMatchObject({code: 'usage', exit: 2})
    }
  })
})

describe('CA rotation kinds (rotation.md §1.2)', () => {
  it('intermediate, then root add → leaf → drop-old, then root none', async (ctx) => {
    const dir0 = tmpDir(ctx)
    const kca = await makeCa(dir0, 'kinds-ca')
    const dir = join(dir0, 'svid')
    const names = namesOf('atomic-rename')
    const meta = () => JSON.parse(readFileSync(join(kca, 'ca.json'), 'utf8'))
    const jwksSeq = () => JSON.parse(readFileSync(join(kca, 'bundle.spiffe.json'), 'utf8')).spiffe_sequence
    const valid = async () => validateSet(await readSet(dir, names), {at: new Date()})

    await rot({dir, ca: kca, mode: 'atomic-rename'})
    const chain0 = certsIn(join(dir, 'svid.pem'))
    const bundle0 = readFileSync(join(dir, 'svid_bundle.pem'))
    const seq0 = meta().sequence
    const interFile0 = meta().intermediates[0].cert as string

    // intermediate: a new intermediate under the same root signs the new leaf; B unchanged.
    await rot({dir, ca: kca, mode: 'atomic-rename', kind: 'intermediate'})
    const chain1 = certsIn(join(dir, 'svid.pem'))
    expect(chain1).toHaveLength(2)
    expect(chain1[1].serial).not.toBe(chain0[1].serial)
    expect(chain1[0].node.checkIssued(chain1[1].node)).toBe(true)
    const a1 = loadAuthority(kca)
    expect(a1.intermediates.map((c) => c.cert.serial)).toEqual([chain1[1].serial])
    expect(meta().intermediates[0].cert).not.toBe(interFile0)
    expect(existsSync(join(kca, interFile0)), 'the replaced intermediate is removed from the CA dir').toBe(false)
    expect(readFileSync(join(dir, 'svid_bundle.pem')).equals(bundle0)).toBe(true)
    expect(meta().sequence).toBe(seq0)
    await valid()

    // root add (prepare): B = {new, old}, sequence + 1, leaf and key unchanged.
    const beforeAdd = {cert: fileSha(join(dir, 'svid.pem')), key: fileSha(join(dir, 'svid_key.pem'))}
    const add = await rot({dir, ca: kca, mode: 'atomic-rename', kind: 'root', caOverlap: 'add'})
    const bundle2 = certsIn(join(dir, 'svid_bundle.pem'))
    expect(bundle2).toHaveLength(2)
    expect(bundle2.every((c) => c.basicConstraints?.ca && c.subject === c.issuer)).toBe(true)
    expect(meta().sequence).toBe(seq0 + 1)
    expect(jwksSeq()).toBe(seq0 + 1)
    expect({cert: fileSha(join(dir, 'svid.pem')), key: fileSha(join(dir, 'svid_key.pem'))}).toEqual(beforeAdd)
    expect(doneOf(add.events).serial).toBe(chain1[0].serial)
    const oldRoot = bundle2.find((r) => chain1[1].node.checkIssued(r.node))!
    const newRoot = bundle2.find((r) => r !== oldRoot)!
    expect(loadAuthority(kca).roots[0].cert.serial).toBe(newRoot.serial)
    await valid()

    // leaf (activate): issued from the new root, verifies against the two-root bundle.
    await rot({dir, ca: kca, mode: 'atomic-rename'})
    const chain3 = certsIn(join(dir, 'svid.pem'))
    expect(chain3[0].serial).not.toBe(chain1[0].serial)
    expect(chain3[1].node.checkIssued(newRoot.node)).toBe(true)
    expect(chain3[1].node.checkIssued(oldRoot.node)).toBe(false)
    expect(certsIn(join(dir, 'svid_bundle.pem'))).toHaveLength(2)
    expect((await valid()).serial).toBe(chain3[0].serial)

    // drop-old: B = {new}, sequence + 1, leaf unchanged.
    const leafSha = fileSha(join(dir, 'svid.pem'))
    await rot({dir, ca: kca, mode: 'atomic-rename', kind: 'root', caOverlap: 'drop-old'})
    expect(certsIn(join(dir, 'svid_bundle.pem')).map((c) => c.serial)).toEqual([newRoot.serial])
    expect(meta().sequence).toBe(seq0 + 2)
    expect(meta().roots).toHaveLength(1)
    expect(fileSha(join(dir, 'svid.pem'))).toBe(leafSha)
    await valid()

    // none: a new root and a leaf from it in one rotation, no overlap.
    const none = await rot({dir, ca: kca, mode: 'atomic-rename', kind: 'root', caOverlap: 'none'})
    const bundle5 = certsIn(join(dir, 'svid_bundle.pem'))
    expect(bundle5).toHaveLength(1)
    expect(bundle5[0].serial).not.toBe(newRoot.serial)
    const chain5 = certsIn(join(dir, 'svid.pem'))
    expect(chain5[0].serial).not.toBe(chain3[0].serial)
    expect(chain5[1].node.checkIssued(bundle5[0].node)).toBe(true)
    expect(meta().sequence).toBe(seq0 + 3)
    // C, K and B all change: both windows open and close within the rotation.
    const windows = doneOf(none.events)
      .windows?.map((w) => w.window)
      .sort()
    expect(windows).toEqual(['bundle-stale', 'key-mismatch'])
    await valid()
  })

  it('--kind intermediate --intermediates-in-bundle opens bundle-stale from the cert to the bundle (R3)', async (ctx) => {
    const kca = await makeCa(tmpDir(ctx), 'r3-ca')
    const dir = join(base(), `r3-${++seq}`)
    await rot({dir, ca: kca, mode: 'atomic-rename', intermediatesInBundle: true})
    const {events} = await rot({
      dir,
      ca: kca,
      mode: 'atomic-rename',
      kind: 'intermediate',
      intermediatesInBundle: true,
      knobs: {bundleDelayMs: 30},
    })
    const tok = events
      .filter((e) => e.step === 'rename' || e.step === 'window')
      .map((e) => (e.step === 'rename' ? `rename ${e.file}` : `${e.state} ${e.window}`))
    expect(tok).toEqual([
      'rename svid.pem',
      'open key-mismatch',
      'open bundle-stale',
      'rename svid_key.pem',
      'close key-mismatch',
      'rename svid_bundle.pem',
      'close bundle-stale',
    ])
    expect(doneOf(events).windows?.find((w) => w.window === 'bundle-stale')?.ms).toBeGreaterThanOrEqual(
      30 - TIMER_SLACK,
    )
    await readSet(dir, namesOf('atomic-rename')).then((raw) => validateSet(raw, {at: new Date()}))
  })
})

describe('layout refusals', () => {
  it('refuses a non-empty directory that is not an SVID layout unless --force', async () => {
    const dir = join(base(), `notes-${++seq}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'notes.txt'), 'mine\n')
    const err = await rot({dir, ca, mode: 'atomic-rename'}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isSvidkitError(err)).toBe(true)
    expect(err).toMatchObject({code: 'output-exists', exit: 3})
    expect(readdirSync(dir)).toEqual(['notes.txt'])
    await rot({dir, ca, mode: 'atomic-rename', force: true})
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'svid.pem', 'svid_bundle.pem', 'svid_key.pem'])
  })

  it('refuses to rotate a kubelet directory with another mode', async () => {
    const dir = fresh('kubelet')
    await rot({dir, ca, mode: 'kubelet'})
    for (const mode of ['spiffe-helper', 'atomic-rename', 'unlink-create'] as WriterMode[]) {
      for (const layout of ['k8s', undefined] as const) {
        const err = await rot({dir, ca, mode, layout}).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(err, `${mode} ${layout}`).toMatchObject({code: 'output-exists', exit: 3})
      }
    }
    // and the converse: a plain directory is not a kubelet one.
    const plain = fresh('atomic-rename')
    await rot({dir: plain, ca, mode: 'atomic-rename', layout: 'k8s'})
    await expect(rot({dir: plain, ca, mode: 'kubelet'})).rejects.toMatchObject({code: 'output-exists'})
  })
})

/** A process that, on `sig`, prints its CLOCK_MONOTONIC ms and the hashes of the set in `dir` (or "got"). */
interface SignalChild {
  pid: number
  proc: ChildProcess
  received: string[]
}

async function signalChild(sig: NodeJS.Signals, dir?: string): Promise<SignalChild> {
  const script = `
const {createHash} = require('node:crypto'); const {readFileSync} = require('node:fs'); const {join} = require('node:path');
const dir = process.argv[1];
const h = (n) => createHash('sha256').update(readFileSync(join(dir, n))).digest('hex');
process.on(${JSON.stringify(sig)}, () => {
  const t = Number(process.hrtime.bigint()) / 1e6;
  const hashes = dir ? [h('svid.pem'), h('svid_key.pem'), h('svid_bundle.pem')].join('/') : 'got';
  process.stdout.write(t + ' ' + hashes + ' ' + Number(process.hrtime.bigint()) / 1e6 + '\\n');
});
setInterval(() => {}, 1000);
process.stdout.write('ready\\n');`
  const proc = spawn(process.execPath, ['-e', script, dir ?? ''], {stdio: ['ignore', 'pipe', 'inherit']})
  const child: SignalChild = {pid: proc.pid!, proc, received: []}
  let ready!: () => void
  const readyP = new Promise<void>((r) => (ready = r))
  let buf = ''
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (line === 'ready') ready()
      else child.received.push(line)
    }
  })
  await readyP
  return child
}
