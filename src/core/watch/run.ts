import {statSync} from 'node:fs'
import {dirname} from 'node:path'
import {systemClock, type Clock} from '../clock.js'
import {SvidkitError} from '../errors.js'
import {formatDuration} from '../time/duration.js'
import type {SpiffeId} from '../spiffe-id/index.js'
import {refuseStdioDir, resolveLayout, type LayoutName, type SvidFileNames} from '../fs/layout.js'
import type {WatchEvent, WatchSink} from './events.js'
import {readSet, setHashes, validateSet} from './material.js'
import {raceOf} from './races.js'
import {percentile} from '../stats.js'
import {createConsumer} from './strategies.js'

/** Options of `runWatch`. */
export interface WatchOptions {
  dir: string
  /** The file names to read. Default: from `layout` and `overrides` (`resolveLayout`). */
  names?: SvidFileNames
  /** The layout (`--layout`). Default: detected from the files present; spiffe-helper in a directory with none yet. */
  layout?: LayoutName
  /** File-name overrides (`--cert-file`, `--key-file`, `--bundle-file`). */
  overrides?: {cert?: string; key?: string; bundle?: string}
  /** `reference` (default) or a naive strategy. */
  strategy?: string
  debounceMs?: number
  pollMs?: number
  readGapMs?: number
  expectIds?: SpiffeId[]
  /** Stop after N new sets loaded after the initial load. */
  count?: number
  /** Stop after this long. */
  timeoutMs?: number
  clock?: Clock
  sink: WatchSink
  abort?: AbortSignal
}

/** The end-of-run report (also the last NDJSON line, `type: "summary"`). */
export interface WatchSummary {
  strategy: string
  rotations: number
  invalid: Record<string, number>
  errors: number
  /** Change-to-load latency of the rotation events, in ms. */
  latency: {maxMs: number; p50Ms: number; p99Ms: number} | null
  finalState: 'valid' | 'invalid' | 'none'
  /** The set on disk at the end is valid but was never loaded: the watch was lost. */
  stale: boolean
  /** Races that bit the consumer (docs/rotation.md "Knobs", race table). */
  races: string[]
  /** --count: the new sets asked for; null without --count. */
  expected?: number | null
  /** Why the exit is 6, in one line (the first cause found); null on exit 0. */
  reason?: string | null
  exit: 0 | 6
}

/**
 * Returns the summary of watching a certificate directory with one consumer until
 * `count` rotations, `timeoutMs` or `abort`; every observation goes to `sink`. Exit 6
 * when it ends with the material invalid, the watch broken, or the consumer stale.
 */
export async function runWatch(options: WatchOptions): Promise<WatchSummary> {
  checkWatchTarget(options.dir)
  // A consumer may start before its writer: an empty directory is watched for the spiffe-helper names.
  const resolved = options.names
    ? undefined
    : resolveLayout(options.dir, {
        layout: options.layout,
        names: options.overrides,
        fallback: 'spiffe-helper',
        flag: 'DIR',
      })
  const o = {...options, names: options.names ?? (resolved as {names: SvidFileNames}).names}
  const clock = o.clock ?? systemClock
  const strategy = o.strategy ?? 'reference'
  const events: WatchEvent[] = []
  let finish!: () => void
  const done = new Promise<void>((r) => (finish = r))
  let rotations = 0
  const sink: WatchSink = (e) => {
    events.push(e)
    o.sink(e)
    // --count counts new sets after the first load (the start load is not a rotation).
    if (e.type === 'rotation' && e.trigger !== 'start' && ++rotations >= (o.count ?? Infinity)) finish()
  }
  const consumer = createConsumer(strategy, {
    dir: o.dir,
    names: o.names,
    clock,
    sink,
    debounceMs: o.debounceMs,
    pollMs: o.pollMs,
    readGapMs: o.readGapMs,
    expectIds: o.expectIds,
  })
  const how =
    resolved === undefined
      ? ''
      : resolved.source === 'fallback'
        ? ` (no SVID files yet: waiting for ${resolved.layout} names; --layout chooses another)`
        : ` (${resolved.layout} layout${resolved.source === 'detected' ? ', detected' : ''})`
  sink({t: clock.monotonicMs(), type: 'start', strategy, message: `watching ${o.dir}${how}`})
  let timedOut = false
  const timer =
    o.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true
          finish()
        }, o.timeoutMs)
  o.abort?.addEventListener('abort', () => finish(), {once: true})
  await consumer.start()
  await done
  clearTimeout(timer)
  await consumer.stop()
  // --timeout before --count new sets arrived: the watch did not see what was asked (exit 6).
  const shortfall =
    timedOut && o.count !== undefined && rotations < o.count && !o.abort?.aborted
      ? {expected: o.count, loaded: rotations, timeoutMs: o.timeoutMs as number}
      : undefined
  return summarize(strategy, events, await isStale(o, consumer.currentHash(), strategy), sink, clock, {
    count: o.count,
    shortfall,
  })
}

