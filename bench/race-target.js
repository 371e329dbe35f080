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
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address()
      s.close(() => resolve(port))
    })
  })

/**
 * Starts nginx (2 workers, mTLS on 127.0.0.1) serving `svid`; resolves {port, stop}, or null when
 * nginx is not installed. A server that handles connections in parallel: openssl s_server serves one
 * connection at a time, so more client loops than one only queue behind each other there.
 */
async function startNginx(base, svid) {
  if (spawnSync('sh', ['-c', 'command -v nginx']).status !== 0) return null
  const port = await freePort()
  const tmp = join(base, 'nginx-tmp')
  mkdirSync(tmp, {recursive: true})
  const conf = join(base, 'nginx.conf')
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${tmp}/${t};`).join(' ')
  writeFileSync(
    conf,
    `daemon off; worker_processes 2; pid ${join(base, 'nginx.pid')}; error_log stderr crit;
events { worker_connections 256; }
http { access_log off; ${temps}
  server { listen 127.0.0.1:${port} ssl; ssl_certificate ${svid}/svid.pem; ssl_certificate_key ${svid}/svid_key.pem;
    ssl_client_certificate ${svid}/svid_bundle.pem; ssl_verify_client optional_no_ca; location / { return 200 "ok"; } } }
`,
  )
  const child = spawn('nginx', ['-p', base, '-c', conf, '-e', 'stderr'], {stdio: 'ignore', detached: true})
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const c = createServer()
      c.once('error', () => resolve(true))
      c.listen(port, '127.0.0.1', () => c.close(() => resolve(false)))
    })
    if (up) return {port, stop}
    await new Promise((r) => setTimeout(r, 50))
  }
  stop()
  return null
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
    server = await startSServer({dir: svid, chain: true, verifyDepth: 3})
    const port = server.port
    const openssl = await sTime(port, client, seconds, {www: true})
    rows.push({
      name: 'openssl s_time -new vs s_server (mTLS)',
      value: openssl,
      unit: 'handshakes/s',
      note: 'one connection at a time, GET / per connection',
    })
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
    server?.stop()
    server = undefined
    // The same against nginx, which serves connections in parallel (the race's loops run on worker threads).
    const nginx = await startNginx(tmp, svid)
    if (nginx) {
      try {
        const opensslNginx = await sTime(nginx.port, client, seconds, {www: true})
        rows.push({
          name: 'openssl s_time -new vs nginx (mTLS)',
          value: opensslNginx,
          unit: 'handshakes/s',
          note: 'one connection at a time, GET / per connection',
        })
        for (const concurrency of [1, 4]) {
          const r = await runTargetRace({
            host: '127.0.0.1',
            port: nginx.port,
            dir: svid,
            ca,
            knobs: defaultKnobs(),
            rotations: 1,
            intervalMs: 0,
            settleMs: 0,
            durationMs: seconds * 1000,
            concurrency,
            restore: true,
          })
          rows.push({
            name: `race --target vs nginx, concurrency ${concurrency}`,
            value: r.handshakesPerSecond,
            unit: 'handshakes/s',
            note: `${opensslNginx ? `${(r.handshakesPerSecond / opensslNginx).toFixed(2)}x openssl; ` : ''}${concurrency > 1 ? 'loops on worker threads' : 'one loop on the main thread'}`,
          })
        }
      } finally {
        nginx.stop()
      }
    }
  } finally {
    server?.stop()
    rmSync(tmp, {recursive: true, force: true})
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await raceTargetBench())
    console.log(`${r.name.padEnd(48)} ${r.value === null ? '-' : r.value.toFixed(0).padStart(7)} ${r.unit}  ${r.note}`)
}
