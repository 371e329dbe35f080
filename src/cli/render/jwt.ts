import type {IssuedJwt} from '../../core/ca/issue-jwt.js'
import type {JwtDefect} from '../../core/jwt/defects.js'
import type {JwtVerifyResult} from '../../core/jwt/verify.js'
import {formatDuration} from '../../core/time/duration.js'
import {style} from '../style.js'
import {checkLines, invalidLines} from './verify.js'
import {maxOf, pushAll} from '../../core/arrays.js'

/** Returns the human report of a JWT-SVID validation: verdict, reason and hint, checks, warnings. */
export function renderJwtVerify(r: JwtVerifyResult): string[] {
  const who = r.spiffeId ?? '(no SPIFFE ID)'
  const lines: string[] = []
  if (r.valid) {
    lines.push(`${style.green.bold('VALID')}  ${style.bold(who)}`)
    const exp =
      r.expiresInMs === undefined
        ? ''
        : `, expires in ${formatDuration(Math.max(0, Math.round(r.expiresInMs / 1000) * 1000))}`
    if (r.bundle) lines.push(`  JWT-SVID, trust domain ${r.bundle.trustDomain}, kid "${r.bundle.kid}"${exp}`)
  } else pushAll(lines, invalidLines(who, r.errors))
  pushAll(lines, ['', 'checks', ...checkLines(r.checks)])
  if (r.header) lines.push('', `header  ${JSON.stringify(r.header)}`, `claims  ${JSON.stringify(r.claims)}`)
  if (r.bundle)
    lines.push(
      '',
      `bundle for ${r.bundle.trustDomain}: ${r.bundle.sources.map((s) => `${s.path} (${s.binding})`).join(', ')}`,
    )
  if (r.warnings.length) pushAll(lines, ['', 'warnings', ...r.warnings.map((w) => `  ${style.yellow('-')} ${w}`)])
  lines.push('', style.dim(`evaluated at ${r.at}, skew ${formatDuration(r.skewMs)}`))
  return lines
}

/** Returns the JWT defect table: name, reason code, level, rule. */
export function renderJwtDefects(defects: readonly JwtDefect[]): string[] {
  const w = maxOf(defects.map((d) => d.name.length))
  const c = maxOf(defects.map((d) => d.code.length))
  return defects.map((d) => `${d.name.padEnd(w)}  ${d.code.padEnd(c)}  ${d.level.padEnd(6)}  ${d.rule}`)
}

/** Returns what `jwt issue` prints on stdout: the token alone, so it can be piped. */
export function renderIssuedJwt(r: IssuedJwt): string[] {
  return [r.token]
}
