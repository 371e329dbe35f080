/**
 * The connections of the Workload API server. grpc-js gets each accepted Unix socket
 * through a guard stream, so that a connection whose HTTP/2 session dies never outlives it:
 * Node's HTTP/2 stops reading a session that nghttp2 terminated (a SETTINGS frame of a bad
 * length, for example) and emits nothing, so the socket would stay open for ever, even
 * after the client closed its side. Through the guard the server sees the client's EOF and
 * every GOAWAY it sends, and destroys the socket on each session error.
 */
import {EventEmitter} from 'node:events'
import type {Http2Session} from 'node:http2'
import type {Socket} from 'node:net'
import {Duplex} from 'node:stream'
import type * as grpc from '@grpc/grpc-js'

const GOAWAY = 0x7

/**
 * Scans the HTTP/2 frames a server session writes (no preface on the server side: frames
 * from the first byte) and reports a GOAWAY with an error code, which nghttp2 sends when it
 * terminates a session (RFC 9113 §5.4.1).
 */
class GoawayScanner {
  private head = Buffer.alloc(0)
  private skip = 0

  /** Returns the error code of the first GOAWAY with one completed in `chunk`, or undefined. */
  feed(chunk: Buffer): number | undefined {
    let code: number | undefined
    let i = 0
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i)
        this.skip -= n
        i += n
        continue
      }
      // A frame header is 9 bytes; a GOAWAY's error code ends 8 bytes into its payload.
      const need = this.head.length < 9 ? 9 : 17
      const take = Math.min(need - this.head.length, chunk.length - i)
      this.head = Buffer.concat([this.head, chunk.subarray(i, i + take)])
      i += take
      if (this.head.length < need) break
      const length = this.head.readUIntBE(0, 3)
      if (need === 9 && this.head[3] === GOAWAY && length >= 8) continue
      if (need === 17) {
        const c = this.head.readUInt32BE(13)
        if (c !== 0 && code === undefined) code = c
        this.skip = length - 8
      } else this.skip = length
      this.head = Buffer.alloc(0)
    }
    return code
  }
}

/** A duplex between one accepted socket and grpc-js's HTTP/2 session; destroying it destroys the socket. */
class Guard extends Duplex {
  private readonly scanner = new GoawayScanner()

  constructor(private readonly socket: Socket) {
    super({allowHalfOpen: false})
    socket.on('data', (d: Buffer) => {
      if (!this.push(d)) socket.pause()
    })
    // The client closed its side (or the socket failed): nothing more can come, end it now.
    socket.once('end', () => this.destroy())
    socket.once('error', () => this.destroy())
    socket.once('close', () => this.destroy())
  }

  override _read(): void {
    this.socket.resume()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const fatal = this.scanner.feed(chunk) !== undefined
    this.socket.write(chunk, (err) => cb(err))
    // nghttp2 gave up on this session: the GOAWAY is in the kernel's buffer if it fitted; nothing else will follow.
    if (fatal) this.destroy()
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(() => cb())
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy()
    cb(err)
  }
}

/** Returns the HTTP/2 server behind a grpc-js connection injector (grpc-js keeps it in a private map). */
function injectorHttp2Server(server: grpc.Server): EventEmitter {
  const map = (server as unknown as {http2Servers?: unknown}).http2Servers
  const last = map instanceof Map ? [...map.keys()].at(-1) : undefined
  if (!(last instanceof EventEmitter))
    throw new Error('this @grpc/grpc-js keeps no HTTP/2 server map: connections cannot be guarded')
  return last
}

/**
 * Returns the connection registry of a server: `accept` names a socket `client-N` (in
 * connection order), hands it to grpc-js and reports `connection`/`disconnect`;
 * `destroy(client)` cuts one connection, `destroyAll()` every one.
 */
export class Connections {
  private readonly guards = new Map<string, Guard>()
  private injecting?: {client: string; guard: Guard}
  private count = 0

  constructor(
    server: grpc.Server,
    private readonly injector: {injectConnection(connection: Duplex): void},
    private readonly events: {connected(client: string): void; disconnected(client: string): void},
  ) {
    // grpc-js creates the session synchronously inside injectConnection, so `injecting` is its connection.
    injectorHttp2Server(server).on('session', (session: Http2Session) => {
      const current = this.injecting
      if (!current) return
      // grpc-js names a call's peer by its socket's remoteAddress; the wrapped socket has no address of its own.
      ;(session.socket as unknown as {_peername?: object})._peername = {address: current.client}
      session.once('error', () => current.guard.destroy())
      session.once('close', () => current.guard.destroy())
    })
  }

  /** Takes one accepted socket. */
  accept(socket: Socket): void {
    const client = `client-${++this.count}`
    const guard = new Guard(socket)
    this.guards.set(client, guard)
    this.events.connected(client)
    socket.once('close', () => {
      this.guards.delete(client)
      this.events.disconnected(client)
    })
    guard.on('error', () => {}) // the session reports stream errors; the guard only has to die
    this.injecting = {client, guard}
    try {
      this.injector.injectConnection(guard)
    } finally {
      this.injecting = undefined
    }
  }

  /** Destroys the connection of `client`; returns false when it is already gone. */
  destroy(client: string): boolean {
    const guard = this.guards.get(client)
    guard?.destroy()
    return guard !== undefined
  }

  /** Destroys every connection. */
  destroyAll(): void {
    for (const guard of this.guards.values()) guard.destroy()
  }

  /** Returns the number of open connections. */
  get open(): number {
    return this.guards.size
  }
}
