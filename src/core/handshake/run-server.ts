import {systemClock} from '../clock.js'
import {SvidkitError, usageError} from '../errors.js'
import {loadBundleSpecs} from '../bundle/index.js'
import {parseSpiffeIdArg, parseTrustDomainArg} from '../spiffe-id/index.js'
import {resolveLayout, type LayoutName} from '../fs/layout.js'
import {SvidServer, type ServerReload} from './server.js'
import type {ServerEvent, ServerSink} from './server-events.js'
import type {TlsVersionChoice} from './tls-options.js'

/** Options of `serve`. */
export interface RunServerOptions {
  listen: string
  dir: string
  layout?: LayoutName
  names?: {cert?: string; key?: string; bundle?: string}
  /** Bundles of other trust domains (federation), `TD=FILE`. */
  bundles?: string[]
  expectIds?: string[]
  expectTrustDomain?: string
  tlsVersion?: TlsVersionChoice
  reload?: ServerReload
  strategy?: string
  debounceMs?: number
  pollMs?: number
  /** Stop after N connections. */
  count?: number
  timeoutMs?: number
  /** Close a connection whose handshake and request take longer (ms). Default 10000. */
  handshakeTimeoutMs?: number
  sink: ServerSink
  abort?: AbortSignal
}

/** What a server run saw. */
export interface ServerSummary {
  ok: boolean
  port: number
  connections: number
  accepted: number
  /** Connections this server refused (client SVID rejected). */
  rejected: number
  /** Handshakes that broke on the client's side (it aborted or rejected us). */
  failed: number
  reloads: number
  rejectedByCause: Record<string, number>
}

/** Returns host and port of `[HOST:]PORT` (default host 127.0.0.1; port 0 = any free port). */
export function parseListen(text: string): {host: string; port: number} {
  const m = /^(?:(?:\[([^\]]+)\]|([^:]+)):)?(\d{1,5})$/.exec(text)
  const port = m ? Number(m[3]) : Number.NaN
  if (!m || port > 65_535)
    throw usageError(`invalid listen address "${text}"`, 'give [HOST:]PORT, e.g. 8443 or 0.0.0.0:8443')
  return {host: m[1] ?? m[2] ?? '127.0.0.1', port}
}

/**
 * Returns the summary of serving mTLS from an SVID directory until `count` connections,
 * `timeoutMs` or `abort`: every client SVID verified with the verify core, hot reload of
 * the directory with the chosen reload mode, one event per connection and reload.
 */
export async function runServer(o: RunServerOptions): Promise<ServerSummary> {
  const {host, port} = parseListen(o.listen)
  const expectIds = (o.expectIds ?? []).map(parseSpiffeIdArg)
  const expectTd = o.expectTrustDomain === undefined ? undefined : parseTrustDomainArg(o.expectTrustDomain)
  const extra = (o.bundles ?? []).length
    ? loadBundleSpecs(o.bundles ?? [], {expectedTrustDomain: expectTd?.name})
    : undefined
  const {names} = resolveLayout(o.dir, {layout: o.layout, names: o.names})
  // Counters only: a server may see millions of connections, none of them is kept.
  const tally = {connections: 0, rejected: 0, failed: 0, reloads: 0, byCause: {} as Record<string, number>}
  let finish!: () => void
  const done = new Promise<void>((r) => (finish = r))
  const server = new SvidServer({
    host,
    port,
    dir: o.dir,
    names,
    extraBundles: extra,
    expectIds,
    expectTrustDomain: expectTd,
    tlsVersion: o.tlsVersion,
    reload: o.reload,
    strategy: o.strategy,
    debounceMs: o.debounceMs,
    pollMs: o.pollMs,
    handshakeTimeoutMs: o.handshakeTimeoutMs,
    clock: systemClock,
    sink: (e) => {
      count(tally, e)
      o.sink(e)
      if (e.type === 'connection' && tally.connections >= (o.count ?? Infinity)) finish()
    },
  })
  let bound: number
  try {
    bound = await server.start()
  } catch (err) {
    await server.stop()
    const e = err as NodeJS.ErrnoException
    if (e.code === 'EADDRINUSE')
      throw new SvidkitError('address-in-use', `cannot listen on "${o.listen}": the port is in use`, {cause: err})
    if (e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      throw new SvidkitError(
        'address-in-use',
        `cannot listen on "${o.listen}": ${e.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : 'no such local address'}`,
        {
          cause: err,
          hint: 'pick a port above 1024 on an address of this host, e.g. 127.0.0.1:8443',
        },
      )
    }
    throw err
  }
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(finish, o.timeoutMs)
  o.abort?.addEventListener('abort', () => finish(), {once: true})
  if (o.abort?.aborted) finish()
  await done
  clearTimeout(timer)
  await server.stop()
  return {
    ok: tally.rejected === 0 && tally.failed === 0,
    port: bound,
    connections: tally.connections,
    accepted: tally.connections - tally.rejected - tally.failed,
    rejected: tally.rejected,
    failed: tally.failed,
    reloads: tally.reloads,
    rejectedByCause: tally.byCause,
  }
}

/** Adds one event to the counters of the summary. */
function count(
  t: {connections: number; rejected: number; failed: number; reloads: number; byCause: Record<string, number>},
  e: ServerEvent,
): void {
  if (e.type === 'reload') t.reloads++
  if (e.type !== 'connection') return
  t.connections++
  if (e.result !== 'rejected' && e.result !== 'failed') return
  if (e.result === 'rejected') t.rejected++
  else t.failed++
  t.byCause[String(e.code)] = (t.byCause[String(e.code)] ?? 0) + 1
}
