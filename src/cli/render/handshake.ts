import type {HandshakeResult} from '../../core/handshake/client.js'
import type {RaceReport} from '../../core/race/local/report.js'
import type {ServerEvent} from '../../core/handshake/server-events.js'
import type {ServerSummary} from '../../core/handshake/run-server.js'
import {alignRows, style} from '../style.js'
import {chainTree} from './certificate.js'
import {checkLines} from './verify.js'
import {pushAll} from '../../core/arrays.js'
import {escapeControlOnly as safe} from '../../core/escape.js'

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${v.toFixed(1)}ms`)

/** Returns the human report of one client handshake. */
export function renderClient(r: HandshakeResult, target: string): string[] {
  const lines = [
    r.ok
      ? `${style.green.bold('OK')}  ${target}  ${style.bold(safe(r.peer.spiffeId ?? ''))}`
      : `${style.red.bold('FAILED')}  ${target}`,
  ]
  for (const e of r.errors) {
    lines.push(
      `  reason  ${style.red(`[${e.code}]`)} ${safe(e.message)} ${style.dim(e.side === 'local' ? '(on our side)' : '(by the peer)')}`,
    )
    lines.push(`  hint    ${e.hint}`)
  }
  lines.push(
    ...alignRows([
      ['protocol', `${r.tls.protocol ?? '-'}  ${r.tls.cipher ?? ''}`],
      ['resumed', r.tls.resumed ? style.yellow('yes (verified again)') : 'no'],
      [
        'timing',
        `connect ${ms(r.timing.connectMs)}, handshake ${ms(r.timing.handshakeMs)}, round trip ${ms(r.timing.roundTripMs)}`,
      ],
      ['reply', safe(r.reply ?? '-')],
    ]),
  )
  if (r.verify) pushAll(lines, ['', 'server SVID checks', ...checkLines(r.verify.checks)])
  if (r.peer.chain.length) pushAll(lines, ['', 'server chain', ...chainTree(r.peer.chain).map((l) => `  ${l}`)])
  return lines
}

/** Returns the live line of one server observation. */
export function serverLine(e: ServerEvent): string | undefined {
  switch (e.type) {
    case 'listening':
      return `listening on ${e.host}:${e.port}, serving serial ${e.serial} (reload: ${e.reload})`
    case 'connection':
      return e.result === 'accepted'
        ? `${style.green('accepted')} ${safe(e.peer ?? '')} (${e.protocol}${e.resumed ? ', resumed' : ''})`
        : e.result === 'failed'
          ? `${style.yellow('failed')}   [${e.code}] ${safe(e.message)} (on the client's side)`
          : `${style.red('rejected')} ${safe(e.peer ?? '(no SPIFFE ID)')} [${e.code}] ${safe(e.message)}`
    case 'reload':
      return `${style.cyan('reload')}   now serving serial ${e.serial}${e.trustChanged ? ' (trust changed: ticket keys rotated)' : ''}`
    case 'invalid':
      return `${style.yellow('invalid')}  [${e.code}] ${safe(e.message)} (keeping the last good set)`
    case 'error':
      return `${style.red('error')}    [${e.code}] ${safe(e.message)}`
    default:
      return undefined
  }
}

/** Returns the human summary of a server run; the causes only when a connection was not accepted. */
export function renderServerSummary(s: ServerSummary): string[] {
  const causes = Object.entries(s.rejectedByCause).map(([c, n]) => `${c} ×${n}`)
  return [
    '',
    'summary',
    ...alignRows([
      [
        'connections',
        `${s.connections} (${s.accepted} accepted, ${s.rejected} rejected by us, ${s.failed} failed on the client's side)`,
      ],
      ...(causes.length > 0 ? [['not accepted, by cause', causes.join(', ')] as [string, string]] : []),
      ['reloads', String(s.reloads)],
    ]),
  ]
}

/** Returns the human report of the local race test. */
export function renderRace(r: RaceReport): string[] {
  const causes =
    Object.entries(r.failuresByCause)
      .map(([c, n]) => `${c} ×${n}`)
      .join(', ') || 'none'
  const spread = (s: RaceReport['latency']) =>
    s ? `p50 ${s.p50Ms.toFixed(0)}ms, p99 ${s.p99Ms.toFixed(0)}ms, max ${s.maxMs.toFixed(0)}ms` : '-'
  const lines = [
    r.ok ? style.green.bold('PASS  local rotation race test') : style.red.bold('FAIL  local rotation race test'),
    ...alignRows([
      [
        'rotations',
        `${r.rotations} × ${r.kind} (${r.rotateMode}), ${r.windowsOpened} inconsistent windows opened by the writer`,
      ],
      [
        'server',
        `reload ${r.serverReload}, watch ${r.serverReload === 'unvalidated' ? 'raw fs.watch, no validation' : r.strategy}: ${r.server.reloads} reloads, ${r.server.invalid} invalid states skipped${r.server.errors ? style.yellow(`, ${r.server.errors} failed reloads`) : ''}`,
      ],
      ['handshakes', `${r.handshakes}, failures ${r.failures} (allowed ${r.maxFailures})`],
      ['failures by cause', causes],
      ['failures by side', `rejected by us (client) ${r.failuresBySide.local}, by the server ${r.failuresBySide.peer}`],
      ['inconsistent or expired set served', String(r.inconsistentOrExpired)],
      [
        'convergence',
        `${spread(r.convergence)}${r.unconverged ? style.yellow(`, ${r.unconverged} rotation(s) never served`) : ''}`,
      ],
      [
        'final set loaded and served',
        r.finalSetLoaded && r.finalSerialServed
          ? 'yes'
          : style.red(r.finalSetLoaded ? 'loaded, never served' : 'no: the server never loaded the last set'),
      ],
      [
        'stale serial served',
        r.staleServed ? style.red(`${r.staleServed} handshakes after the last set was loaded`) : '0',
      ],
      ['handshake latency', spread(r.latency)],
      ['resumed sessions', String(r.resumed)],
      [
        'memory / fds',
        `rss ${r.resources.start.rssMb} → ${r.resources.end.rssMb} MB (max ${r.resources.maxRssMb}), fds ${r.resources.start.fds} → ${r.resources.end.fds} (max ${r.resources.maxFds})`,
      ],
      ['elapsed', `${(r.elapsedMs / 1000).toFixed(1)}s`],
    ]),
  ]
  for (const e of r.errors)
    lines.push(
      `  ${style.red(`[${e.code}]`)} ${e.message} ${style.dim(`(${e.side === 'local' ? 'client' : 'server'} side)`)}`,
    )
  if (r.rotateExit !== 0)
    lines.push(style.red(`  the rotator exited ${r.rotateExit}: ${r.rotateErrors.join(' ').slice(0, 300)}`))
  return lines
}
