import type {Attempt} from './local/stats.js'
import {spread} from './local/stats.js'
import type {ReloadResult, ReloadTrigger} from './reload.js'
import type {RotationRow} from './convergence.js'
import {failureTally, type RaceReportBase} from './local/report.js'
import {maxOf, minOf} from '../arrays.js'

/** Race causes: stable strings, like reason codes (docs/race.md). Handshake reason codes are causes too. */
export const RACE_CAUSES = [
  'trust-not-reloaded',
  'unconverged',
  'stale-served',
  'server-exited',
  'reload-failed',
  'final-not-served',
  'writer-failed',
  'too-many-failures',
] as const

/** The report of `race --target` (docs/race.md): the in-process race's fields plus target, reload and per-rotation rows. */
export interface TargetRaceReport extends RaceReportBase {
  /** The verdict in one line a person understands at 2 a.m. */
  summary: string
  /** Why the run failed: race causes first, then the handshake reason codes beyond --max-failures. */
  causes: string[]
  /** Handshakes per second while the clients ran (first start to last end). */
  handshakesPerSecond: number
  settleMs: number
  target: {
    host: string
    port: number
    serverCmd?: string
    pid?: number
    /** The serial served before the first rotation. */
    initialSerial: string | null
    exit?: {status: number | null; signal: string | null; duringRotation: number}
    lastLines: string[]
  }
  reload: {trigger: string; fired: number; failed: number; results: ReloadResult[]}
  perRotation: RotationRow[]
}

const RENAMING_WRITERS = new Set(['atomic-rename', 'kubelet', 'dir-symlink', 'move-away', 'hardlink-backup', 'unlink-create', 'credential-bundle'])

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const short = (serial: string | null | undefined) => (serial ? (serial.length > 8 ? `${serial.slice(0, 8)}…` : serial) : '(none)')

function rate(attempts: Attempt[]): number {
  if (attempts.length < 2) return 0
  const start = minOf(attempts.map((a) => a.start))
  const end = maxOf(attempts.map((a) => a.end))
  return end > start ? Math.round((attempts.length / ((end - start) / 1000)) * 10) / 10 : 0
}

/** Returns the trigger as written on the command line. */
export function triggerText(t: ReloadTrigger): string {
  return t.kind === 'none' ? 'none' : t.kind === 'signal' ? `signal:${t.signal.replace(/^SIG/, '')}` : `exec:${t.command}`
}

function unconvergedHint(trigger: ReloadTrigger, mode: string, pid: number | undefined): string {
  if (trigger.kind === 'signal')
    return `it got ${trigger.signal}${pid ? ` (pid ${pid})` : ''} but kept its certificate: check that this signal reloads certificates and that the pid is the server's`
  if (trigger.kind === 'exec') return 'the reload command succeeded but the server kept its certificate: check what the command reloads'
  if (RENAMING_WRITERS.has(mode))
    return `the ${mode} writer replaces files by rename: a watch on the file itself was probably lost (R4), or the server does not watch at all (give --reload)`
  return 'the server does not seem to watch its files: give it a reload trigger (--reload signal:HUP or exec:CMD), or fix its watcher'
}

