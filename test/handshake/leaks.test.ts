/**
 * A longer local race (100 rotations, thousands of handshakes) checked for leaks: file
 * descriptors are deterministic, so the count at the end must come back to the start (no
 * leaked sockets, pipes or watchers; inotify watches are counted from /proc/self/fdinfo,
 * since libuv puts every fs.watch on one inotify fd). Memory is measured and logged only.
 */
import {readFileSync, readdirSync, readlinkSync} from 'node:fs'
import {connect} from 'node:net'
import v8 from 'node:v8'
import vm from 'node:vm'
import {beforeAll, describe, expect, it} from 'vitest'
import type {RaceRun} from './race-harness.js'
import {race} from './race-harness.js'
import {waitFor} from './harness.js'
import {createAuthority, issueSvid, writeSvidDir} from '../../src/index.js'
import {fileNames} from '../../src/core/fs/layout.js'
import {runServer} from '../../src/core/handshake/run-server.js'
import {tmpDir} from '../helpers/tmp.js'

const onLinux = process.platform === 'linux'

/** Open fds of this process by kind, and the inotify watches held on them. */
interface FdSnapshot {
  fds: number
  sockets: number
  pipes: number
  inotifyWatches: number
}

function snapshot(): FdSnapshot {
  const s: FdSnapshot = {fds: 0, sockets: 0, pipes: 0, inotifyWatches: 0}
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue // the fd of the readdir itself, already closed
    }
    s.fds++
    if (target.startsWith('socket:')) s.sockets++
    if (target.startsWith('pipe:')) s.pipes++
    if (target === 'anon_inode:inotify') {
      try {
        s.inotifyWatches += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('inotify wd:')).length
      } catch {
        // closed meanwhile
      }
    }
  }
  return s
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10

describe.skipIf(!onLinux)(
  'leaks over a long local race (kubelet writer: a new dir and a ..data swap per rotation)',
  () => {
    let before: FdSnapshot
    let after: FdSnapshot
    let run: RaceRun
    let memBefore: NodeJS.MemoryUsage
    let memAfter: NodeJS.MemoryUsage

    beforeAll(async () => {
      // Warm-up: the first run opens process-wide fds that stay (libuv's inotify fd, thread pool).
      await race('leaks warm-up', {rotateMode: 'kubelet', rotations: 2, intervalMs: 50, concurrency: 2})
      before = snapshot()
      memBefore = process.memoryUsage()
      run = await race('leaks', {
        rotateMode: 'kubelet',
        rotations: 100,
        intervalMs: 10,
        concurrency: 4,
        handshakes: 2000,
        debounceMs: 30,
        pollMs: 1000,
      })
      // Sockets destroyed at the very end close on a later loop turn: wait for that, bounded.
      await waitFor(() => snapshot().fds <= before.fds, 2000, 'fds to come back').catch(() => undefined)
      after = snapshot()
      memAfter = process.memoryUsage()
      const p = run.report
      console.log(
        `[leaks] ${p.handshakes} handshakes, ${p.rotations} rotations in ${(run.wallMs / 1000).toFixed(1)}s; ` +
          `convergence p50 ${Math.round(p.convergence?.p50Ms ?? -1)}ms p99 ${Math.round(p.convergence?.p99Ms ?? -1)}ms; ` +
          `report fds ${p.resources.start.fds}→${p.resources.end.fds} (max ${p.resources.maxFds}); ` +
          `process fds ${JSON.stringify(before)} → ${JSON.stringify(after)}; ` +
          `rss ${p.resources.start.rssMb}→${p.resources.end.rssMb} MB (max ${p.resources.maxRssMb}), heap ${p.resources.start.heapMb}→${p.resources.end.heapMb} MB; ` +
          `process rss ${mb(memBefore.rss)}→${mb(memAfter.rss)} MB, heapUsed ${mb(memBefore.heapUsed)}→${mb(memAfter.heapUsed)} MB, external ${mb(memBefore.external)}→${mb(memAfter.external)} MB`,
      )
    }, 110_000)

    it('ran thousands of handshakes without a failure', () => {
      const p = run.report
      expect({ok: p.ok, failures: p.failures, rotations: p.rotations, finalSerialServed: p.finalSerialServed}).toEqual({
        ok: true,
        failures: 0,
        rotations: 100,
        finalSerialServed: true,
      })
      expect(p.handshakes).toBeGreaterThanOrEqual(2000)
    })

    it("the report's fd count at the end is within a small margin of the start", () => {
      const {start, end, maxFds} = run.report.resources
      expect(start.fds).toBeGreaterThan(0)
      // The end sample is taken right after server.stop(): a couple of just-destroyed sockets may not be closed yet.
      expect(end.fds - start.fds).toBeLessThanOrEqual(3)
      // While running: the server, the watchers, the rotate child's pipes and one socket pair per client loop.
      expect(maxFds - start.fds).toBeLessThan(40)
    })

    it('once settled, the process holds exactly the fds, sockets, pipes and inotify watches it held before', () => {
      expect(after).toEqual(before)
    })
  },
)

// `serve` keeps counters, not events (issue 17 item 7): 60k garbage connections used to add 90 MB.
describe('serve keeps bounded memory', () => {
  it('no connection event is retained while serving; the summary counts every connection exactly', async () => {
    const {authority} = await createAuthority({trustDomain: 'example.org', intermediates: 0})
    const issued = await issueSvid(authority, {spiffeId: 'spiffe://example.org/server'})
    const dir = tmpDir()
    writeSvidDir(dir, issued.svid, issued.bundle, fileNames('spiffe-helper'))
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const N = 600
    const seen: WeakRef<object>[] = []
    let port = 0
    let failed = 0
    const summary = runServer({
      listen: '127.0.0.1:0',
      dir,
      count: N + 1,
      sink: (e) => {
        if (e.type === 'listening') port = e.port as number
        if (e.type !== 'connection') return
        if (e.result === 'failed') failed++
        seen.push(new WeakRef(e))
      },
    })
    await waitFor(() => port > 0, 10_000, 'the server to listen')
    // Plain text instead of a TLS ClientHello: each connection fails its handshake at once.
    const garbage = () =>
      new Promise<void>((resolve) => {
        const c = connect(port, '127.0.0.1', () => c.end('GET / HTTP/1.0\r\n\r\n'))
        c.on('error', () => resolve())
        c.on('close', () => resolve())
      })
    for (let i = 0; i < N; i += 50) await Promise.all(Array.from({length: 50}, garbage))
    await waitFor(() => seen.length === N, 10_000, `${N} connection events`)
    gc()
    const retained = seen.filter((r) => r.deref() !== undefined).length
    await garbage()
    const s = await summary
    expect(retained, `${retained} of ${N} connection events still held`).toBeLessThanOrEqual(1)
    expect({connections: s.connections, failed: s.failed, accepted: s.accepted, rejected: s.rejected}).toEqual({
      connections: N + 1,
      failed,
      accepted: N + 1 - failed,
      rejected: 0,
    })
    expect(failed).toBe(N + 1)
    expect(Object.values(s.rejectedByCause).reduce((a, b) => a + b, 0)).toBe(N + 1)
  }, 60_000)
})
