/** JUnit XML of a scorecard (one testsuite per family), for CI systems that read it. */
import type {Scorecard} from './score.js'
import type {Suite} from './suite.js'
import type {HarnessResults} from './results.js'

function esc(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({'<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;'})[c] as string,
  )
}

/** Returns the JUnit XML text: every case a testcase; disagreements are failures, skipped cases skipped. */
export function toJunit(card: Scorecard, suite: Suite, results: HarnessResults): string {
  const byId = new Map(results.results.map((r) => [r.id, r]))
  const bad = new Map(card.disagreements.map((d) => [d.id, d]))
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(`SPIFFE conformance: ${card.harness}`)}" tests="${card.cases}" failures="${card.disagreements.length}">`,
  ]
  for (const f of card.families) {
    lines.push(
      `  <testsuite name="${f.family}" tests="${f.cases}" failures="${f.wrongAccept + f.wrongReject}" skipped="${f.skipped}">`,
    )
    for (const t of suite.testcases.filter((x) => x.family === f.family)) {
      const r = byId.get(t.id)
      const d = bad.get(t.id)
      lines.push(`    <testcase classname="${f.family}" name="${esc(t.id)}">`)
      if (d)
        lines.push(
          `      <failure type="${d.verdict}" message="${esc(`${d.level} ${d.verdict}: ${d.description} (${d.spec})`)}">${esc(`expected ${d.expected}${d.reasonCode ? ` (${d.reasonCode})` : ''}; harness: ${d.context ?? ''}`)}</failure>`,
        )
      else if (!r || r.actual_result === 'SKIPPED')
        lines.push(`      <skipped message="${esc(r?.context ?? 'no result')}"/>`)
      lines.push('    </testcase>')
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return `${lines.join('\n')}\n`
}
