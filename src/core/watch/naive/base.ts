import {join} from 'node:path'
import type {Clock} from '../../clock.js'
import type {SvidFileNames} from '../../fs/layout.js'
import {formatInstant} from '../../time/instant.js'
import type {Consumer, WatchSink} from '../events.js'
import {newestMtime, readSet, toInvalid, validateSet, type LoadedSet} from '../material.js'

/** Options shared by the naive consumers. */
export interface NaiveOptions {
  dir: string
  names: SvidFileNames
  clock: Clock
  sink: WatchSink
  /** Pause between the cert and key reads (R11). Default 0. */
  readGapMs?: number
  /** Poll interval for strategies that poll (watch-file: 5007 ms, certwatcher: 10 s). */
  pollMs?: number
  /** Called with every pair loaded (its bundle is not checked: `bundle` is empty, `raw.bundle` as read). */
  onLoad?: (set: LoadedSet) => void
}

/**
 * What every naive consumer does on a trigger: read C then K right away and "load" them
 * the way `tls.createSecureContext` would (parse, key matches), without a debounce,
 * retry, bundle or validity check; keep the previous pair when that fails.
 */
export abstract class NaiveConsumer implements Consumer {
  abstract readonly strategy: string
  protected current?: string
  protected stopped = false

  constructor(protected readonly o: NaiveOptions) {}

  abstract start(): Promise<void>
  abstract stop(): Promise<void>

  currentHash(): string | undefined {
    return this.current
  }

  protected path(role: 'cert' | 'key'): string {
    return join(this.o.dir, this.o.names[role])
  }

  protected emit(type: Parameters<WatchSink>[0]['type'], fields: Record<string, unknown> = {}): void {
    this.o.sink({t: this.o.clock.monotonicMs(), type, strategy: this.strategy, ...fields})
  }

  protected async load(trigger: 'event' | 'poll' | 'start'): Promise<void> {
    if (this.stopped) return
    try {
      const raw = await readSet(this.o.dir, this.o.names, {
        readGapMs: this.o.readGapMs,
        withBundle: false,
        stableDataLink: false,
      })
      const set = validateSet(raw, {at: this.o.clock.now(), checkBundle: false})
      // A naive consumer knows nothing of the bundle: it compares cert and key only.
      const hash = `${set.sha256.cert}:${set.sha256.key}`
      if (hash === this.current) return
      this.current = hash
      this.o.onLoad?.(set)
      const latency =
        trigger === 'start'
          ? {}
          : {latencyMs: Math.max(0, this.o.clock.now().getTime() - newestMtime(this.o.dir, this.o.names))}
      this.emit('rotation', {
        serial: set.serial,
        spiffeId: set.spiffeId,
        notAfter: formatInstant(set.notAfter),
        ...latency,
        sha256: {cert: set.sha256.cert, key: set.sha256.key},
        trigger,
      })
    } catch (err) {
      const inv = toInvalid(err)
      this.emit('invalid', {code: inv.code, message: inv.message, trigger})
    }
  }
}
