/** Harness results: x509-limbo's `LimboResult` (version 1), parsed once at the edge. */
import {SvidkitError} from '../errors.js'

export type ActualResult = 'SUCCESS' | 'FAILURE' | 'SKIPPED'

/** One case's outcome as a harness reports it. */
export interface CaseResult {
  id: string
  actual_result: ActualResult
  context: string | null
}

/** What a harness prints on stdout. */
export interface HarnessResults {
  version: 1
  harness: string
  results: CaseResult[]
}

const ACTUAL = new Set(['SUCCESS', 'FAILURE', 'SKIPPED'])

function bad(why: string): SvidkitError {
  return new SvidkitError('harness-failed', `harness output is not a results document: ${why}`, {
    hint: 'print {"version": 1, "harness": NAME, "results": [{"id", "actual_result": SUCCESS|FAILURE|SKIPPED, "context"}]} on stdout, logs on stderr',
  })
}

/** Returns the results document in a harness's stdout; throws `harness-failed`. */
export function parseHarnessResults(text: string): HarnessResults {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw bad(text.trim() === '' ? 'stdout is empty' : 'stdout is not JSON')
  }
  const d = doc as Partial<HarnessResults> | null
  if (typeof d !== 'object' || d === null || !Array.isArray(d.results)) throw bad('no "results" array')
  const results = d.results.map((r, i): CaseResult => {
    const x = r as Partial<CaseResult> | null
    if (typeof x?.id !== 'string' || !ACTUAL.has(String(x.actual_result)))
      throw bad(`result ${i} lacks an id or an actual_result of SUCCESS, FAILURE or SKIPPED`)
    return {
      id: x.id,
      actual_result: x.actual_result as ActualResult,
      context: typeof x.context === 'string' ? x.context : null,
    }
  })
  return {version: 1, harness: typeof d.harness === 'string' ? d.harness : 'unnamed harness', results}
}
