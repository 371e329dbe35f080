/**
 * rotation.md §4.1: the reference consumer loads every final set a writer produces, exactly
 * once and in order, and never loads an inconsistent one, under every writer mode and
 * under the race knobs that open windows (§1.1, §3). Rotations run in lockstep: the next
 * starts only once the consumer has emitted the `rotation` event whose hashes equal the
 * previous rotation's `done` hashes.
 *
 * Rotations run in this process, so a rotation without pause knobs is one macrotask: the
 * consumer (same event loop) cannot observe it half-done, and any `invalid` there would be a
 * consumer bug. The knobs' sleeps are where the consumer sees the windows, and there it must
 * report them (`invalid`) and still never load them.
 */
import {beforeAll, describe, it, type TestContext} from 'vitest'
import type {Knobs} from '../../src/core/rotate/knobs.js'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {MODES, doneOf, makeCa, namesOf, rot, svidDir, triple} from '../rotate/harness.js'
import {startConsumer, summarize} from './consumer-harness.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

/** One lockstep scenario. */
interface Scenario {
  name: string
  mode: WriterMode
  rotations: number
  knobs?: Partial<Knobs>
  kind?: 'intermediate'
  intermediatesInBundle?: boolean
  /**
   * The window the knobs open and the codes the consumer must report at least once, or
   * 'none' when the writer never exposes an inconsistent set to this in-process consumer,
   * or 'any' when whether it does depends on timing (no assertion either way).
   */
  invalid: string[] | 'none' | 'any'
}

const PLAIN: Scenario[] = MODES.map((mode) => ({name: `${mode} (no knobs)`, mode, rotations: 50, invalid: 'none'}))

const RACES: Scenario[] = [
  // R1: new cert + old key for 30 ms; the 20 ms debounce fires inside the gap.
  {
    name: 'atomic-rename --gap 30ms (R1)',
    mode: 'atomic-rename',
    rotations: 10,
    knobs: {gapMs: 30},
    invalid: ['key-mismatch'],
  },
  // R2: each file is 0 bytes for 30 ms after open(O_TRUNC). A 0-byte bundle parses as an
  // empty bundle (spiffe-rules: valid, with a warning), so the consumer reports the empty B
  // as untrusted-chain, not bundle-invalid (reported as a deviation: raceOf calls it R3).
  {
    name: 'spiffe-helper --truncate-hold 30ms (R2)',
    mode: 'spiffe-helper',
    rotations: 10,
    knobs: {truncateHoldMs: 30},
    invalid: ['pem-invalid', 'key-invalid', 'bundle-invalid', 'untrusted-chain'],
  },
  // R2 with pieces 2 ms apart: the 20 ms trailing debounce normally waits the whole set out.
  {
    name: 'spiffe-helper --chunk-bytes 64 --chunk-delay 2ms (R2)',
    mode: 'spiffe-helper',
    rotations: 10,
    knobs: {chunkBytes: 64, chunkDelayMs: 2},
    invalid: 'any',
  },
  // R6: the names are absent for 300 ms each.
  {
    name: 'unlink-create --absent-for 300ms (R6)',
    mode: 'unlink-create',
    rotations: 10,
    knobs: {absentForMs: 300},
    invalid: ['file-not-found'],
  },
  // R7 with a gap so the cert/key mismatch between the two renames is observable.
  {
    name: 'hardlink-backup --gap 30ms (R7, R1)',
    mode: 'hardlink-backup',
    rotations: 10,
    knobs: {gapMs: 30},
    invalid: ['key-mismatch'],
  },
  // R8: moved away, absent for 50 ms.
  {
    name: 'move-away --absent-for 50ms (R8)',
    mode: 'move-away',
    rotations: 10,
    knobs: {absentForMs: 50},
    invalid: ['file-not-found'],
  },
  // R5c: the link above the watched dir swaps; the old version dir is never removed.
  {
    name: 'dir-symlink --keep-old-dirs (R5c)',
    mode: 'dir-symlink',
    rotations: 10,
    knobs: {keepOldDirs: true},
    invalid: 'none',
  },
  // R5a/R5b: only ..data changes; the old dir goes 100 ms later.
  {
    name: 'kubelet --cleanup-delay 100ms (R5a, R5b)',
    mode: 'kubelet',
    rotations: 10,
    knobs: {cleanupDelayMs: 100},
    invalid: 'none',
  },
  // R3: leaf-only chain from a new intermediate, bundle with the intermediate 60 ms later.
  {
    name: 'atomic-rename --kind intermediate --intermediates-in-bundle --bundle-delay 60ms (R3)',
    mode: 'atomic-rename',
    rotations: 10,
    kind: 'intermediate',
    intermediatesInBundle: true,
    knobs: {bundleDelayMs: 60},
    invalid: ['untrusted-chain'],
  },
]

