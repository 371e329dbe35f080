/**
 * Runs `runLocalRace` for the handshake tests: waits for dist/ (its rotate child is
 * `node bin/run.js rotate`), retries once when a concurrent rebuild removed dist/ under the
 * child, and prints one line of numbers per run so the timings are visible in the test log.
 */
import {runLocalRace, type LocalRaceOptions} from '../../src/core/race/local/race.js'
import type {RaceReport} from '../../src/core/race/local/report.js'
import type {ServerEvent} from '../../src/core/handshake/server-events.js'
import {ensureDist, looksLikeMissingDist} from './harness.js'

/** A race report with the server's observations and the wall time of the run. */
export interface RaceRun {
  report: RaceReport
  events: ServerEvent[]
  wallMs: number
}

const ms = (v: number | undefined) => (v === undefined ? '-' : `${Math.round(v)}ms`)

/** Returns one line of the numbers of a run, for the log. */
export function summary(label: string, r: RaceRun): string {
  const p = r.report
  return [
    `[race] ${label}:`,
    `${(r.wallMs / 1000).toFixed(1)}s wall,`,
    `${p.rotations} rotations, ${p.handshakes} handshakes, ${p.failures} failures ${JSON.stringify(p.failuresByCause)},`,
    `convergence p50 ${ms(p.convergence?.p50Ms)} p99 ${ms(p.convergence?.p99Ms)} max ${ms(p.convergence?.maxMs)} (unconverged ${p.unconverged}),`,
    `latency p50 ${ms(p.latency?.p50Ms)} p99 ${ms(p.latency?.p99Ms)},`,
    `server reloads ${p.server.reloads} invalid ${p.server.invalid} rejected ${p.server.rejected},`,
    `rss ${p.resources.start.rssMb}→${p.resources.end.rssMb} MB, fds ${p.resources.start.fds}→${p.resources.end.fds} (max ${p.resources.maxFds})`,
  ].join(' ')
}

/** Runs one local race test (see the module comment). */
export async function race(label: string, o: LocalRaceOptions): Promise<RaceRun> {
  for (let attempt = 1; ; attempt++) {
    await ensureDist()
    const events: ServerEvent[] = []
    const t0 = Date.now()
    const report = await runLocalRace({
      ...o,
      onServerEvent: (e) => {
        events.push(e)
        o.onServerEvent?.(e)
      },
    })
    const run = {report, events, wallMs: Date.now() - t0}
    if (report.rotateExit !== 0 && attempt < 2 && looksLikeMissingDist(report.rotateErrors.join('\n'))) {
      console.warn(`[race] ${label}: the rotate child could not load dist/ (a concurrent rebuild?); retrying once`)
      continue
    }
    console.log(summary(label, run))
    return run
  }
}
