/**
 * The gRPC side of the Workload API test server: the SpiffeWorkloadAPI service of
 * proto/workload.proto over @grpc/grpc-js, the security-header check, the open streams
 * and the request-time faults (Unavailable, PermissionDenied, slow first message).
 */
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import type {Material} from './material.js'
import type {EventBody, RpcName} from './events.js'
import {JwtSvidInvalid, toStruct} from './jwt.js'
import {Backpressure, messageBytes, type Outbox} from './backpressure.js'

/** The repository's workload.proto (shipped with the package). */
export const WORKLOAD_PROTO = fileURLToPath(new URL('../../../proto/workload.proto', import.meta.url))

/** The metadata key every Workload API request must carry with value "true" (SPIFFE Workload Endpoint). */
export const SECURITY_HEADER = 'workload.spiffe.io'

/** Status messages clients see; all but `unavailable` are SPIRE's wording. */
export const MESSAGES = {
  header: 'security header missing from request',
  noIdentity: 'no identity issued',
  unavailable: 'workload api unavailable (svidkit fault)',
  audience: 'audience must be specified',
  svid: 'svid must be specified',
} as const

type StreamRpc = 'FetchX509SVID' | 'FetchX509Bundles' | 'FetchJWTBundles'
type Refusal = {code: grpc.status; details: string}

/** Returns the loaded service definition (field names kept as in the proto). */
export function loadWorkloadService(): grpc.ServiceDefinition {
  const def = protoLoader.loadSync(WORKLOAD_PROTO, {keepCase: true, defaults: true, longs: String})
  const pkg = grpc.loadPackageDefinition(def) as unknown as {SpiffeWorkloadAPI: grpc.ServiceClientConstructor}
  return pkg.SpiffeWorkloadAPI.service
}

type X509Call = grpc.ServerWritableStream<unknown, unknown>

interface OpenStream {
  id: number
  client: string
  rpc: StreamRpc
  call: X509Call
  outbox: Outbox
  /** Key of the last state sent; undefined until the first message. */
  lastKey?: string
  ended: boolean
}

const statusName = (code: grpc.status): string => grpc.status[code] ?? String(code)

/** Returns the service: call `handlers()` for grpc-js and the fault setters from the server. */
export class WorkloadService {
  private readonly streams = new Set<OpenStream>()
  private nextStream = 1
  unavailableUntil = 0
  permissionDeniedUntil = 0
  slowFirstMs = 0
  /** Limits and counters of slow readers. */
  backpressure = new Backpressure()
  /** Closes the connection of a client (set by the server). */
  cutConnection: (client: string) => void = () => {}

  constructor(
    private readonly material: () => Material,
    private readonly emit: (e: EventBody) => void,
    private readonly now: () => number,
    private readonly jwtTtlMs: number,
    private readonly wallClock: () => Date,
  ) {}

  /** Returns the refusal for a request, or undefined to accept it. */
  private refusal(call: {metadata: grpc.Metadata}, rpc: RpcName): Refusal | undefined {
    const header = call.metadata.get(SECURITY_HEADER)
    if (header.length !== 1 || header[0] !== 'true')
      return {code: grpc.status.INVALID_ARGUMENT, details: MESSAGES.header}
    if (this.now() < this.unavailableUntil) return {code: grpc.status.UNAVAILABLE, details: MESSAGES.unavailable}
    // Validation needs no identity of the caller's own; every fetch does.
    if (rpc !== 'ValidateJWTSVID' && this.now() < this.permissionDeniedUntil)
      return {code: grpc.status.PERMISSION_DENIED, details: MESSAGES.noIdentity}
    return undefined
  }

  private request(peer: string, rpc: RpcName, stream: number, refusal?: Refusal): void {
    this.emit({
      type: 'request',
      client: peer,
      stream,
      rpc,
      accepted: !refusal,
      ...(refusal ? {code: statusName(refusal.code), message: refusal.details} : {}),
    })
  }

