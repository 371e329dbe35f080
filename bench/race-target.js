#!/usr/bin/env node
// race --target speed: handshakes/s of svidkit's race clients against `openssl s_server`, next to
// `openssl s_time -new -www /` against the same server in the same run (issue 9: goal >= 0.8x openssl).
// Usable alone (`node bench/race-target.js`, after npm run build) or from bench/run.js:
//   import {raceTargetBench} from './race-target.js'; rows.push(...await raceTargetBench())
// Numbers are measurements, never test assertions.
import 'reflect-metadata'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {defaultKnobs, initCa, issueToDirectory, runTargetRace} from '../dist/index.js'

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address()
      s.close(() => resolve(port))
    })
  })
}

function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    const killer = setTimeout(() => c.kill('SIGKILL'), timeoutMs)
    c.stdout.on('data', (d) => (out += d))
    c.stderr.on('data', (d) => (out += d))
    c.on('close', () => {
      clearTimeout(killer)
      resolve(out)
    })
  })
}

async function startSServer(svid, port) {
  const child = spawn(
    'openssl',
    [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      join(svid, 'svid.pem'),
      '-cert_chain',
      join(svid, 'svid.pem'),
      '-key',
      join(svid, 'svid_key.pem'),
      '-CAfile',
      join(svid, 'svid_bundle.pem'),
      '-Verify',
      '3',
      '-www',
      '-quiet',
    ],
    {stdio: ['pipe', 'ignore', 'ignore']},
  )
  const until = Date.now() + 10_000
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = createServer()
      s.once('error', () => resolve(true)) // bound by s_server: it listens
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)))
    })
    if (ok) return child
    if (Date.now() > until) throw new Error('openssl s_server did not start')
    await new Promise((r) => setTimeout(r, 50))
  }
}

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
    const port = await freePort()
    server = await startSServer(svid, port)
    const out = await run(
      'openssl',
      [
        's_time',
        '-connect',
        `127.0.0.1:${port}`,
        '-new',
        '-time',
        String(seconds),
        '-www',
        '/',
        '-cert',
        join(client, 'svid.pem'),
        '-key',
        join(client, 'svid_key.pem'),
      ],
      (seconds + 20) * 1000,
    )
    const m = /(\d+) connections in (\d+) real seconds/.exec(out)
    const openssl = m ? Number(m[1]) / Number(m[2]) : null
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
    server?.kill('SIGKILL')
    rmSync(tmp, {recursive: true, force: true})
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await raceTargetBench()) console.log(`${r.name.padEnd(48)} ${r.value === null ? '-' : r.value.toFixed(0).padStart(7)} ${r.unit}  ${r.note}`)
}
