/** Human lines for the events of `svidkit workload-api serve` (--json prints the events themselves). */
import type {ClientSummary, SlowReaders, WorkloadEvent} from '../../core/workload/events.js'

const secs = (t: number) => `${(t / 1000).toFixed(3)}s`

/** Returns the line for one event, or undefined for events shown elsewhere. */
export function workloadLine(e: WorkloadEvent): string | undefined {
  const at = secs(e.t).padStart(9)
  switch (e.type) {
    case 'connection':
      return `${at} ${e.client} connected`
    case 'disconnect':
      return `${at} ${e.client} disconnected`
    case 'request':
      return e.accepted
        ? `${at} ${e.client} ${e.rpc} stream ${e.stream} opened`
        : `${at} ${e.client} ${e.rpc} refused: ${e.code} "${e.message}"`
    case 'message': {
      const what = e.svids
        ? e.svids.map((s) => `${s.spiffeId} serial ${s.serial || '-'}${s.hint ? ` [${s.hint}]` : ''}`).join(', ')
        : Object.entries(e.bundles)
            .map(([td, serials]) => `${td} (${serials.length} authorit${serials.length === 1 ? 'y' : 'ies'})`)
            .join(', ')
      return `${at} ${e.client} ${e.rpc} stream ${e.stream} sent: ${what}`
    }
    case 'stream-end':
      return `${at} ${e.client} ${e.rpc} stream ${e.stream} ended: ${e.code}${e.message ? ` "${e.message}"` : ''}`
    case 'rotation':
      return `${at} rotation ${e.rotation} (${e.kind}${e.overlap ? `, ${e.overlap}` : ''})${e.reissued ? ': SVIDs re-issued' : ': bundle only'}${e.bundleDelayMs ? `, bundle ${e.bundleDelayMs}ms late` : ''}`
    case 'fault':
      return `${at} fault ${e.fault} ${e.active ? 'on' : 'off'}${e.detail ? `: ${e.detail}` : ''}`
    default:
      return undefined
  }
}

/** Returns the closing lines: what each client received, and what slow readers cost when any did not read. */
export function workloadSummary(clients: ClientSummary[], slow?: SlowReaders & {clientsDropped: number}): string[] {
  const lines = clients.length === 0 ? ['no client connected'] : clients.map(clientLine)
  if (slow?.clientsDropped)
    lines.unshift(`(${slow.clientsDropped} earlier clients not kept: the summary holds the latest ${clients.length})`)
  if (slow && (slow.coalescedUpdates > 0 || slow.closedBlockedStreams > 0)) {
    lines.push(
      `slow readers: ${slow.coalescedUpdates} updates coalesced, ${slow.closedBlockedStreams} streams closed for not reading, at most ${slow.peakQueuedBytes} bytes queued on one stream`,
    )
  }
  return lines
}

/** Returns the summary line of one client. */
function clientLine(c: ClientSummary): string {
  const reqs = Object.entries(c.requests)
    .map(([rpc, n]) => `${rpc} x${n}`)
    .join(', ')
  return `${c.client}: ${reqs || 'no requests'}; ${c.messages} messages, ${c.serials.length} distinct SVID serials, ${c.rejected} refused; streams ended ${c.endings.join(', ') || '-'}`
}