  private stateKey(s: OpenStream): string {
    const m = this.material()
    if (s.rpc === 'FetchJWTBundles') return JSON.stringify(m.jwt.jwks(m.emptyBundle))
    return JSON.stringify(s.rpc === 'FetchX509SVID' ? [m.sentSvids(), m.sentBundles()] : m.sentBundles())
  }

  private send(s: OpenStream): void {
    if (s.ended || s.outbox.blocked) {
      if (!s.ended) s.outbox.coalesce() // the newest state goes out when the stream drains
      return
    }
    const m = this.material()
    const key = this.stateKey(s)
    const message =
      s.rpc === 'FetchJWTBundles'
        ? m.jwtBundlesResponse()
        : s.rpc === 'FetchX509SVID'
          ? m.x509SvidResponse()
          : m.x509BundlesResponse()
    s.outbox.write(message, messageBytes(message))
    s.lastKey = key
    this.emit({
      type: 'message',
      client: s.client,
      stream: s.id,
      rpc: s.rpc,
      ...(s.rpc === 'FetchX509SVID' ? {svids: m.sentSvids()} : {}),
      bundles:
        s.rpc === 'FetchJWTBundles'
          ? {[m.trustDomainId]: m.jwt.jwks(m.emptyBundle).keys.map((k) => String(k.kid))}
          : m.sentBundles(),
    })
  }

  /** A stream that took nothing for the limit: end it and close its connection (its HTTP/2 buffers go with it). */
  private stuck(s: OpenStream): void {
    this.finished(
      s,
      statusName(grpc.status.RESOURCE_EXHAUSTED),
      `client not reading: blocked for ${this.backpressure.limits.maxBlockedMs}ms, connection closed`,
    )
    this.cutConnection(s.client)
  }

  private stream(rpc: StreamRpc) {
    return (call: X509Call) => {
      const id = this.nextStream++
      const client = call.getPeer()
      const refusal = this.refusal(call, rpc)
      this.request(client, rpc, id, refusal)
      if (refusal) {
        call.emit('error', refusal)
        return
      }
      const s: OpenStream = {
        id,
        client,
        rpc,
        call,
        ended: false,
        outbox: this.backpressure.outbox(call, {drained: () => this.send(s), stuck: () => this.stuck(s)}),
      }
      this.streams.add(s)
      call.on('cancelled', () => this.finished(s, 'CANCELLED', 'cancelled by the client'))
      call.on('error', () => this.finished(s, 'CANCELLED', 'stream error'))
      // unref: a pending first message never keeps a closed server's process alive (send() skips ended streams).
      if (this.slowFirstMs > 0) setTimeout(() => this.send(s), this.slowFirstMs).unref()
      else this.send(s)
    }
  }

  /** Records the end of a stream; `byServer` when the server ended it (its status may wait behind queued messages). */
  private finished(s: OpenStream, code: string, message?: string, byServer = false): void {
    if (s.ended) return
    s.ended = true
    s.outbox.close(byServer)
    this.streams.delete(s)
    this.emit({type: 'stream-end', client: s.client, stream: s.id, rpc: s.rpc, code, ...(message ? {message} : {})})
  }

  /** A unary RPC: refusals first, then `answer` (which may refuse in turn). */
  private unary<Req>(
    rpc: RpcName,
    answer: (req: Req) => Promise<{refusal: Refusal} | {response: object; event?: Partial<EventBody>}>,
  ) {
    return (call: grpc.ServerUnaryCall<Req, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const id = this.nextStream++
      const client = call.getPeer()
      const refused = this.refusal(call, rpc)
      const run = refused ? Promise.resolve({refusal: refused}) : answer(call.request)
      const internal = (err: unknown) => ({
        refusal: {code: grpc.status.INTERNAL, details: `internal error: ${(err as Error).message}`},
      })
      void run.catch(internal).then((r) => {
        if ('refusal' in r) {
          this.request(client, rpc, id, r.refusal)
          callback(r.refusal)
          return
        }
        this.request(client, rpc, id)
        callback(null, r.response)
        if (r.event) this.emit({type: 'message', client, stream: id, rpc, bundles: {}, ...r.event} as EventBody)
      })
    }
  }

