import {randomBytes} from 'node:crypto'
import {watch, type FSWatcher} from 'node:fs'
import {join} from 'node:path'
import {
  createSecureContext,
  createServer,
  type SecureContext,
  type SecureContextOptions,
  type Server,
  type TLSSocket,
} from 'node:tls'
import type {AddressInfo} from 'node:net'
import {systemClock, type Clock} from '../clock.js'
import {usageError} from '../errors.js'
import type {SpiffeId, TrustDomain} from '../spiffe-id/index.js'
import type {BundleSet} from '../bundle/index.js'
import type {SvidFileNames} from '../fs/layout.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {readSet, validateSet, type LoadedSet, type RawSet} from '../watch/material.js'
import {createConsumer} from '../watch/strategies.js'
import type {Consumer, WatchEvent} from '../watch/events.js'
import {watchDirs} from '../watch/watch-dirs.js'
import {failureFromError} from './alerts.js'
import {checkClient} from './client-check.js'
import {readBundleFile, readUnvalidated, trustFrom} from './naive-reload.js'
import type {ServerSink} from './server-events.js'
import {serverContextOptions, type TlsVersionChoice} from './tls-options.js'

/** An SVID held in memory: the chain (leaf first), its PKCS#8 key and the bundle, as PEM. */
export interface ServerCredentials {
  cert: string | Buffer
  key: string | Buffer
  bundle: string | Buffer
}

const bytes = (b: string | Buffer): Buffer => (typeof b === 'string' ? Buffer.from(b) : b)

/** How the server adopts a rotated SVID (docs/rotation.md R15). */
export type ServerReload = 'reference' | 'partial' | 'sni' | 'unvalidated'

/** Options of the handshake server. */
export interface ServerOptions {
  host: string
  port: number
  /** SVID directory the server serves from, and hot-reloads (or `credentials`, never both). */
  dir?: string
  /** File names in `dir`. */
  names?: SvidFileNames
  /** The SVID in memory instead of a directory; replace it with `update()`. Reload is then always `reference`. */
  credentials?: ServerCredentials
  /** Bundles of other trust domains (federation); the own bundle comes from `dir`. */
  extraBundles?: BundleSet
  expectIds?: SpiffeId[]
  expectTrustDomain?: TrustDomain
  tlsVersion?: TlsVersionChoice
  /** Default `reference`: validated sets, full options, SNI pointer swap + setSecureContext. */
  reload?: ServerReload
  /** Consumer that triggers reloads (reference, partial, sni). Default `reference`. */
  strategy?: string
  debounceMs?: number
  pollMs?: number
  /** Close a connection whose handshake and request take longer than this (ms): no peer can hold the server. Default 10000. */
  handshakeTimeoutMs?: number
  clock?: Clock
  sink: ServerSink
}

/**
 * An mTLS server that presents an X509-SVID from a directory, requires and verifies
 * client SVIDs with the verify core (bundle chosen by the client's trust domain), answers
 * one request per connection, and hot-reloads rotated material. With `reload` other than
 * `reference` it imitates a naive server (docs/rotation.md R15) for race tests.
 */
export class SvidServer {
  private server?: Server
  private consumer?: Consumer
  private rawWatchers: FSWatcher[] = []
  private current?: LoadedSet
  private context?: SecureContext
  private bundleHash?: string
  /** Authorities of the own trust domain, from the bundle of the set served. */
  private trust: ParsedCertificate[] = []
  readonly clock: Clock
  readonly reload: ServerReload
  /** The serial presented to new connections. */
  servedSerial?: string
  /** Hashes of the files of the set in use (as `rotate` reports them in its `done` events). */
  loaded?: {cert: string; key: string; bundle: string}

  constructor(private readonly o: ServerOptions) {
    this.clock = o.clock ?? systemClock
    this.reload = o.reload ?? 'reference'
    if ((o.dir === undefined) === (o.credentials === undefined))
      throw usageError('give the server a directory or in-memory credentials, exactly one of them')
    if (o.dir !== undefined && o.names === undefined)
      throw usageError('a server directory needs its file names (names)')
    if (o.credentials && this.reload !== 'reference')
      throw usageError(`in-memory credentials are reloaded by update(), not by the "${this.reload}" imitation`)
  }

