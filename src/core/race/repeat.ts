import {isSvidkitError} from '../errors.js'
import {runTargetRace, type TargetRaceOptions} from './target-race.js'
import type {TargetRaceReport} from './target-report.js'

/** One round of `race --target --repeat N`. */
interface RoundResult {
  round: number
  ok: boolean
  summary: string
  causes: string[]
  handshakes: number
  failures: number
  handshakesInWindows: number
}

/** The combined report of `--repeat N`: the report of the first failed round (else the last), plus every round. */
type RepeatedReport = TargetRaceReport & {repeat: number; failedRounds: number; rounds: RoundResult[]}

/**
 * Returns the combined verdict of `repeat` races against the same target, each with fresh
 * rotations (one race is one sample: an intermittent bug needs several). A round whose baseline
 * fails after round 1 (the server kept an older set) counts as failed; a baseline failure in round 1
 * throws as a single race does (exit 3, nothing rotated). The timeline, if any, is the first round's.
 */
export async function runRepeatedTargetRace(o: TargetRaceOptions, repeat: number): Promise<RepeatedReport> {
  const rounds: RoundResult[] = []
  let first: TargetRaceReport | undefined
  let last: TargetRaceReport | undefined
  for (let round = 1; round <= repeat && !o.abort?.aborted; round++) {
    let r: TargetRaceReport
    try {
      r = await runTargetRace({...o, timelinePath: round === 1 ? o.timelinePath : undefined})
    } catch (err) {
      if (round === 1 || !isSvidkitError(err) || err.exit !== 3 || !last) throw err
      r = {
        ...last,
        ok: false,
        summary: `the baseline of round ${round} failed: ${err.message}`,
        causes: [err.code],
        handshakes: 0,
        failures: 0,
        handshakesInWindows: 0,
      }
    }
    rounds.push({
      round,
      ok: r.ok,
      summary: r.summary,
      causes: r.causes,
      handshakes: r.handshakes,
      failures: r.failures,
      handshakesInWindows: r.handshakesInWindows,
    })
    if (!r.ok && !first) first = r
    last = r
  }
  const failed = rounds.filter((x) => !x.ok)
  const base = first ?? (last as TargetRaceReport)
  const inWindows = rounds.reduce((s, x) => s + x.handshakesInWindows, 0)
  const summary = failed.length
    ? `failed in ${failed.length} of ${rounds.length} rounds; round ${failed[0].round}: ${failed[0].summary}`
    : `passed ${rounds.length} of ${rounds.length} rounds (${inWindows} handshakes inside the writer's inconsistent windows in all); last round: ${base.summary}`
  return {...base, ok: failed.length === 0, summary, repeat: rounds.length, failedRounds: failed.length, rounds}
}