/** How the run ended against --count: the sets asked for, and those missing at --timeout. */
interface CountOutcome {
  count?: number
  shortfall?: {expected: number; loaded: number; timeoutMs: number}
}

/** Refuses (exit 3) a path that is not an existing directory, saying which it is. */
function checkWatchTarget(dir: string): void {
  refuseStdioDir(dir, 'watch DIR')
  let st
  try {
    st = statSync(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOTDIR')
      throw new SvidkitError('not-a-directory', `"${dir}" is under a file, not a directory`, {path: dir})
    throw new SvidkitError('file-not-found', `directory "${dir}" does not exist`, {
      path: dir,
      hint: 'create the SVID directory first (svidkit issue --out DIR), or check the path',
    })
  }
  if (!st.isDirectory()) {
    throw new SvidkitError('not-a-directory', `"${dir}" is a file, not a directory`, {
      path: dir,
      hint: `watch takes the SVID directory, not one of its files: svidkit watch ${dirname(dir)}`,
    })
  }
}

async function isStale(
  o: WatchOptions & {names: SvidFileNames},
  held: string | undefined,
  strategy: string,
): Promise<{stale: boolean; serial?: string}> {
  try {
    const set = validateSet(await readSet(o.dir, o.names), {at: new Date(), expectIds: o.expectIds})
    const h = setHashes(set.raw)
    const diskHash = strategy === 'reference' ? set.hash : `${h.cert}:${h.key}`
    return {stale: diskHash !== held, serial: set.serial}
  } catch {
    return {stale: false}
  }
}

function summarize(
  strategy: string,
  events: WatchEvent[],
  staleness: {stale: boolean; serial?: string},
  sink: WatchSink,
  clock: Clock,
  counted: CountOutcome = {},
): WatchSummary {
  const invalid: Record<string, number> = {}
  const races = new Set<string>()
  for (const e of events) {
    if (e.type !== 'invalid' || !e.code) continue
    invalid[e.code] = (invalid[e.code] ?? 0) + 1
    // What the first read found is the state of the directory, not a race with a writer.
    if (e.trigger !== 'start') races.add(raceOf(e.code, strategy))
  }
  if (staleness.stale)
    races.add(`R4/R5/R8 watch lost: the valid set on disk (serial ${staleness.serial}) was never loaded`)
  const latencies = events
    .filter((e) => e.type === 'rotation' && typeof e.latencyMs === 'number')
    .map((e) => e.latencyMs as number)
    .sort((a, b) => a - b)
  const observed = events.filter((e) => e.type === 'rotation' || e.type === 'invalid')
  const last = observed.at(-1)
  const finalState = !last ? 'none' : last.type === 'rotation' ? 'valid' : 'invalid'
  const errors = events.filter((e) => e.type === 'error').length
  const broken = events.some((e) => e.type === 'error' && (e.code === 'watch-lost' || e.code === 'watch-error'))
  const short = counted.shortfall
  const reason =
    finalState === 'invalid'
      ? 'the material on disk is invalid at the end'
      : staleness.stale
        ? `the valid set on disk (serial ${staleness.serial}) was never loaded`
        : broken && strategy === 'reference'
          ? 'the watch broke'
          : finalState === 'none'
            ? 'no valid set was ever loaded'
            : short
              ? `${short.loaded} of ${short.expected} new set(s) loaded before --timeout ${formatDuration(short.timeoutMs)}`
              : null
  const summary: WatchSummary = {
    strategy,
    rotations: events.filter((e) => e.type === 'rotation').length,
    invalid,
    errors,
    latency: latencies.length
      ? {maxMs: latencies.at(-1) as number, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99)}
      : null,
    finalState,
    stale: staleness.stale,
    races: [...races],
    expected: counted.count ?? null,
    reason,
    exit: reason === null ? 0 : 6,
  }
  sink({t: clock.monotonicMs(), type: 'summary', ...summary})
  return summary
}