  /** The directory and file names, for the modes that read files (every mode but in-memory credentials). */
  private get files(): {dir: string; names: SvidFileNames} {
    return {dir: this.o.dir as string, names: this.o.names as SvidFileNames}
  }

  private validate(raw: RawSet): LoadedSet {
    return validateSet(raw, {at: this.clock.now()})
  }

  /**
   * Returns the serial now served after replacing in-memory credentials: the set is validated
   * first (a torn or mismatched set throws and the old one stays), then adopted as a reload.
   */
  update(credentials: ServerCredentials): string {
    if (!this.o.credentials)
      throw usageError('update() is for a server started with in-memory credentials; this one reloads its directory')
    const set = this.validate({
      cert: bytes(credentials.cert),
      key: bytes(credentials.key),
      bundle: bytes(credentials.bundle),
    })
    this.apply(set)
    return set.serial
  }

  private emit(type: Parameters<ServerSink>[0]['type'], fields: Record<string, unknown> = {}): void {
    this.o.sink({t: this.clock.monotonicMs(), type, ...fields})
  }

  private contextOptions(set: LoadedSet): SecureContextOptions {
    return serverContextOptions({key: set.raw.key, cert: set.raw.cert, ca: set.raw.bundle}, this.o.tlsVersion ?? 'any')
  }

