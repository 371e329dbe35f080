import {watch, type FSWatcher} from 'node:fs'
import type {Clock} from '../clock.js'
import type {SpiffeId} from '../spiffe-id/index.js'
import type {SvidFileNames} from '../fs/layout.js'
import {formatInstant} from '../time/instant.js'
import type {Consumer, WatchSink} from './events.js'
import {newestMtime, readSet, toInvalid, validateSet, type LoadedSet} from './material.js'
import {watchDirs} from './watch-dirs.js'

/** Options of the reference consumer (docs/rotation.md "Consumers", reference), durations in ms. */
export interface ReferenceOptions {
  dir: string
  names: SvidFileNames
  clock: Clock
  sink: WatchSink
  /** Trailing-edge debounce. Default 100 (Istio's). */
  debounceMs?: number
  /** Cap on the total debounce wait. Default 1000. */
  maxWaitMs?: number
  /** Poll backstop. Default 10000 (controller-runtime's); 0 = off. */
  pollMs?: number
  /** Backoff cap for retries after an invalid read. Default 3200 (100 ms × 2⁵). */
  backoffCapMs?: number
  /** Pause between the cert and key reads (R11 experiments). Default 0. */
  readGapMs?: number
  expectIds?: SpiffeId[]
  /** Called with every newly loaded set (the handshake server swaps its context here). */
  onLoad?: (set: LoadedSet) => void
}

/**
 * The reference consumer of a certificate directory: watches directories (not files),
 * debounces on the trailing edge, reads the whole set, validates it with the verify core,
 * keeps the last good set and retries with backoff, skips no-op reloads by content hash,
 * re-arms when the watched paths change, polls as a backstop and warns before expiry.
 */
export class ReferenceConsumer implements Consumer {
  readonly strategy = 'reference'
  private watchers = new Map<string, FSWatcher>()
  /** Directories that could not be watched, reported once each. */
  private unwatchable = new Set<string>()
  private debounce?: NodeJS.Timeout
  private retry?: NodeJS.Timeout
  private poll?: NodeJS.Timeout
  private expiry?: NodeJS.Timeout
  private firstEventAt?: number
  private backoff = 100
  private current?: LoadedSet
  private lastInvalid?: string
  private reading = false
  private again = false
  private stopped = false
  /** The last observation: valid or the failure code. */
  state: 'none' | 'valid' | string = 'none'

  constructor(private readonly o: ReferenceOptions) {}

  currentHash(): string | undefined {
    return this.current?.hash
  }

  /** Returns the set loaded last. */
  loaded(): LoadedSet | undefined {
    return this.current
  }

  async start(): Promise<void> {
    this.arm()
    const poll = this.o.pollMs ?? 10_000
    if (poll > 0) this.poll = setInterval(() => void this.reload('poll'), poll)
    await this.reload('start')
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const w of this.watchers.values()) w.close()
    this.watchers.clear()
    for (const t of [this.debounce, this.retry, this.expiry]) clearTimeout(t)
    clearInterval(this.poll)
  }

  private emit(type: Parameters<WatchSink>[0]['type'], fields: Record<string, unknown> = {}): void {
    this.o.sink({t: this.o.clock.monotonicMs(), type, strategy: this.strategy, ...fields})
  }

  /** (Re)creates the directory watches; reports the set when it changed. */
  private arm(): void {
    const dirs = watchDirs(this.o.dir, [this.o.names.cert, this.o.names.key, this.o.names.bundle])
    const same = dirs.length === this.watchers.size && dirs.every((d) => this.watchers.has(d))
    if (same) return
    for (const [d, w] of this.watchers) {
      if (!dirs.includes(d)) {
        w.close()
        this.watchers.delete(d)
      }
    }
    for (const d of dirs) {
      if (this.watchers.has(d)) continue
      try {
        const w = watch(d, () => this.onEvent())
        w.on('error', (err) => {
          this.emit('error', {code: 'watch-error', message: `watch on "${d}" failed: ${err.message}; re-arming`})
          w.close()
          this.watchers.delete(d)
          this.onEvent()
        })
        this.watchers.set(d, w)
      } catch (err) {
        if (!this.unwatchable.has(d))
          this.emit('error', {code: 'watch-error', message: `cannot watch "${d}": ${(err as Error).message}`})
        this.unwatchable.add(d)
      }
    }
    this.emit('rearm', {dirs: [...this.watchers.keys()]})
  }

  private onEvent(): void {
    if (this.stopped) return
    const now = this.o.clock.monotonicMs()
    this.firstEventAt ??= now
    clearTimeout(this.debounce)
    clearTimeout(this.retry)
    this.backoff = 100
    const debounce = this.o.debounceMs ?? 100
    const waited = now - this.firstEventAt
    const delay = Math.max(0, Math.min(debounce, (this.o.maxWaitMs ?? 1000) - waited))
    this.debounce = setTimeout(() => void this.reload('event'), delay)
  }

  private scheduleRetry(): void {
    clearTimeout(this.retry)
    const delay = this.backoff
    this.backoff = Math.min(this.backoff * 2, this.o.backoffCapMs ?? 3200)
    this.retry = setTimeout(() => void this.reload('retry'), delay)
  }

  private async reload(trigger: 'event' | 'poll' | 'retry' | 'start'): Promise<void> {
    if (this.stopped) return
    if (this.reading) {
      this.again = true
      return
    }
    this.reading = true
    const burstStart = this.firstEventAt
    this.firstEventAt = undefined
    try {
      this.arm()
      const raw = await readSet(this.o.dir, this.o.names, {readGapMs: this.o.readGapMs})
      const set = validateSet(raw, {at: this.o.clock.now(), expectIds: this.o.expectIds})
      this.lastInvalid = undefined
      this.backoff = 100
      this.state = 'valid'
      if (set.hash === this.current?.hash) return
      // The first load is not a change: it has no latency.
      const latencyMs =
        trigger === 'start'
          ? undefined
          : burstStart !== undefined
            ? this.o.clock.monotonicMs() - burstStart
            : Math.max(0, this.o.clock.now().getTime() - newestMtime(this.o.dir, this.o.names))
      this.current = set
      this.o.onLoad?.(set)
      this.emit('rotation', {
        serial: set.serial,
        spiffeId: set.spiffeId,
        notAfter: formatInstant(set.notAfter),
        ...(latencyMs === undefined ? {} : {latencyMs}),
        sha256: set.sha256,
        trigger,
      })
      this.armExpiry(set)
    } catch (err) {
      const inv = toInvalid(err)
      this.state = String(inv.code)
      const key = `${inv.code}:${inv.message}`
      if (key !== this.lastInvalid) this.emit('invalid', {code: inv.code, message: inv.message, trigger})
      this.lastInvalid = key
      this.scheduleRetry()
    } finally {
      this.reading = false
      if (this.again) {
        this.again = false
        void this.reload(trigger)
      }
    }
  }

  private armExpiry(set: LoadedSet): void {
    clearTimeout(this.expiry)
    const now = this.o.clock.now().getTime()
    const life = set.notAfter.getTime() - set.notBefore.getTime()
    const warnAt = set.notAfter.getTime() - life * 0.1
    const delay = warnAt - now
    // setTimeout caps at 2^31-1 ms; a longer wait is re-checked by the poll.
    if (delay > 0 && delay < 2 ** 31 - 1) {
      this.expiry = setTimeout(() => {
        this.emit('expiring', {
          serial: set.serial,
          notAfter: formatInstant(set.notAfter),
          message: 'less than 10% of the lifetime left and no new SVID loaded',
        })
      }, delay)
    }
  }
}
