import type {VerifyResult} from '../../core/verify/result.js'
import {formatDuration} from '../../core/time/duration.js'
import {mark, style} from '../style.js'
import {chainTree} from './certificate.js'

/** Returns the check rows, aligned: mark, name, message. */
export function checkLines(checks: VerifyResult['checks']): string[] {
  const w = Math.max(0, ...checks.map((c) => c.name.length))
  return checks.map((c) => `  ${mark(c.status)}  ${c.name.padEnd(w)}  ${c.code && c.status === 'fail' ? style.red(`[${c.code}] `) : ''}${c.message}`)
}

/** Returns the INVALID verdict lines: the primary reason with its hint, then the other failures. */
export function invalidLines(who: string, errors: VerifyResult['errors']): string[] {
  const [first, ...rest] = errors
  const lines = [`${style.red.bold('INVALID')}  ${style.bold(who)}`, `  reason  ${style.red(`[${first.code}]`)} ${first.message}`, `  hint    ${first.hint}`]
  for (const e of rest) lines.push(`  also    [${e.code}] ${e.message}`)
  return lines
}

/** Returns the human report of a verification: verdict, reason and hint, checks, chain tree, warnings. */
export function renderVerify(r: VerifyResult): string[] {
  const who = r.spiffeId ?? '(no SPIFFE ID)'
  const lines: string[] = []
  if (r.valid) {
    lines.push(`${style.green.bold('VALID')}  ${style.bold(who)}`)
    const exp = r.expiresInMs === undefined ? '' : `, path valid for ${formatDuration(Math.round(r.expiresInMs / 1000) * 1000)}`
    if (r.bundle) lines.push(`  trust domain ${r.bundle.trustDomain}, anchor "${r.bundle.anchor}"${exp}`)
  } else lines.push(...invalidLines(who, r.errors))
  if (r.connection)
    lines.push(
      `  chain presented by ${r.connection.target}${r.connection.servername ? ` (SNI ${r.connection.servername})` : ''}, ${r.connection.protocol ?? 'TLS'}`,
    )
  lines.push('', 'checks', ...checkLines(r.checks), '', 'chain', ...chainTree(r.chain).map((l) => `  ${l}`))
  if (r.bundle) lines.push('', `bundle for ${r.bundle.trustDomain}: ${r.bundle.sources.map((s) => `${s.path} (${s.binding})`).join(', ')}`)
  if (r.warnings.length) lines.push('', 'warnings', ...r.warnings.map((w) => `  ${style.yellow('-')} ${w}`))
  lines.push('', style.dim(`evaluated at ${r.at}`))
  return lines
}
