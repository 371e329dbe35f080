/**
 * Backpressure of the Workload API's server streams (docs/workload-api.md "Slow readers").
 * A client that does not read (a zero HTTP/2 flow-control window) must not make the server
 * queue a message per rotation for ever: once a stream holds more than `maxQueuedBytes`
 * not yet taken by HTTP/2, or grpc-js's `write()` returns false, it is blocked; updates for
 * it are coalesced (the newest state is sent once everything queued was taken), and a
 * stream blocked for `maxBlockedMs` is closed with its connection.
 */

/** Limits of a stream's outgoing queue. */
export interface BackpressureLimits {
  /** Bytes written to one stream and not yet taken by HTTP/2 beyond which it is blocked. Default 64 KiB. */
  maxQueuedBytes: number
  /** A stream blocked this long (ms) is closed with its connection. Default 30 s. */
  maxBlockedMs: number
}

export const DEFAULT_BACKPRESSURE: BackpressureLimits = {maxQueuedBytes: 64 * 1024, maxBlockedMs: 30_000}

/** Counters over every stream of a server. */
export interface BackpressureStats {
  /** Streams blocked now. */
  blockedStreams: number
  /** Bytes written to every stream and not yet taken by HTTP/2, now. */
  queuedBytes: number
  /** The most bytes any one stream held queued at any time. */
  peakQueuedBytes: number
  /** Updates not sent because their stream was blocked (the newest is sent when it drains). */
  coalescedUpdates: number
  /** Streams closed (with their connection) after being blocked for `maxBlockedMs`. */
  closedBlockedStreams: number
}

/** A writable call as grpc-js gives it (a Node Writable in object mode). */
interface Call {
  write(message: unknown, cb: () => void): boolean
  /** Messages not yet taken by HTTP/2 (Writable's count in object mode). */
  readonly writableLength: number
  /** Set by grpc-js when the client cancelled the call or its connection closed. */
  readonly cancelled?: boolean
}

/** The shared limits and counters of one server. */
export class Backpressure {
  readonly stats: BackpressureStats = {
    blockedStreams: 0,
    queuedBytes: 0,
    peakQueuedBytes: 0,
    coalescedUpdates: 0,
    closedBlockedStreams: 0,
  }

  constructor(readonly limits: BackpressureLimits = DEFAULT_BACKPRESSURE) {}

  /** Returns the outbox of one stream: `drained` sends the newest state, `stuck` closes the stream. */
  outbox(call: Call, on: {drained(): void; stuck(): void}): Outbox {
    return new Outbox(call, this, on)
  }
}

/** The outgoing side of one stream. */
export class Outbox {
  private queued = 0
  private isBlocked = false
  private stale = false
  private closed = false
  private timer?: NodeJS.Timeout

  constructor(
    private readonly call: Call,
    private readonly shared: Backpressure,
    private readonly on: {drained(): void; stuck(): void},
  ) {}

  /** Returns true while the stream is blocked: updates are to be coalesced, not written. */
  get blocked(): boolean {
    return this.isBlocked
  }

  /** Records an update not written because the stream is blocked; the newest state is sent when it drains. */
  coalesce(): void {
    this.stale = true
    this.shared.stats.coalescedUpdates++
  }

  /** Writes `message` of about `size` bytes (the caller checked `blocked`). */
  write(message: unknown, size: number): void {
    if (this.closed) return
    const stats = this.shared.stats
    this.queued += size
    stats.queuedBytes += size
    stats.peakQueuedBytes = Math.max(stats.peakQueuedBytes, this.queued)
    const more = this.call.write(message, () => this.taken(size))
    if (!more || this.queued > this.shared.limits.maxQueuedBytes) this.block()
  }

  private block(): void {
    this.isBlocked = true
    this.shared.stats.blockedStreams++
    // unref: a blocked stream never keeps a closed server's process alive.
    this.timer = setTimeout(() => {
      // A stream ended by the server while blocked still holds its bytes (and its status) until the client reads.
      if (this.closed ? this.call.cancelled || this.call.writableLength === 0 : !this.isBlocked) return
      this.shared.stats.closedBlockedStreams++
      this.on.stuck()
    }, this.shared.limits.maxBlockedMs).unref()
  }

  /** HTTP/2 took `size` bytes of this stream. */
  private taken(size: number): void {
    if (this.closed) return
    this.queued -= size
    this.shared.stats.queuedBytes -= size
    if (!this.isBlocked || this.queued > 0) return
    this.unblock()
    if (this.stale) {
      this.stale = false
      this.on.drained()
    }
  }

  private unblock(): void {
    if (!this.isBlocked) return
    this.isBlocked = false
    this.shared.stats.blockedStreams--
    clearTimeout(this.timer)
  }

  /**
   * The stream ended: its queued bytes no longer count. With `linger` (the server ended it,
   * the client did not) a blocked stream keeps its timer: its status waits behind the
   * queued messages, and if the client still reads nothing its connection is closed.
   */
  close(linger = false): void {
    if (this.closed) return
    this.closed = true
    this.shared.stats.queuedBytes -= this.queued
    this.queued = 0
    if (!this.isBlocked) return
    this.isBlocked = false
    this.shared.stats.blockedStreams--
    if (!linger) clearTimeout(this.timer)
  }
}

/** Returns the bytes of certificates, keys and bundles in a message (its size on the wire, within a few bytes per field). */
export function messageBytes(value: unknown, depth = 0): number {
  if (value instanceof Uint8Array) return value.length
  if (typeof value === 'string') return Buffer.byteLength(value)
  if (depth > 4 || value === null || typeof value !== 'object') return 0
  let n = 0
  for (const v of Array.isArray(value) ? value : Object.values(value)) n += messageBytes(v, depth + 1)
  return n
}