  /** Returns the bound port once listening. */
  async start(): Promise<number> {
    const c = this.o.credentials
    const first = this.validate(
      c
        ? {cert: bytes(c.cert), key: bytes(c.key), bundle: bytes(c.bundle)}
        : await readSet(this.files.dir, this.files.names),
    )
    const opts = this.contextOptions(first)
    this.current = first
    this.context = createSecureContext(opts)
    this.servedSerial = first.serial
    this.bundleHash = first.sha256.bundle
    this.trust = first.bundle
    this.loaded = first.sha256
    this.server = createServer({
      ...opts,
      requestCert: true,
      // svidkit decides in code (onConnection); 'partial' then takes OpenSSL's verdict against `ca`, as naive servers do.
      rejectUnauthorized: false,
      handshakeTimeout: this.o.handshakeTimeoutMs ?? 10_000,
      ...(this.reload === 'partial'
        ? {}
        : {
            SNICallback: (_name: string, cb: (err: Error | null, ctx?: SecureContext) => void) =>
              cb(null, this.context),
          }),
    })
    this.server.on('secureConnection', (socket) => this.onConnection(socket))
    // A peer that connects and then sends nothing (or never finishes) is cut off, request included.
    this.server.on('connection', (socket) => {
      socket.setTimeout(this.o.handshakeTimeoutMs ?? 10_000, () => socket.destroy())
    })
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      const f = failureFromError(err, 'handshake')
      // Before secureConnection: the client aborted, sent an alert, or spoke another protocol.
      this.emit('connection', {
        peer: null,
        result: 'failed',
        code: f.code,
        message: f.message,
        hint: f.hint,
        side: 'peer',
        remotePort: socket?.remotePort,
      })
    })
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject)
      this.server?.listen(this.o.port, this.o.host, () => resolve())
    })
    const port = (this.server.address() as AddressInfo).port
    this.emit('listening', {host: this.o.host, port, serial: first.serial, reload: this.reload})
    await this.startReloads()
    return port
  }

  private async startReloads(): Promise<void> {
    if (this.o.credentials) return
    if (this.reload === 'unvalidated') {
      for (const d of watchDirs(this.files.dir, [
        this.files.names.cert,
        this.files.names.key,
        this.files.names.bundle,
      ])) {
        try {
          this.rawWatchers.push(watch(d, () => this.unvalidatedReload()))
        } catch {
          // a missing dir is simply not watched: this server is naive on purpose
        }
      }
      return
    }
    this.consumer = createConsumer(this.o.strategy ?? 'reference', {
      dir: this.files.dir,
      names: this.files.names,
      clock: this.clock,
      debounceMs: this.o.debounceMs,
      pollMs: this.o.pollMs,
      sink: (e: WatchEvent) => {
        if (e.type === 'invalid') this.emit('invalid', {code: e.code, message: e.message})
        if (e.type === 'error') this.emit('error', {code: e.code, message: e.message})
      },
      onLoad: (set: LoadedSet) => this.apply(set),
    })
    await this.consumer.start()
  }

  /** Adopts a new set as the reload mode does. */
  private apply(set: LoadedSet): void {
    if (!this.server || set.hash === this.current?.hash) return
    const full = this.contextOptions(set)
    try {
      if (this.reload === 'partial') {
        // The bug R15 (docs/rotation.md): setSecureContext builds from these options alone, so `ca` is gone.
        this.server.setSecureContext({key: full.key, cert: full.cert})
      } else if (this.reload === 'sni') {
        this.context = createSecureContext(full)
      } else {
        this.context = createSecureContext(full)
        this.server.setSecureContext(full)
      }
    } catch (err) {
      this.emit('error', {
        code: (err as NodeJS.ErrnoException).code ?? 'reload-failed',
        message: (err as Error).message,
      })
      return
    }
    const trustChanged = set.sha256.bundle !== this.bundleHash
    // Tickets are off; rotating the keys on a trust change keeps a removed CA from resuming even if they were on.
    if (trustChanged && this.reload === 'reference') this.server.setTicketKeys(randomBytes(48))
    this.current = set
    this.bundleHash = set.sha256.bundle
    // Naive consumers do not read the bundle: the server reads its ca file itself (on reload, never per handshake).
    this.trust =
      set.bundle.length > 0
        ? set.bundle
        : trustFrom(set.raw.bundle ?? readBundleFile(this.files.dir, this.files.names), this.trust)
    this.servedSerial = set.serial
    this.loaded = set.sha256
    this.emit('reload', {serial: set.serial, trustChanged, sha256: set.sha256})
  }

  /** 'unvalidated': installs whatever is on disk at each event, as a naive server does. */
  private unvalidatedReload(): void {
    if (!this.server) return
    try {
      const set = readUnvalidated(this.files.dir, this.files.names, this.o.tlsVersion ?? 'any')
      this.context = createSecureContext(set.options)
      this.server.setSecureContext(set.options)
      // Naive: it trusts exactly what it read, as OpenSSL does with `ca`.
      this.trust = set.trust
      if (JSON.stringify(set.sha256) !== JSON.stringify(this.loaded))
        this.emit('reload', {serial: set.serial, validated: false, sha256: set.sha256})
      this.loaded = set.sha256
      this.servedSerial = set.serial
    } catch (err) {
      this.emit('error', {
        code: (err as NodeJS.ErrnoException).code ?? 'reload-failed',
        message: (err as Error).message,
      })
    }
  }

  private bundlesFor(): BundleSet {
    const own = this.current
    const set: BundleSet = {byTrustDomain: new Map(this.o.extraBundles?.byTrustDomain ?? []), warnings: [], unbound: []}
    if (own) {
      const td = own.spiffeId.slice('spiffe://'.length).split('/')[0]
      set.byTrustDomain.set(td, {
        trustDomain: td,
        authorities: this.trust,
        sources: [
          {
            path: this.o.dir === undefined ? '(in memory)' : join(this.files.dir, this.files.names.bundle),
            binding: 'san',
          },
        ],
      })
    }
    return set
  }

  private onConnection(socket: TLSSocket): void {
    const protocol = socket.getProtocol()
    const resumed = socket.isSessionReused()
    const reject = (code: string, message: string, hint: string, peer: string | null = null) => {
      this.emit('connection', {
        peer,
        result: 'rejected',
        code,
        message,
        hint,
        side: 'local',
        protocol,
        resumed,
        serial: this.servedSerial,
        remotePort: socket.remotePort,
      })
      socket.destroy()
    }
    const verdict = checkClient(socket, {
      partial: this.reload === 'partial',
      bundles: () => this.bundlesFor(),
      at: this.clock.now(),
      expectIds: this.o.expectIds,
      expectTrustDomain: this.o.expectTrustDomain,
    })
    if (!verdict.ok) return reject(verdict.code, verdict.message, verdict.hint, verdict.peer)
    this.emit('connection', {peer: verdict.spiffeId, result: 'accepted', protocol, resumed, serial: this.servedSerial})
    socket.once('data', () => {
      socket.end(
        `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nsvidkit ok ${verdict.spiffeId} served ${this.servedSerial}\n`,
      )
    })
    socket.on('error', () => socket.destroy())
  }

  async stop(): Promise<void> {
    await this.consumer?.stop()
    for (const w of this.rawWatchers) w.close()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
