import type {InspectedCertificate, InspectedFile} from '../../core/inspect/inspect.js'
import {alignRows, mark, style} from '../style.js'
import {remaining} from './certificate.js'
import {pushAll} from '../../core/arrays.js'
import {escapeControlOnly as safe} from '../../core/escape.js'

function certLines(c: InspectedCertificate, i: number): string[] {
  const head = `${i + 1}. ${c.role === 'leaf' ? style.cyan(c.role) : style.magenta(c.role)} ${style.bold(safe(c.spiffeId ?? '(no SPIFFE ID)'))}`
  const rows: [string, string][] = [
    ['subject', safe(c.subject) || '(empty)'],
    ['issuer', safe(c.issuer) || '(empty)'],
    ['serial', c.serial],
    ['validity', `${c.notBefore} → ${c.notAfter} (${remaining(c.remainingMs)})`],
    ['key', c.keyType],
    ['sha256', c.sha256],
    ['ski / aki', `${c.ski ?? '-'} / ${c.aki ?? '-'}`],
  ]
  if (c.uris.length > 1 || (c.uris.length === 1 && !c.spiffeId)) rows.push(['uri SANs', safe(c.uris.join(', '))])
  if (c.dnsNames.length) rows.push(['dns SANs', safe(c.dnsNames.join(', '))])
  if (c.isCa !== null) rows.push(['CA', `${c.isCa}${c.pathLen !== null ? `, pathLen ${c.pathLen}` : ''}`])
  if (c.keyUsage.length) rows.push(['key usage', c.keyUsage.join(', ')])
  if (c.extKeyUsage.length) rows.push(['ext key usage', c.extKeyUsage.join(', ')])
  if (c.nameConstraints)
    rows.push([
      'name constraints',
      safe(
        `permitted ${c.nameConstraints.permitted.join(', ') || '-'}; excluded ${c.nameConstraints.excluded.join(', ') || '-'}`,
      ),
    ])
  rows.push(['extensions', c.extensions.map((e) => `${e.name}${e.critical ? ' (critical)' : ''}`).join(', ')])
  const lines = [head, ...alignRows(rows, '   ')]
  const notable = c.checks.filter((k) => k.status === 'fail' || k.status === 'warn')
  if (notable.length === 0) lines.push(`   ${mark('pass')} no spec rule broken`)
  for (const k of notable)
    lines.push(`   ${mark(k.status)} ${k.code ? style.red(`[${k.code}] `) : ''}${safe(k.message)}`)
  return lines
}

/** Returns the human report of `inspect` for one file. */
export function renderInspect(f: InspectedFile): string[] {
  const lines = [style.bold(safe(f.path)) + style.dim(`  (${f.kind})`)]
  if (f.bundle)
    lines.push(
      `   bundle format ${f.bundle.format}${f.bundle.sequence !== null ? `, spiffe_sequence ${f.bundle.sequence}` : ''}${f.bundle.refreshHint !== null ? `, refresh hint ${f.bundle.refreshHint}s` : ''}`,
    )
  if (f.protection) lines.push(`   protection ${f.protection}`)
  if (f.csr) {
    pushAll(
      lines,
      alignRows(
        [
          ['subject', safe(f.csr.subject) || '(empty)'],
          ['SANs', safe(f.csr.sans.join(', ')) || '-'],
          ['key', f.csr.keyType],
          ['signature', f.csr.signature],
        ],
        '   ',
      ),
    )
    lines.push(`   ${style.dim('issue --csr certifies only its key: the subject and SANs are replaced')}`)
  }
  f.certificates.forEach((c, i) => pushAll(lines, certLines(c, i)))
  for (const td of f.trustDomains ?? []) {
    lines.push(
      `trust domain ${style.bold(safe(td.trustDomain))}: ${td.certificates.length} authorit${td.certificates.length === 1 ? 'y' : 'ies'}`,
    )
    td.certificates.forEach((c, i) =>
      pushAll(
        lines,
        certLines(c, i).map((l) => `   ${l}`),
      ),
    )
  }
  for (const k of f.keys) {
    lines.push(
      `private key: ${k.keyType} (${k.format.toUpperCase()})${k.matchesCertificate !== null ? `, belongs to certificate ${k.matchesCertificate + 1}` : f.certificates.length ? style.red(', matches no certificate in the file') : ''}`,
    )
  }
  for (const w of f.warnings) lines.push(`   ${mark('warn')} ${safe(w)}`)
  for (const part of f.parts ?? []) for (const l of renderInspect(part)) lines.push(`   ${l}`)
  return lines
}

/** Returns the certificates of every inspected input as PEM blocks, in order (`--format pem`; keys are never printed). */
export function renderInspectPem(files: InspectedFile[]): string {
  return files
    .flatMap((f) => [f, ...(f.parts ?? [])])
    .flatMap((f) => [...f.certificates, ...(f.trustDomains ?? []).flatMap((t) => t.certificates)].map((c) => c.pem))
    .join('')
}
