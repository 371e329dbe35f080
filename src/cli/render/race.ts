import type {TargetRaceReport} from '../../core/race/target-report.js'
import {alignRows, style} from '../style.js'
import {escapeControlOnly as safe} from '../../core/escape.js'
import {pushAll} from '../../core/arrays.js'

const spread = (s: TargetRaceReport['latency']) =>
  s ? `p50 ${s.p50Ms.toFixed(0)}ms, p99 ${s.p99Ms.toFixed(0)}ms, max ${s.maxMs.toFixed(0)}ms` : '-'
const ms = (v: number | undefined) => (v === undefined ? '-' : `${Math.round(v)}ms`)

/** Returns the human report of `race --target`: the verdict first, in one line. */
export function renderTargetRace(r: TargetRaceReport): string[] {
  const causes =
    Object.entries(r.failuresByCause)
      .map(([c, n]) => `${safe(c)} ×${n}`)
      .join(', ') || 'none'
  const lines = [
    r.ok ? `${style.green.bold('PASS')}  ${safe(r.summary)}` : `${style.red.bold('FAIL')}  ${safe(r.summary)}`,
    ...alignRows([
      [
        'target',
        `${r.target.host}:${r.target.port}${r.target.serverCmd ? ` (started: pid ${r.target.pid})` : ''}, initial serial ${safe(r.target.initialSerial ?? '-')}`,
      ],
      [
        'rotations',
        `${r.rotations} × ${r.kind} (${r.rotateMode}), ${r.windowsOpened} inconsistent windows opened by the writer`,
      ],
      ['reload', `${r.reload.trigger}: fired ${r.reload.fired}, failed ${r.reload.failed}`],
      [
        'handshakes',
        `${r.handshakes}, failures ${r.failures} (allowed ${r.maxFailures}), ${r.handshakesInWindows} inside the writer's windows`,
      ],
      ['failures by cause', causes],
      [
        'failures by side',
        `we rejected the server ${r.failuresBySide.local}, the server rejected us ${r.failuresBySide.peer}`,
      ],
      ['inconsistent or expired set served', String(r.inconsistentOrExpired)],
      [
        'convergence',
        `${spread(r.convergence)}${r.unconverged ? style.yellow(`, ${r.unconverged} rotation(s) not served within --settle`) : ''}`,
      ],
      ['final serial served', r.finalSerialServed ? 'yes' : style.red('no')],
      ['stale serial served', r.staleServed ? style.red(String(r.staleServed)) : '0'],
      ['handshake latency', spread(r.latency)],
      ['causes', safe(r.causes.join(', ')) || 'none'],
      [
        'directory',
        r.directory ? safe(`${r.directory.left}${r.directory.problem ? ` (${r.directory.problem})` : ''}`) : '-',
      ],
      ['elapsed', `${(r.elapsedMs / 1000).toFixed(1)}s`],
    ]),
    '',
    '  rotation  step                                serial            trigger  first new  last old',
  ]
  const rounds = (r as TargetRaceReport & {rounds?: {round: number; ok: boolean; summary: string}[]}).rounds
  if (rounds) {
    for (const x of rounds)
      lines.splice(lines.length - 2, 0, `  round ${x.round}: ${x.ok ? 'PASS' : style.red('FAIL')}  ${x.summary}`)
  }
  for (const row of r.perRotation) {
    const mark = row.converged ? ' ' : style.red('!')
    lines.push(
      `${mark} ${String(row.rotation).padStart(8)}  ${row.step.padEnd(34)}  ${row.serial.slice(0, 16).padEnd(16)}  ${ms(row.triggerMs).padStart(7)}  ${ms(row.firstNewMs).padStart(9)}  ${ms(row.lastOldMs).padStart(8)}`,
    )
  }
  for (const x of r.reload.results.filter((x) => !x.ok))
    lines.push(
      style.red(
        `  reload at rotation ${x.rotation} failed: ${x.status !== undefined ? `exit ${x.status}: ` : ''}${safe(x.stderr ?? '')}`,
      ),
    )
  for (const e of r.errors)
    lines.push(
      `  ${style.red(`[${safe(e.code)}]`)} ${safe(e.message)} ${style.dim(e.side === 'local' ? '(we rejected the server)' : '(the server rejected us)')}`,
    )
  // The server's own output: escaped, so its escape sequences cannot drive the terminal.
  if (r.target.lastLines.length && !r.ok)
    pushAll(lines, ['', "the server's last lines:", ...r.target.lastLines.slice(-10).map((l) => `  ${safe(l)}`)])
  return lines
}