async function lockstep(s: Scenario, ctx: TestContext): Promise<void> {
  const {expect} = ctx
  const tag = `-${s.name.replace(/[^a-z0-9]+/gi, '-')}`
  const dir = svidDir(base(), s.mode, tag)
  const names = namesOf(s.mode)
  // R3 rotates the CA: give it its own.
  const caDir = s.kind ? await makeCa(base(), `ca${tag}`) : ca
  const common = {dir, ca: caDir, mode: s.mode, intermediatesInBundle: s.intermediatesInBundle}
  const first = await rot(common)
  const written = [doneOf(first.events).sha256]
  const w = await startConsumer('reference', dir, names, {debounceMs: 20, pollMs: 2000})
  try {
    await w.waitLoad(written[0], 5000, 'the initial set')
    for (let i = 1; i <= s.rotations; i++) {
      const {events} = await rot({...common, kind: s.kind, knobs: s.knobs})
      const sha = doneOf(events).sha256
      written.push(sha)
      await w.waitLoad(sha, 8000, `rotation ${i} of ${s.name}`)
    }
  } finally {
    await w.stop()
  }
  const loads = w.loads()
  const detail = summarize(w.events)
  // Exactly one rotation event per final set, in order, and nothing else: never an
  // inconsistent (or intermediate) set.
  expect(
    loads.map((e) => triple(e.sha256)),
    detail,
  ).toEqual(written.map(triple))
  expect(new Set(written.map(triple)).size).toBe(s.rotations + 1)
  expect(loads[0].trigger).toBe('start')
  // The watches, not the 2 s poll, found the rotations. (A poll may still win the race
  // against the 20 ms debounce now and then; with a broken watch nearly every load would be
  // by poll.)
  const byPoll = loads.filter((e) => e.trigger === 'poll').length
  expect(byPoll, detail).toBeLessThan(s.rotations / 2)
  expect(
    w.events.filter((e) => e.type === 'error'),
    detail,
  ).toEqual([])
  const codes = w.invalid().map((e) => String(e.code))
  if (s.invalid === 'none') expect(codes, detail).toEqual([])
  else if (s.invalid !== 'any') {
    expect(codes.length, `${s.name}: expected invalid observations during the windows; saw ${detail}`).toBeGreaterThan(
      0,
    )
    expect(
      codes.filter((c) => !(s.invalid as string[]).includes(c)),
      detail,
    ).toEqual([])
    // The consumer ends on the last good set.
    expect((w.consumer as {state?: string}).state).toBe('valid')
  }
  ctx.annotate?.(
    `${loads.length} loads, invalid: ${
      codes.length
        ? Object.entries(count(codes))
            .map(([c, n]) => `${c}×${n}`)
            .join(' ')
        : 'none'
    }`,
  )
}

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const x of xs) out[x] = (out[x] ?? 0) + 1
  return out
}

describe.concurrent('reference consumer in lockstep with each writer (50 rotations)', () => {
  for (const s of PLAIN) it(s.name, async (ctx) => lockstep(s, ctx), 60_000)
})

describe.concurrent('reference consumer under the race knobs', () => {
  for (const s of RACES) it(s.name, async (ctx) => lockstep(s, ctx), 60_000)
})
