import type {VerifyResult} from '../../core/verify/result.js'
import {formatDuration} from '../../core/time/duration.js'
import {mark, style} from '../style.js'
import {chainTree} from './certificate.js'
import {maxOf, pushAll} from '../../core/arrays.js'

/** Returns the check rows, aligned: mark, name, message. */
export function checkLines(checks: VerifyResult['checks']): string[] {
  const w = maxOf(
    checks.map((c) => c.name.length),
    0,
  )
  return checks.map(
    (c) =>
      `  ${mark(c.status)}  ${c.name.padEnd(w)}  ${c.code && c.status === 'fail' ? style.red(`[${c.code}] `) : ''}${c.message}`,
  )
}

/** How to word times: `atGiven` when the user chose the evaluation time (`--at`), so nothing is said relative to now. */
interface RenderVerifyOptions {
  atGiven?: boolean
}

/** Returns the INVALID verdict lines: the primary reason with its hint, then the other failures. */
export function invalidLines(who: string, errors: VerifyResult['errors'], note = ''): string[] {
  const [first, ...rest] = errors
  const lines = [
    `${style.red.bold('INVALID')}  ${style.bold(who)}${note}`,
    `  reason  ${style.red(`[${first.code}]`)} ${first.message}`,
    `  hint    ${first.hint}`,
  ]
  for (const e of rest) lines.push(`  also    [${e.code}] ${e.message}`)
  return lines
}

/** Returns the human report of a verification: verdict, reason and hint, checks, chain tree, warnings. */
export function renderVerify(r: VerifyResult, o: RenderVerifyOptions = {}): string[] {
  const x509 = r.profile === 'x509'
  const who = x509 ? `"${r.chain[0]?.subject ?? ''}"` : (r.spiffeId ?? '(no SPIFFE ID)')
  const lines: string[] = []
  if (r.valid) {
    lines.push(
      `${style.green.bold('VALID')}  ${style.bold(who)}${x509 ? style.dim('  (X.509 profile: RFC 5280 path validation, no SPIFFE rules)') : ''}`,
    )
    const exp =
      r.expiresInMs === undefined
        ? ''
        : `, path valid for ${formatDuration(Math.round(r.expiresInMs / 1000) * 1000)}${o.atGiven ? ` after the evaluation time ${r.at}` : ''}`
    if (r.bundle) lines.push(`  trust domain ${r.bundle.trustDomain}, anchor "${r.bundle.anchor}"${exp}`)
    else if (x509) lines.push(`  anchor "${r.chain.find((c) => c.source === 'bundle')?.subject ?? ''}"${exp}`)
  } else pushAll(lines, invalidLines(who, r.errors, x509 ? style.dim('  (X.509 profile)') : ''))
  if (r.connection)
    lines.push(
      `  chain presented by ${r.connection.target}${r.connection.servername ? ` (SNI ${r.connection.servername})` : ''}, ${r.connection.protocol ?? 'TLS'}`,
    )
  pushAll(lines, [
    '',
    'checks',
    ...checkLines(r.checks),
    '',
    'chain',
    ...chainTree(r.chain, o.atGiven ? r.at : undefined).map((l) => `  ${l}`),
  ])
  if (r.bundle)
    lines.push(
      '',
      `bundle for ${r.bundle.trustDomain}: ${r.bundle.sources.map((s) => `${s.path} (${s.binding})`).join(', ')}`,
    )
  if (r.warnings.length) pushAll(lines, ['', 'warnings', ...r.warnings.map((w) => `  ${style.yellow('-')} ${w}`)])
  lines.push('', style.dim(`evaluated at ${r.at}${o.atGiven ? ' (--at); times above are relative to it' : ''}`))
  return lines
}
