/**
 * `startWorkloadApi`: the SPIFFE Workload API test server, in-process. It owns the Unix
 * socket, the timers of `rotateEveryMs` and the plan, and the faults that act over time.
 */
import * as grpc from '@grpc/grpc-js'
import {SvidkitError} from '../errors.js'
import {systemClock} from '../clock.js'
import {loadAuthority} from '../ca/store.js'
import type {Authority} from '../ca/authority.js'
import {checkDefectName} from '../defects/index.js'
import {loadFederated} from './federate.js'
import {Material} from './material.js'
import {DEFAULT_JWT_TTL_MS} from './jwt.js'
import {listenUnix, removeSocket} from './socket.js'
import {Connections} from './connection.js'
import {Backpressure, DEFAULT_BACKPRESSURE, type BackpressureStats} from './backpressure.js'
import {loadWorkloadService, MESSAGES, WorkloadService} from './service.js'
import {summaryCollector, type ClientSummary, type EventBody, type WorkloadEvent} from './events.js'
import {parseIdentity, socketPathOf, type CaOverlap, type RotationKind, type WorkloadApiOptions} from './options.js'
import type {PlanAction} from './plan.js'

const PLAN_STOP = 'plan stop step'

/** A running server. */
export interface WorkloadApiHandle {
  /** Absolute path of the Unix socket. */
  socketPath: string
  /** The value for SPIFFE_ENDPOINT_SOCKET: `unix://<socketPath>`. */
  endpoint: string
  /** Rotates now (defaults: the server's kind and overlap) and pushes the change to every stream. */
  rotate(opts?: {kind?: RotationKind; overlap?: CaOverlap; reissue?: boolean; bundleDelayMs?: number}): Promise<void>
  /** Runs one plan action now (faults, pushes, closing streams). */
  apply(action: PlanAction): Promise<void>
  /** Returns what each client received so far. */
  summary(): ClientSummary[]
  /** Returns the open connections and streams and the counters of slow readers (docs/workload-api.md "Slow readers"). */
  stats(): WorkloadApiStats
  /** Ends every stream, stops listening and removes the socket; returns the final summary. */
  close(reason?: string): Promise<ClientSummary[]>
  /** Resolves once the server is closed (by `close()` or a plan `stop` step). */
  closed: Promise<void>
}

/** Connections, streams and the backpressure counters of a running server. */
export interface WorkloadApiStats extends BackpressureStats {
  connections: number
  streams: number
  /** Disconnected clients dropped from the per-client summary (it keeps the latest 1,000). */
  clientsDropped: number
}

/**
 * Throws a usage error for rotations that could only fail later: an intermediate rotation
 * of a CA without intermediates, or a bundle delay on leaf rotations (nothing to delay).
 */
function checkRotations(options: WorkloadApiOptions, authority: Authority): void {
  const kinds = [
    ...(options.rotateEveryMs ? [{kind: options.kind ?? 'leaf', bundleDelayMs: options.faults?.bundleDelayMs}] : []),
  ]
  for (const step of options.plan ?? [])
    if (step.do === 'rotate') kinds.push({kind: step.kind ?? options.kind ?? 'leaf', bundleDelayMs: step.bundleDelayMs})
  if (kinds.some((k) => k.kind === 'intermediate') && authority.intermediates.length === 0) {
    throw new SvidkitError('usage', 'intermediate rotations need a CA with at least one intermediate', {
      hint: 'create the CA with --intermediates 1 or more',
    })
  }
  if (kinds.some((k) => k.kind === 'leaf' && k.bundleDelayMs)) {
    throw new SvidkitError(
      'usage',
      'a bundle delay needs a CA rotation (kind intermediate or root): a leaf rotation does not change the bundle',
    )
  }
}

/**
 * Returns a running Workload API server on a Unix socket, serving SVIDs issued from the
 * CA for every identity. Throws usage errors (exit 2) for bad options and exit-3 errors
 * for an unreadable CA or federated bundle and a socket that cannot be bound.
 */