/** Returns the report with its verdict (docs/race.md): exit 0 only when `ok`. */
export function targetReport(
  x: Omit<
    TargetRaceReport,
    | 'ok'
    | 'summary'
    | 'causes'
    | 'handshakes'
    | 'failures'
    | 'failuresByCause'
    | 'failuresBySide'
    | 'errors'
    | 'convergence'
    | 'unconverged'
    | 'latency'
    | 'inconsistentOrExpired'
    | 'resumed'
    | 'handshakesPerSecond'
  > & {attempts: Attempt[]; trigger: ReloadTrigger; lastServedSerial: string | null; initialClientRoot: string},
): TargetRaceReport {
  const {attempts, trigger, lastServedSerial, initialClientRoot, ...rest} = x
  const tally = failureTally(attempts)
  const {failed, failuresByCause: byCause, examples} = tally
  const rows = x.perRotation
  const conv = rows.map((r) => r.firstNewMs).filter((v): v is number => v !== undefined)
  const unconverged = rows.filter((r) => !r.converged)
  const reloadFailed = x.reload.results.filter((r) => !r.ok)
  const causes: string[] = []
  if (x.target.exit) causes.push('server-exited')
  if (x.rotateExit !== 0) causes.push('writer-failed')
  if (reloadFailed.length) causes.push('reload-failed')
  if (unconverged.length) causes.push('unconverged')
  if (!x.finalSerialServed) causes.push('final-not-served')
  if (x.staleServed > 0) causes.push('stale-served')
  // The server refused only clients whose SVIDs chain to a root it did not start with: its trust bundle was never reloaded.
  const peerFails = failed.filter((a) => a.side === 'peer')
  const trustNotReloaded = peerFails.length > 0 && peerFails.every((a) => a.clientRoot !== undefined && a.clientRoot !== initialClientRoot)
  if (trustNotReloaded) causes.unshift('trust-not-reloaded')
  if (failed.length > x.maxFailures)
    causes.push(
      ...Object.entries(byCause)
        .sort((a, b) => b[1] - a[1])
        .map(([c]) => c),
    )
  const lastDone = rows.at(-1)
  let summary: string
  if (x.target.exit) {
    const last = x.target.lastLines.at(-1)
    summary = `the server exited with ${x.target.exit.signal ? `signal ${x.target.exit.signal}` : `status ${x.target.exit.status}`} during rotation ${x.target.exit.duringRotation}${last ? `; its last line: "${last.trim().slice(0, 160)}"` : ''}`
  } else if (x.rotateExit !== 0) {
    summary = `the writer failed (exit ${x.rotateExit}) after ${rows.length} rotation(s): ${x.rotateErrors.join(' ').trim().slice(0, 200)}`
  } else if (reloadFailed.length) {
    const r = reloadFailed[0]
    summary = `the reload trigger failed at rotation ${r.rotation}: ${trigger.kind === 'exec' ? `"${triggerText(trigger).slice(5)}" exited ${r.status ?? 'without a status'}${r.stderr ? `: ${r.stderr.split('\n').at(-1)?.slice(0, 160)}` : ''}` : (r.stderr ?? 'not delivered')}`
  } else if (trustNotReloaded && failed.length > x.maxFailures) {
    const codes = [...new Set(peerFails.map((a) => a.code))].join(', ')
    summary = `the server rejects clients whose SVIDs come from the new root (${peerFails.length} of ${attempts.length} handshakes, ${codes}): it never reloaded its trust bundle; load the CA file with the certificate on every reload (R12, R15)`
  } else if (unconverged.length) {
    const r = unconverged[0]
    const waited = r.observedMs / 1000
    summary =
      r.observations === 0
        ? `no handshake after rotation ${r.rotation} got far enough to see the served certificate (${Object.keys(byCause).join(', ') || 'no handshakes'})`
        : r.firstNewMs === undefined
          ? `the server never served rotation ${r.rotation}: it still presents serial ${short(lastServedSerial)} ${waited.toFixed(1)} s after the files changed; ${unconvergedHint(trigger, x.rotateMode, x.target.pid)}`
          : r.firstNewMs > x.settleMs
            ? `the server served rotation ${r.rotation} only ${sec(r.firstNewMs)} after the files changed (--settle ${sec(x.settleMs)})`
            : `the server still served an older serial ${sec(r.lastOldMs ?? 0)} after rotation ${r.rotation} (--settle ${sec(x.settleMs)}): some workers or listeners kept the old certificate`
  } else if (!x.finalSerialServed) {
    summary = `the server does not serve the writer's last SVID (serial ${short(lastDone?.serial)}) at the end: it presents ${short(lastServedSerial)}`
  } else if (failed.length > x.maxFailures) {
    const top = Object.entries(byCause).sort((a, b) => b[1] - a[1])[0]
    const ex = examples.get(top[0])
    summary = `${failed.length} of ${attempts.length} handshakes failed (allowed ${x.maxFailures}); most: ${top[0]} ×${top[1]} (${ex?.side === 'local' ? 'we rejected the server' : 'the server rejected us'}: ${ex?.message.slice(0, 140)})`
  } else if (x.staleServed > 0) {
    summary = `${x.staleServed} handshake(s) begun more than --settle ${sec(x.settleMs)} after the last rotation were still served an older serial (some workers or listeners kept the old certificate)`
  } else {
    const slowest = maxOf(conv, 0)
    summary = `the server served all ${rows.length} rotation(s) within --settle ${sec(x.settleMs)} (slowest ${Math.round(slowest)} ms); ${attempts.length} handshakes, ${failed.length} failures`
  }
  return {
    ok: causes.length === 0,
    summary,
    causes,
    ...rest,
    handshakes: attempts.length,
    failures: failed.length,
    failuresByCause: byCause,
    failuresBySide: tally.failuresBySide,
    errors: [...examples.values()],
    convergence: spread(conv),
    unconverged: unconverged.length,
    latency: spread(attempts.filter((a) => a.ok && a.handshakeMs !== null).map((a) => a.handshakeMs as number)),
    inconsistentOrExpired: tally.inconsistentOrExpired,
    resumed: attempts.filter((a) => a.resumed).length,
    handshakesPerSecond: rate(attempts),
  }
}
