import type {Scorecard} from '../../core/conformance/score.js'
import {style} from '../style.js'

/** Returns the human scorecard: one line per family, then every disagreement with its spec section. */
export function renderScorecard(c: Scorecard): string[] {
  const lines = [
    `${c.passed ? style.green.bold('PASS') : style.red.bold('FAIL')}  ${style.bold(c.harness)}: ${c.cases} cases, ${c.mustDisagreements} MUST disagreement(s)`,
    '',
  ]
  lines.push(
    `  ${'family'.padEnd(10)} ${'cases'.padStart(5)} ${'agree'.padStart(6)} ${'wrong-accept'.padStart(13)} ${'wrong-reject'.padStart(13)} ${'skipped'.padStart(8)}`,
  )
  for (const f of c.families)
    lines.push(
      `  ${f.family.padEnd(10)} ${String(f.cases).padStart(5)} ${String(f.agree).padStart(6)} ${String(f.wrongAccept).padStart(13)} ${String(f.wrongReject).padStart(13)} ${String(f.skipped).padStart(8)}`,
    )
  if (c.disagreements.length) {
    lines.push('', 'disagreements')
    for (const d of c.disagreements) {
      lines.push(
        `  ${d.level === 'MUST' ? style.red(d.level) : style.yellow(d.level)} ${d.verdict} ${style.bold(d.id)}: ${d.description}`,
      )
      lines.push(
        `       spec ${d.spec}; expected ${d.expected}${d.reasonCode ? ` (${d.reasonCode})` : ''}; harness said ${d.context ?? '-'}`,
      )
      if (d.note) lines.push(`       note ${d.note}`)
    }
  }
  if (c.missing.length)
    lines.push(
      '',
      style.yellow(
        `${c.missing.length} case(s) had no result and count as skipped: ${c.missing.slice(0, 5).join(', ')}${c.missing.length > 5 ? ', …' : ''}`,
      ),
    )
  return lines
}