export async function startWorkloadApi(options: WorkloadApiOptions): Promise<WorkloadApiHandle> {
  const clock = options.clock ?? systemClock
  const t0 = clock.monotonicMs()
  const since = () => Math.round((clock.monotonicMs() - t0) * 10) / 10
  const summary = summaryCollector()
  let silent = false
  const emit = (e: EventBody) => {
    if (silent) return
    const ev = {t: since(), ...e} as WorkloadEvent
    summary.add(ev)
    options.onEvent?.(ev)
  }

  if (options.identities.length === 0)
    throw new SvidkitError('usage', 'at least one --spiffe-id is needed', {
      hint: 'pass --spiffe-id spiffe://<td>/<path>[#hint]',
    })
  const identities = options.identities.map((i) => (typeof i === 'string' ? parseIdentity(i) : i))
  const kind = options.kind ?? 'leaf'
  const overlap = options.caOverlap ?? 'add'
  if (options.rotateEveryMs !== undefined && !(options.rotateEveryMs > 0))
    throw new SvidkitError('usage', '--rotate-every must be positive')
  if (options.faults?.defect) checkDefectName(options.faults.defect)
  const socketPath = socketPathOf(options.socketPath)
  const authority: Authority = typeof options.ca === 'string' ? loadAuthority(options.ca) : options.ca
  checkRotations(options, authority)
  const federated = loadFederated(options.federate ?? [], authority.trustDomain.name)
  const material = await Material.create(
    authority,
    identities,
    federated,
    {keyType: options.keyType, ttlMs: options.ttlMs, clock, seed: options.seed},
    options.faults?.defect,
  )
  material.emptyBundle = options.faults?.emptyBundle ?? false

  const service = new WorkloadService(
    () => material,
    emit,
    since,
    options.jwtTtlMs ?? DEFAULT_JWT_TTL_MS,
    () => clock.now(),
  )
  service.slowFirstMs = options.faults?.slowFirstMs ?? 0
  service.backpressure = new Backpressure({
    maxQueuedBytes: options.backpressure?.maxQueuedBytes ?? DEFAULT_BACKPRESSURE.maxQueuedBytes,
    maxBlockedMs: options.backpressure?.maxBlockedMs ?? DEFAULT_BACKPRESSURE.maxBlockedMs,
  })
  if (options.faults?.unavailableMs) service.unavailableUntil = options.faults.unavailableMs
  if (options.faults?.permissionDenied) service.permissionDeniedUntil = Infinity
  const bundleDelayMs = options.faults?.bundleDelayMs ?? 0

  const server = new grpc.Server()
  server.addService(loadWorkloadService(), service.handlers())
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure())
  const connections = new Connections(server, injector, {
    connected: (client) => emit({type: 'connection', client}),
    disconnected: (client) => emit({type: 'disconnect', client}),
  })
  service.cutConnection = (client) => connections.destroy(client)
  const net = await listenUnix(socketPath, (socket) => connections.accept(socket))
  const endpoint = `unix://${socketPath}`
  emit({type: 'listening', socket: socketPath, endpoint})
  for (const [name, active] of [
    ['defect', options.faults?.defect],
    ['empty-bundle', options.faults?.emptyBundle],
    ['permission-denied', options.faults?.permissionDenied],
    ['unavailable', options.faults?.unavailableMs],
    ['slow-first', options.faults?.slowFirstMs],
    ['bundle-late', bundleDelayMs || undefined],
  ] as const) {
    if (active) emit({type: 'fault', fault: name, active: true, detail: String(active)})
  }

  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, fn: () => void) => {
    if (closing) return
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }
  // Changes run one at a time, in order (timer rotations, plan steps and API calls alike).
  let queue: Promise<void> = Promise.resolve()
  const serial = (fn: () => Promise<void> | void): Promise<void> => {
    const run = queue.then(fn)
    queue = run.catch((err) => emit({type: 'fault', fault: 'error', active: false, detail: (err as Error).message}))
    return run
  }

  let closing: Promise<ClientSummary[]> | undefined
  let resolveClosed!: () => void
  const closed = new Promise<void>((r) => (resolveClosed = r))

  const rotate = async (
    o: {kind?: RotationKind; overlap?: CaOverlap; reissue?: boolean; bundleDelayMs?: number} = {},
  ) => {
    if (closing) return
    const k = o.kind ?? kind
    const delay = k === 'leaf' ? 0 : (o.bundleDelayMs ?? bundleDelayMs)
    const reissued = await material.rotate(k, o.overlap ?? overlap, {reissue: o.reissue, holdBundle: delay > 0})
    emit({
      type: 'rotation',
      rotation: material.rotations,
      kind: k,
      ...(k === 'root' ? {overlap: o.overlap ?? overlap} : {}),
      reissued,
      ...(delay > 0 ? {bundleDelayMs: delay} : {}),
    })
    service.push()
    if (delay > 0) {
      emit({type: 'fault', fault: 'bundle-late', active: true, detail: `bundle follows in ${delay}ms`})
      later(
        delay,
        () =>
          void serial(() => {
            material.publishBundle()
            emit({type: 'fault', fault: 'bundle-late', active: false, detail: 'bundle published'})
            service.push()
          }),
      )
    }
  }

  const apply = async (a: PlanAction): Promise<void> => {
    if (closing) return
    switch (a.do) {
      case 'rotate':
        return rotate(a)
      case 'push':
        service.push(true)
        return
      case 'close-streams': {
        const n = service.endStreams(grpc.status.OK, 'stream closed by the server')
        emit({type: 'fault', fault: 'close-streams', active: true, detail: `${n} streams closed`})
        return
      }
      case 'unavailable': {
        service.unavailableUntil = since() + a.forMs
        const n = service.endStreams(grpc.status.UNAVAILABLE, MESSAGES.unavailable)
        emit({type: 'fault', fault: 'unavailable', active: true, detail: `${a.forMs}ms, ${n} streams ended`})
        later(a.forMs, () => emit({type: 'fault', fault: 'unavailable', active: false}))
        return
      }
      case 'permission-denied': {
        service.permissionDeniedUntil = a.forMs === undefined ? Infinity : since() + a.forMs
        const n = service.endStreams(grpc.status.PERMISSION_DENIED, MESSAGES.noIdentity)
        emit({
          type: 'fault',
          fault: 'permission-denied',
          active: true,
          detail: `${a.forMs ?? 'until clear'}ms, ${n} streams ended`,
        })
        if (a.forMs !== undefined)
          later(a.forMs, () => emit({type: 'fault', fault: 'permission-denied', active: false}))
        return
      }
      case 'defect':
        material.setDefect(a.name)
        await material.reissue()
        emit({type: 'fault', fault: 'defect', active: true, detail: a.name})
        service.push()
        return
      case 'empty-bundle':
        material.emptyBundle = true
        emit({type: 'fault', fault: 'empty-bundle', active: true})
        service.push()
        return
      case 'slow-first':
        service.slowFirstMs = a.delayMs
        emit({type: 'fault', fault: 'slow-first', active: a.delayMs > 0, detail: `${a.delayMs}ms`})
        return
      case 'clear':
        service.unavailableUntil = 0
        service.permissionDeniedUntil = 0
        service.slowFirstMs = 0
        material.emptyBundle = false
        if (material.clearDefect()) await material.reissue()
        material.publishBundle()
        emit({type: 'fault', fault: 'clear', active: false})
        service.push()
        return
      case 'stop':
        void close(PLAN_STOP)
        return
    }
  }

  const close = (reason = 'closed'): Promise<ClientSummary[]> => {
    closing ??= (async () => {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      if (tick) clearInterval(tick)
      service.endStreams(grpc.status.OK, 'server stopping')
      const stopped = new Promise<void>((r) => net.close(() => r()))
      // Let clients read the final status and the GOAWAY, then cut whatever is left.
      injector.drain(200)
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 300))])
      injector.destroy()
      connections.destroyAll()
      await stopped
      removeSocket(socketPath)
      const clientsSummary = summary.clients()
      const {coalescedUpdates, closedBlockedStreams, peakQueuedBytes} = service.backpressure.stats
      emit({
        type: 'summary',
        clients: clientsSummary,
        clientsDropped: summary.dropped(),
        slowReaders: {coalescedUpdates, closedBlockedStreams, peakQueuedBytes},
      })
      emit({type: 'stopped', reason})
      silent = true // late socket closes are not reported after the summary
      if (reason === PLAN_STOP) options.onStop?.()
      resolveClosed()
      return clientsSummary
    })()
    return closing
  }

  if (options.faults?.unavailableMs)
    later(options.faults.unavailableMs, () => emit({type: 'fault', fault: 'unavailable', active: false}))
  const tick = options.rotateEveryMs ? setInterval(() => void serial(() => rotate()), options.rotateEveryMs) : undefined
  for (const step of options.plan ?? []) later(step.atMs, () => void serial(() => apply(step)))

  return {
    socketPath,
    endpoint,
    rotate: (o) => serial(() => rotate(o)),
    apply: (a) => serial(() => apply(a)),
    summary: () => summary.clients(),
    stats: () => ({
      connections: connections.open,
      streams: service.openStreams,
      clientsDropped: summary.dropped(),
      ...service.backpressure.stats,
    }),
    close,
    closed,
  }
}
