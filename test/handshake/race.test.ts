/**
 * The local rotation race test (`runLocalRace`, docs/rotation.md R1–R18): the reference server
 * hot-reloads through every writer with zero handshake failures, and the naive servers fail
 * where rotation.md predicts, with the cause named. Runs are sequential (each one is a server,
 * a `svidkit rotate` child and client loops on a 2-core machine); the numbers of every run
 * are printed, and the per-mode wall times are summarised at the end.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {defaultKnobs, type Knobs} from '../../src/core/rotate/knobs.js'
import {race, type RaceRun} from './race-harness.js'

const ATOMIC_MODES: WriterMode[] = ['atomic-rename', 'kubelet', 'dir-symlink', 'credential-bundle', 'hardlink-backup']
const ROTATIONS = 200
const timings: [string, number][] = []

afterAll(() => {
  if (timings.length === 0) return
  const total = timings.reduce((s, [, t]) => s + t, 0)
  console.log(
    `[race] wall time per run: ${timings.map(([m, t]) => `${m} ${(t / 1000).toFixed(1)}s`).join(', ')}; total ${(total / 1000).toFixed(1)}s`,
  )
})

async function timed(label: string, o: Parameters<typeof race>[1]): Promise<RaceRun> {
  const r = await race(label, o)
  timings.push([label, r.wallMs])
  return r
}

describe('reference server: zero handshake failures over 200 rotations', () => {
  for (const mode of [...ATOMIC_MODES, 'spiffe-helper' as WriterMode]) {
    it(`${mode}${mode === 'spiffe-helper' ? ' (default knobs)' : ''}`, async () => {
      const {report: p} = await timed(mode, {
        rotateMode: mode,
        rotations: ROTATIONS,
        intervalMs: 10,
        concurrency: 2,
        debounceMs: 30,
        pollMs: 1000,
      })
      expect({
        ok: p.ok,
        failures: p.failures,
        failuresByCause: p.failuresByCause,
        errors: p.errors,
        rotations: p.rotations,
        rotateExit: p.rotateExit,
        finalSerialServed: p.finalSerialServed,
        resumed: p.resumed,
      }).toEqual({
        ok: true,
        failures: 0,
        failuresByCause: {},
        errors: [],
        rotations: ROTATIONS,
        rotateExit: 0,
        finalSerialServed: true,
        resumed: 0,
      })
      expect(p.handshakes).toBeGreaterThan(ROTATIONS)
      expect(p.server.reloads).toBeGreaterThan(0)
      expect(p.convergence).not.toBeNull()
    }, 150_000)
  }
})

describe("naive server 'partial' (setSecureContext({key, cert}) drops ca, R15)", () => {
  let run: RaceRun
  beforeAll(async () => {
    run = await timed('partial', {serverReload: 'partial', rotations: 2, intervalMs: 300, concurrency: 2, pollMs: 200})
  }, 60_000)

  it('serves clients until the first reload, then every client certificate is rejected (side peer)', () => {
    const p = run.report
    expect({ok: p.ok, finalSerialServed: p.finalSerialServed, rotateExit: p.rotateExit}).toEqual({
      ok: false,
      finalSerialServed: false,
      rotateExit: 0,
    })
    expect(p.failures).toBeGreaterThan(0)
    expect(Object.keys(p.failuresByCause).length).toBeGreaterThan(0)
    expect(p.failuresBySide).toEqual({local: 0, peer: p.failures})
    // svidkit owns both ends: the server's reason (OpenSSL's verdict without ca) is the primary cause,
    // not the client's view (TLS 1.3: a close after the handshake).
    expect(p.errors[0]).toMatchObject({code: 'untrusted-chain', side: 'peer'})
    expect(p.errors[0].message).toMatch(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY/)

    const firstReload = run.events.find((e) => e.type === 'reload')?.t as number
    expect(firstReload).toBeDefined()
    const conns = run.events.filter((e) => e.type === 'connection')
    const before = conns.filter((e) => e.t < firstReload)
    const after = conns.filter((e) => e.t > firstReload)
    expect(before.length).toBeGreaterThan(0)
    expect(before.every((e) => e.result === 'accepted')).toBe(true)
    // A handshake begun before the swap may finish on the old context: at most one per client loop.
    expect(after.filter((e) => e.result === 'accepted').length).toBeLessThanOrEqual(2)
    expect(after.filter((e) => e.result === 'rejected').length).toBe(p.failures)
  })

  // The naive 'partial' server takes OpenSSL's verdict; svidkit reports that refusal as the server's own reason.
  it("the server names its own refusal (untrusted-chain, side local) in 'partial' mode", () => {
    const rejected = run.events.filter((e) => e.type === 'connection' && e.result === 'rejected')
    expect(rejected.length).toBeGreaterThan(0)
    expect(
      rejected.every((e) => e.code === 'untrusted-chain' && e.side === 'local' && typeof e.remotePort === 'number'),
    ).toBe(true)
  })
})

describe("naive server 'unvalidated' with spiffe-helper (in-place O_TRUNC writes)", () => {
  const ossl = (r: RaceRun) => r.events.filter((e) => e.type === 'error').map((e) => String(e.code))

  it('--truncate-hold 20ms: the server loads empty files (R2): ERR_OSSL_ reload errors', async () => {
    const r = await timed('unvalidated truncate-hold', {
      serverReload: 'unvalidated',
      rotateMode: 'spiffe-helper',
      knobs: {...defaultKnobs(), truncateHoldMs: 20},
      rotations: 10,
      intervalMs: 20,
      concurrency: 2,
    })
    const codes = ossl(r)
    expect(codes.length).toBeGreaterThan(0)
    expect(codes.every((c) => c.startsWith('ERR_OSSL_'))).toBe(true)
    expect(codes.some((c) => c === 'ERR_OSSL_PEM_NO_START_LINE' || c === 'ERR_OSSL_UNSUPPORTED')).toBe(true)
    // Reloads stamped with validated: false: this server installs whatever it read.
    expect(r.events.some((e) => e.type === 'reload' && e.validated === false)).toBe(true)
    console.log(
      `[race] unvalidated truncate-hold: reload errors ${JSON.stringify(countBy(codes))}, client failures ${r.report.failures}`,
    )
  }, 60_000)

  it('--gap 50ms: new cert next to the old key (R1): ERR_OSSL_X509_KEY_VALUES_MISMATCH', async () => {
    const r = await timed('unvalidated gap', {
      serverReload: 'unvalidated',
      rotateMode: 'spiffe-helper',
      knobs: {...defaultKnobs(), gapMs: 50},
      rotations: 10,
      intervalMs: 20,
      concurrency: 2,
    })
    const codes = ossl(r)
    expect(codes).toContain('ERR_OSSL_X509_KEY_VALUES_MISMATCH')
    expect(codes.every((c) => c.startsWith('ERR_OSSL_'))).toBe(true)
    console.log(
      `[race] unvalidated gap: reload errors ${JSON.stringify(countBy(codes))}, client failures ${r.report.failures}`,
    )
  }, 60_000)

  const TORN: Knobs = {...defaultKnobs(), order: ['key', 'cert', 'bundle'], chunkBytes: 64, chunkDelayMs: 3}
  it('key first, cert in 64-byte chunks: a torn chain (leaf only) is served and clients fail with untrusted-chain', async () => {
    const r = await timed('unvalidated torn chain', {
      serverReload: 'unvalidated',
      rotateMode: 'spiffe-helper',
      knobs: TORN,
      rotations: 15,
      intervalMs: 20,
      concurrency: 2,
    })
    const p = r.report
    expect(p.failures).toBeGreaterThan(0)
    expect(p.failuresByCause['untrusted-chain']).toBeGreaterThan(0)
    // Clients fail on the torn chain: inconsistentOrExpired counts client-side (local) chain,
    // validity and key failures only. The bundle is written in chunks too, so the server can
    // also hold a torn bundle for a moment and reject a client's chain (side 'peer'); which
    // side the one untrusted-chain example in p.errors shows is whichever came first.
    expect(p.inconsistentOrExpired).toBeGreaterThan(0)
    expect(p.failuresBySide.local).toBeGreaterThan(0)
    expect(p.ok).toBe(false)
  }, 60_000)

  it('the reference server under the same torn writes: zero failures', async () => {
    const {report: p} = await timed('reference torn chain', {
      rotateMode: 'spiffe-helper',
      knobs: TORN,
      rotations: 15,
      intervalMs: 20,
      concurrency: 2,
      debounceMs: 30,
      pollMs: 1000,
    })
    expect({ok: p.ok, failures: p.failures, finalSerialServed: p.finalSerialServed}).toEqual({
      ok: true,
      failures: 0,
      finalSerialServed: true,
    })
  }, 60_000)
})

describe('root rotation with the reference server (R12)', () => {
  it("caOverlap 'none': old-root client vs new-root server fails with untrusted-chain", async () => {
    const {report: p} = await timed('root none', {
      kind: 'root',
      caOverlap: 'none',
      rotations: 1,
      intervalMs: 200,
      concurrency: 2,
      pollMs: 500,
    })
    expect(p.failures).toBeGreaterThan(0)
    expect(Object.keys(p.failuresByCause)).toEqual(['untrusted-chain'])
    // The server refuses the client's old-root SVID: attributed to the server's reason.
    expect(p.failuresBySide.peer).toBeGreaterThan(0)
    expect(p.ok).toBe(false)
  }, 60_000)

  it("caOverlap 'add': zero failures, also after the server adopted the last bundle", async () => {
    // The leaf (and so its serial) does not change under 'add': runLocalRace's settle loop, keyed on
    // the served serial, may stop before the server reloaded the last bundle (seen in 3 of 8 runs).
    // durationMs keeps the clients going past that reload.
    const {report: p, events} = await timed('root add', {
      kind: 'root',
      caOverlap: 'add',
      rotations: 2,
      intervalMs: 200,
      concurrency: 2,
      pollMs: 500,
      durationMs: 3000,
    })
    expect({ok: p.ok, failures: p.failures, rotations: p.rotations, finalSerialServed: p.finalSerialServed}).toEqual({
      ok: true,
      failures: 0,
      rotations: 2,
      finalSerialServed: true,
    })
    const reloads = events.filter((e) => e.type === 'reload')
    expect(reloads.length).toBeGreaterThan(0)
    expect(reloads.every((e) => e.trustChanged === true)).toBe(true)
    const lastReload = reloads.at(-1)?.t as number
    expect(
      events.filter((e) => e.type === 'connection' && e.result === 'accepted' && e.t > lastReload).length,
    ).toBeGreaterThan(0)
  }, 60_000)
})

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const x of xs) out[x] = (out[x] ?? 0) + 1
  return out
}

describe("naive server 'sni' (SNICallback swap only, no setSecureContext)", () => {
  it('clients without SNI keep being served the old serial after the last set was loaded; the reference server serves none', async () => {
    const sni = await timed('sni', {
      serverReload: 'sni',
      rotations: 3,
      intervalMs: 200,
      concurrency: 2,
      durationMs: 2500,
    })
    expect(sni.report.finalSetLoaded).toBe(true)
    expect(sni.report.staleServed).toBeGreaterThan(0)
    expect(sni.report.ok).toBe(false)
    const reference = await timed('reference (sni comparison)', {
      rotations: 3,
      intervalMs: 200,
      concurrency: 2,
      durationMs: 2500,
    })
    expect({staleServed: reference.report.staleServed, ok: reference.report.ok}).toEqual({staleServed: 0, ok: true})
  }, 60_000)
})

describe('the documented naive-server example fails every time (race --help)', () => {
  // `race --mode spiffe-helper --server-reload unvalidated --rotations 20`: the naive server installs
  // whatever is on disk at each event; the writer holds each truncated file 30 ms for it (issue 18).
  for (const run of [1, 2]) {
    it(`run ${run}: exit 5 with failures`, async () => {
      const {report: p} = await timed(`unvalidated example ${run}`, {
        rotateMode: 'spiffe-helper',
        serverReload: 'unvalidated',
        rotations: 20,
      })
      expect({ok: p.ok, failed: p.failures > 0}).toEqual({ok: false, failed: true})
    }, 60_000)
  }
})
