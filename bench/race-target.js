#!/usr/bin/env node
// race --target speed: handshakes/s of svidkit's race clients against `openssl s_server`, next to
// `openssl s_time -new -www /` against the same server in the same run (issue 9: goal >= 0.8x openssl).
// Usable alone (`node bench/race-target.js`, after npm run build) or from bench/run.js:
//   import {raceTargetBench} from './race-target.js'; rows.push(...await raceTargetBench())
// Numbers are measurements, never test assertions.
import 'reflect-metadata'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {defaultKnobs, initCa, issueToDirectory, runTargetRace} from '../dist/index.js'
import {startSServer, sTime} from './s-server.js'

/**
 * Returns rows {name, value, unit, note}: openssl s_time's new-session rate and race --target's
 * handshake rate (concurrency 1 and 4) against one openssl s_server, each for `seconds`.
 */
export async function raceTargetBench({seconds = 3} = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'svidkit-bench-race-'))
  const rows = []
  let server
  try {
    const ca = join(tmp, 'ca')
    const svid = join(tmp, 'svid')
    const client = join(tmp, 'client')
    await initCa({trustDomain: 'bench.example.org', out: ca, intermediates: 1})
    await issueToDirectory({spiffeId: 'spiffe://bench.example.org/server', ca, out: svid})
    await issueToDirectory({spiffeId: 'spiffe://bench.example.org/client', ca, out: client})
    server = await startSServer({dir: svid, chain: true, verifyDepth: 3})
    const port = server.port
    const openssl = await sTime(port, client, seconds, {www: true})
    rows.push({name: 'openssl s_time -new vs s_server (mTLS)', value: openssl, unit: 'handshakes/s', note: 'one connection at a time, GET / per connection'})
    for (const concurrency of [1, 4]) {
      const r = await runTargetRace({
        host: '127.0.0.1',
        port,
        dir: svid,
        ca,
        knobs: defaultKnobs(),
        rotations: 1,
        intervalMs: 0,
        settleMs: 0,
        durationMs: seconds * 1000,
        concurrency,
        // s_server never reloads: put the original SVID back so the next run's baseline finds it served.
        restore: true,
      })
      const value = r.handshakesPerSecond
      rows.push({
        name: `race --target vs s_server, concurrency ${concurrency}`,
        value,
        unit: 'handshakes/s',
        note: `${openssl ? `${(value / openssl).toFixed(2)}x openssl; ` : ''}each with SPIFFE verification and a request/reply`,
      })
    }
  } finally {
    server?.stop()
    rmSync(tmp, {recursive: true, force: true})
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await raceTargetBench()) console.log(`${r.name.padEnd(48)} ${r.value === null ? '-' : r.value.toFixed(0).padStart(7)} ${r.unit}  ${r.note}`)
}
