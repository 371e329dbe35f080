import type {CertificateSummary} from '../../core/x509/summary.js'
import {formatDuration} from '../../core/time/duration.js'
import {style} from '../style.js'
import {escapeControlOnly as safe} from '../../core/escape.js'

/** Returns "59m50s left" / "expired 2h ago" for a remaining time; with `at` (a chosen evaluation time) "59m50s left at T" / "expired 2h before T". */
export function remaining(ms: number, at?: string): string {
  const d = formatDuration(Math.round(Math.abs(ms) / 1000) * 1000)
  if (at) return ms >= 0 ? `${d} left at ${at}` : style.red(`expired ${d} before ${at}`)
  return ms >= 0 ? `${d} left` : style.red(`expired ${d} ago`)
}

function short(hex: string | null): string {
  return hex ? `${hex.slice(0, 16)}…` : '-'
}

/**
 * Returns the lines of a chain drawn as a tree, top (root) first, with subject, SPIFFE ID,
 * serial, validity and time remaining, key type and the SKI/AKI links.
 */
export function chainTree(chain: CertificateSummary[], at?: string): string[] {
  const top = chain.filter((c) => c.onPath !== false).reverse()
  const off = chain.filter((c) => c.onPath === false)
  const lines: string[] = []
  top.forEach((c, depth) => {
    const pad = depth === 0 ? '' : `${'   '.repeat(depth - 1)}└─ `
    const cont = '   '.repeat(depth)
    const role = c.role === 'leaf' ? style.cyan(c.role) : style.magenta(c.role)
    lines.push(
      `${pad}${role} ${style.bold(safe(c.spiffeId ?? '(no SPIFFE ID)'))}  ${style.dim(safe(c.subject) || '(empty subject)')}`,
    )
    lines.push(
      `${cont}   serial ${c.serial}  ${c.keyType}  ${c.notBefore} → ${c.notAfter} (${remaining(c.remainingMs, at)})`,
    )
    lines.push(
      `${cont}   ski ${short(c.ski)}  aki ${short(c.aki)}${c.source === 'bundle' ? style.dim('  [from bundle]') : ''}`,
    )
  })
  for (const c of off)
    lines.push(
      style.dim(`(not on the path) ${c.role} ${safe(c.spiffeId ?? '-')}  ${safe(c.subject)}  serial ${c.serial}`),
    )
  return lines
}
