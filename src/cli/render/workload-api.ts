/** Human lines for the events of `svidkit workload-api serve` (--json prints the events themselves). */
import type {ClientSummary, WorkloadEvent} from '../../core/workload/events.js'

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
      return e.accepted ? `${at} ${e.client} ${e.rpc} stream ${e.stream} opened` : `${at} ${e.client} ${e.rpc} refused: ${e.code} "${e.message}"`
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

/** Returns the closing lines: what each client received. */
export function workloadSummary(clients: ClientSummary[]): string[] {
  if (clients.length === 0) return ['no client connected']
  return clients.map((c) => {
    const reqs = Object.entries(c.requests)
      .map(([rpc, n]) => `${rpc} x${n}`)
      .join(', ')
    return `${c.client}: ${reqs || 'no requests'}; ${c.messages} messages, ${c.serials.length} distinct SVID serials, ${c.rejected} refused; streams ended ${c.endings.join(', ') || '-'}`
  })
}