  private async fetchJwtSvid(req: {audience?: string[]; spiffe_id?: string}) {
    const audience = (req.audience ?? []).filter((a) => a !== '')
    if (audience.length === 0) return {refusal: {code: grpc.status.INVALID_ARGUMENT, details: MESSAGES.audience}}
    const m = this.material()
    const wanted = m.identities.filter((i) => !req.spiffe_id || i.spiffeId === req.spiffe_id)
    if (wanted.length === 0) return {refusal: {code: grpc.status.PERMISSION_DENIED, details: MESSAGES.noIdentity}}
    const now = this.wallClock()
    const svids = await Promise.all(
      wanted.map(async (i) => ({
        spiffe_id: i.spiffeId,
        svid: await m.jwt.sign(i.spiffeId, audience, now, this.jwtTtlMs),
        hint: i.hint,
      })),
    )
    return {
      response: {svids},
      event: {jwtSvids: wanted.map((i) => ({spiffeId: i.spiffeId, hint: i.hint, kid: m.jwt.kid, audience}))},
    }
  }

  private async validateJwtSvid(req: {audience?: string; svid?: string}) {
    if (!req.audience) return {refusal: {code: grpc.status.INVALID_ARGUMENT, details: MESSAGES.audience}}
    if (!req.svid) return {refusal: {code: grpc.status.INVALID_ARGUMENT, details: MESSAGES.svid}}
    const m = this.material()
    try {
      const {spiffeId, claims} = await m.jwt.validate(
        req.svid,
        req.audience,
        m.authority.trustDomain.name,
        this.wallClock(),
        m.emptyBundle,
      )
      return {response: {spiffe_id: spiffeId, claims: toStruct(claims)}}
    } catch (err) {
      if (!(err instanceof JwtSvidInvalid)) throw err
      return {refusal: {code: grpc.status.INVALID_ARGUMENT, details: err.message}}
    }
  }

  /** Returns the grpc-js handlers of every RPC of the proto. */
  handlers(): grpc.UntypedServiceImplementation {
    return {
      FetchX509SVID: this.stream('FetchX509SVID'),
      FetchX509Bundles: this.stream('FetchX509Bundles'),
      FetchJWTSVID: this.unary('FetchJWTSVID', (req: {audience?: string[]; spiffe_id?: string}) =>
        this.fetchJwtSvid(req),
      ),
      FetchJWTBundles: this.stream('FetchJWTBundles'),
      ValidateJWTSVID: this.unary('ValidateJWTSVID', (req: {audience?: string; svid?: string}) =>
        this.validateJwtSvid(req),
      ),
    }
  }

  /** Sends the current state on every stream whose state changed (all of them with `force`). */
  push(force = false): void {
    for (const s of this.streams) {
      if (s.lastKey === undefined) continue // its (slow) first message is still due and will carry this state
      if (force || s.lastKey !== this.stateKey(s)) this.send(s)
    }
  }

  /** Ends every open stream with `code` (OK ends it cleanly); `rpcs` limits which. */
  endStreams(code: grpc.status, details: string, rpcs?: StreamRpc[]): number {
    let n = 0
    for (const s of [...this.streams]) {
      if (rpcs && !rpcs.includes(s.rpc)) continue
      this.finished(s, statusName(code), details, true)
      if (code === grpc.status.OK) s.call.end()
      else s.call.emit('error', {code, details})
      n++
    }
    return n
  }

  /** Returns the number of open streams. */
  get openStreams(): number {
    return this.streams.size
  }
}
