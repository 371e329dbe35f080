import type {Attempt} from './attempt.js'
import {spread} from '../stats.js'
import type {ReloadResult, ReloadTrigger} from './reload.js'
import type {RotationRow} from './convergence.js'
import {failureTally, type RaceReportBase} from './report-base.js'
import {maxOf, minOf} from '../arrays.js'

/** Race causes: stable strings, like reason codes (docs/race.md). Handshake reason codes are causes too. */
export const RACE_CAUSES = [
  'nothing-reloaded',
  'trust-not-reloaded',
  'partial-trust',
  'dropped-during-reload',
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
  /** Handshakes that ran while the writer had an inconsistent window open (evidence, not luck, behind a PASS). */
  handshakesInWindows: number
  /** How --dir was left: the writer's last set, repaired (it was incomplete), or restored (--restore). */
  directory?: {left: 'last-rotation' | 'repaired' | 'restored'; problem?: string}
}

const RENAMING_WRITERS = new Set([
  'atomic-rename',
  'kubelet',
  'dir-symlink',
  'move-away',
  'hardlink-backup',
  'unlink-create',
  'credential-bundle',
])

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const short = (serial: string | null | undefined) =>
  serial ? (serial.length > 8 ? `${serial.slice(0, 8)}…` : serial) : '(none)'

function rate(attempts: Attempt[]): number {
  if (attempts.length < 2) return 0
  const start = minOf(attempts.map((a) => a.start))
  const end = maxOf(attempts.map((a) => a.end))
  return end > start ? Math.round((attempts.length / ((end - start) / 1000)) * 10) / 10 : 0
}

/** Returns the trigger as written on the command line. */
export function triggerText(t: ReloadTrigger): string {
  return t.kind === 'none'
    ? 'none'
    : t.kind === 'signal'
      ? `signal:${t.signal.replace(/^SIG/, '')}`
      : `exec:${t.command}`
}

function unconvergedHint(trigger: ReloadTrigger, mode: string, pid: number | undefined): string {
  if (trigger.kind === 'signal')
    return `it got ${trigger.signal}${pid ? ` (pid ${pid})` : ''} but kept its certificate: check that this signal reloads certificates and that the pid is the server's`
  if (trigger.kind === 'exec')
    return 'the reload command succeeded but the server kept its certificate: check what the command reloads'
  if (RENAMING_WRITERS.has(mode))
    return `the ${mode} writer replaces files by rename: a watch on the file itself was probably lost (R4), or the server does not watch at all (give --reload)`
  return 'the server does not seem to watch its files: give it a reload trigger (--reload signal:HUP or exec:CMD), or fix its watcher'
}

/** Which clients (by root: the one the race started with, or a new one) the server refused, from which rotation on. */
function refusedByRoot(
  fails: Attempt[],
  initialRoot: string,
  doneTimes: number[],
  rows: RotationRow[],
): {root: 'old' | 'new'; since: number; step: string; count: number}[] {
  const out: {root: 'old' | 'new'; since: number; step: string; count: number}[] = []
  for (const root of ['old', 'new'] as const) {
    const mine = fails.filter((a) => (a.clientRoot === initialRoot) === (root === 'old'))
    if (mine.length === 0) continue
    const first = minOf(mine.map((a) => a.start))
    const since = doneTimes.filter((t) => t <= first).length
    if (since === 0) continue
    out.push({root, since, step: rows[since - 1]?.step ?? '', count: mine.length})
  }
  return out
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
  > & {
    attempts: Attempt[]
    trigger: ReloadTrigger
    lastServedSerial: string | null
    initialClientRoot: string
    doneTimes: number[]
  },
): TargetRaceReport {
  const {attempts, trigger, lastServedSerial, initialClientRoot, doneTimes, ...rest} = x
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
  const peerFails = failed.filter((a) => a.side === 'peer' && a.code !== 'dropped-during-reload')
  const trustNotReloaded =
    peerFails.length > 0 && peerFails.every((a) => a.clientRoot !== undefined && a.clientRoot !== initialClientRoot)
  // A server that never served a new leaf reloaded nothing at all: its trust is only part of that.
  const newLeaves = rows.some((r) => r.serial !== '' && r.serial !== x.target.initialSerial)
  const nothingReloaded =
    trustNotReloaded &&
    newLeaves &&
    !attempts.some((a) => a.servedSerial !== null && a.servedSerial !== x.target.initialSerial)
  if (nothingReloaded) causes.splice(x.target.exit || reloadFailed.length ? 1 : 0, 0, 'nothing-reloaded')
  else if (trustNotReloaded) causes.unshift('trust-not-reloaded')
  else if (
    refusedByRoot(peerFails, initialClientRoot, doneTimes, rows).some(
      (g) => g.root === 'old' && !/drop-old/.test(g.step),
    )
  ) {
    // Clients of the old root refused while the bundle still held it (caddy 2.6 trusts only the first certificate).
    causes.unshift('partial-trust')
  }
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
  } else if (nothingReloaded) {
    const refused = peerFails.length
      ? ` and refuses clients whose SVIDs come from the new root (${peerFails.length} of ${attempts.length} handshakes)`
      : ''
    summary = `the server reloaded nothing: it still presents serial ${short(x.target.initialSerial)} ${sec(rows.at(-1)?.observedMs ?? 0)} after the last rotation${refused}; ${unconvergedHint(trigger, x.rotateMode, x.target.pid)}`
  } else if (
    peerFails.length > 0 &&
    failed.length > x.maxFailures &&
    refusedByRoot(peerFails, initialClientRoot, doneTimes, rows).length > 0
  ) {
    const groups = refusedByRoot(peerFails, initialClientRoot, doneTimes, rows)
    const codes = [...new Set(peerFails.map((a) => a.code))].join(', ')
    const which = groups
      .map(
        (g) =>
          `clients whose SVIDs come from the ${g.root} root since rotation ${g.since} (${g.step}; ${g.count} handshakes)`,
      )
      .join(' and ')
    const why = trustNotReloaded
      ? 'it serves the new certificate but never reloaded its trust bundle; load the CA file with the certificate on every reload (R12, R15)'
      : 'it trusts only part of the bundle while it holds both roots (caddy 2.6 reads only the first certificate of trusted_ca_cert_file): load every certificate of the bundle file and keep both roots during an overlap (R12)'
    summary = `the server refuses ${which}, of ${attempts.length} (${codes}): ${why}`
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
    summary = `the server served all ${rows.length} rotation(s) within --settle ${sec(x.settleMs)} (slowest ${Math.round(slowest)} ms); ${attempts.length} handshakes, ${failed.length} failures; ${x.handshakesInWindows} handshakes ran inside the writer's ${x.windowsOpened} inconsistent window(s)`
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
