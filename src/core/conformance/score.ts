/** Scoring a harness against a suite: per family, agree / wrong accept / wrong reject / skipped. */
import type {HarnessResults} from './results.js'
import {FAMILIES, type Family, type Level, type Suite} from './suite.js'

/** One case where the harness and the suite differ. */
export interface Disagreement {
  id: string
  family: Family
  level: Level
  verdict: 'wrong-accept' | 'wrong-reject'
  description: string
  spec: string
  expected: string
  /** svidkit's reason code for the case. */
  reasonCode: string | null
  /** What the harness said (its context). */
  context: string | null
  note?: string
}

/** The counts of one family. */
export interface FamilyScore {
  family: Family
  cases: number
  agree: number
  wrongAccept: number
  wrongReject: number
  skipped: number
}

/** What `conformance run` reports. */
export interface Scorecard {
  harness: string
  cases: number
  families: FamilyScore[]
  disagreements: Disagreement[]
  /** Disagreements on MUST cases: any of them fails the run. */
  mustDisagreements: number
  /** Cases without a result in the harness output (counted as skipped; a MUST case without one fails the run, an explicit SKIPPED does not). */
  missing: string[]
  passed: boolean
}

/** Returns the scorecard of harness results against the suite. */
export function score(suite: Suite, results: HarnessResults): Scorecard {
  const byId = new Map(results.results.map((r) => [r.id, r]))
  const families = new Map<Family, FamilyScore>(
    FAMILIES.map((f) => [f, {family: f, cases: 0, agree: 0, wrongAccept: 0, wrongReject: 0, skipped: 0}]),
  )
  const disagreements: Disagreement[] = []
  const missing: string[] = []
  for (const t of suite.testcases) {
    const fam = families.get(t.family) as FamilyScore
    fam.cases++
    const r = byId.get(t.id)
    if (!r) missing.push(t.id)
    if (!r || r.actual_result === 'SKIPPED') {
      fam.skipped++
      continue
    }
    if (r.actual_result === t.expected_result) {
      fam.agree++
      continue
    }
    const verdict = r.actual_result === 'SUCCESS' ? 'wrong-accept' : 'wrong-reject'
    if (verdict === 'wrong-accept') fam.wrongAccept++
    else fam.wrongReject++
    disagreements.push({
      id: t.id,
      family: t.family,
      level: t.level,
      verdict,
      description: t.description,
      spec: t.spec,
      expected: t.expected_result,
      reasonCode: t.reason_code,
      context: r.context,
      ...(t.note ? {note: t.note} : {}),
    })
  }
  const mustDisagreements = disagreements.filter((d) => d.level === 'MUST').length
  const mustMissing = suite.testcases.filter((t) => t.level === 'MUST' && missing.includes(t.id)).length
  return {
    harness: results.harness,
    cases: suite.testcases.length,
    families: [...families.values()].filter((f) => f.cases > 0),
    disagreements,
    mustDisagreements,
    missing,
    passed: mustDisagreements === 0 && mustMissing === 0,
  }
}
