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

/** The repository's workload.proto (shipped with the package). */
export const WORKLOAD_PROTO = fileURLToPath(new URL('../../../proto/workload.proto', import.meta.url))

/** The metadata key every Workload API request must carry with value "true" (SPIFFE Workload Endpoint). */
export const SECURITY_HEADER = 'workload.spiffe.io'

/** Status messages clients see; the first two are SPIRE's wording. */
export const MESSAGES = {
  header: 'security header missing from request',
  noIdentity: 'no identity issued',
  unavailable: 'workload api unavailable (svidkit fault)',
  jwt: 'svidkit serves the X509-SVID profile only: JWT-SVIDs are not implemented',
} as const

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
  rpc: 'FetchX509SVID' | 'FetchX509Bundles'
  call: X509Call
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

  constructor(
    private readonly material: () => Material,
    private readonly emit: (e: EventBody) => void,
    private readonly now: () => number,
  ) {}

  /** Returns the refusal for a request, or undefined to accept it. */
  private refusal(call: {metadata: grpc.Metadata}, rpc: RpcName): {code: grpc.status; details: string} | undefined {
    const header = call.metadata.get(SECURITY_HEADER)
    if (header.length !== 1 || header[0] !== 'true') return {code: grpc.status.INVALID_ARGUMENT, details: MESSAGES.header}
    if (this.now() < this.unavailableUntil) return {code: grpc.status.UNAVAILABLE, details: MESSAGES.unavailable}
    if (rpc.startsWith('FetchX509') && this.now() < this.permissionDeniedUntil) return {code: grpc.status.PERMISSION_DENIED, details: MESSAGES.noIdentity}
    if (!rpc.startsWith('FetchX509')) return {code: grpc.status.UNIMPLEMENTED, details: MESSAGES.jwt}
    return undefined
  }

  private request(peer: string, rpc: RpcName, stream: number, refusal?: {code: grpc.status; details: string}): void {
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
    return JSON.stringify(s.rpc === 'FetchX509SVID' ? [m.sentSvids(), m.sentBundles()] : m.sentBundles())
  }

  private send(s: OpenStream): void {
    if (s.ended) return
    const m = this.material()
    s.lastKey = this.stateKey(s)
    s.call.write(s.rpc === 'FetchX509SVID' ? m.x509SvidResponse() : m.x509BundlesResponse())
    this.emit({
      type: 'message',
      client: s.client,
      stream: s.id,
      rpc: s.rpc,
      ...(s.rpc === 'FetchX509SVID' ? {svids: m.sentSvids()} : {}),
      bundles: m.sentBundles(),
    })
  }

  private stream(rpc: OpenStream['rpc']) {
    return (call: X509Call) => {
      const id = this.nextStream++
      const client = call.getPeer()
      const refusal = this.refusal(call, rpc)
      this.request(client, rpc, id, refusal)
      if (refusal) {
        call.emit('error', refusal)
        return
      }
      const s: OpenStream = {id, client, rpc, call, ended: false}
      this.streams.add(s)
      call.on('cancelled', () => this.finished(s, 'CANCELLED', 'cancelled by the client'))
      call.on('error', () => this.finished(s, 'CANCELLED', 'stream error'))
      if (this.slowFirstMs > 0) setTimeout(() => this.send(s), this.slowFirstMs)
      else this.send(s)
    }
  }

  private finished(s: OpenStream, code: string, message?: string): void {
    if (s.ended) return
    s.ended = true
    this.streams.delete(s)
    this.emit({type: 'stream-end', client: s.client, stream: s.id, rpc: s.rpc, code, ...(message ? {message} : {})})
  }

  private unary(rpc: RpcName) {
    return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const refusal = this.refusal(call, rpc) ?? {code: grpc.status.UNIMPLEMENTED, details: MESSAGES.jwt}
      this.request(call.getPeer(), rpc, this.nextStream++, refusal)
      callback(refusal)
    }
  }

  private jwtBundles() {
    return (call: X509Call) => {
      const refusal = this.refusal(call, 'FetchJWTBundles') ?? {code: grpc.status.UNIMPLEMENTED, details: MESSAGES.jwt}
      this.request(call.getPeer(), 'FetchJWTBundles', this.nextStream++, refusal)
      call.emit('error', refusal)
    }
  }

  /** Returns the grpc-js handlers of every RPC of the proto. */
  handlers(): grpc.UntypedServiceImplementation {
    return {
      FetchX509SVID: this.stream('FetchX509SVID'),
      FetchX509Bundles: this.stream('FetchX509Bundles'),
      FetchJWTSVID: this.unary('FetchJWTSVID'),
      FetchJWTBundles: this.jwtBundles(),
      ValidateJWTSVID: this.unary('ValidateJWTSVID'),
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
  endStreams(code: grpc.status, details: string, rpcs?: OpenStream['rpc'][]): number {
    let n = 0
    for (const s of [...this.streams]) {
      if (rpcs && !rpcs.includes(s.rpc)) continue
      this.finished(s, statusName(code), details)
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
