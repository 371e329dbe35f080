import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {systemClock} from '../../clock.js'
import {initCa} from '../../ca/init.js'
import {issueToDirectory} from '../../svid/issue-files.js'
import {fileNames} from '../../fs/layout.js'
import {rotate, defaultLayout} from '../../rotate/rotate.js'
import {defaultKnobs} from '../../rotate/knobs.js'
import {sleep} from '../../time/sleep.js'
import {loadCredentials} from '../../handshake/run-client.js'
import {SvidServer} from '../../handshake/server.js'
import type {ServerEvent} from '../../handshake/server-events.js'
import {ClientTrust} from './client-trust.js'
import {startWriter} from '../writer.js'
import {rotateSteps} from '../writer-job.js'
import {startLoops, type Attempt} from '../attempt.js'
import {convergence, sampleResources, type ResourceSample} from './stats.js'
import type {LocalRaceOptions} from './options.js'
import {raceReport, type RaceReport} from './report.js'
import {raceTempDir} from './temp-dir.js'
import {checkTimelinePath, writeTimeline} from '../timeline.js'
import {RACE_DEFAULTS} from '../defaults.js'

export type {LocalRaceOptions} from './options.js'

/**
 * svidkit owns both ends here: when the server refused a connection, its reason code is the
 * primary cause and the client's view (an alert or a close) the secondary one
 * (docs/race.md). Matched by the client's local port.
 */
function attributeToServer(attempts: Attempt[], events: ServerEvent[]): void {
  const byPort = new Map<number, ServerEvent>()
  for (const e of events)
    if (e.type === 'connection' && e.result === 'rejected' && typeof e.remotePort === 'number')
      byPort.set(e.remotePort, e)
  for (const a of attempts) {
    if (a.ok || a.side !== 'peer' || a.localPort === undefined) continue
    const e = byPort.get(a.localPort)
    if (!e?.code) continue
    a.secondary = a.code
    a.code = e.code
    a.message = e.message
  }
}

const RACE_TRUST_DOMAIN = 'race.svidkit.test'

/** Handshakes the clients must finish while the naive server holds an empty bundle (see holdsBundle). */
const NAIVE_WINDOW_HANDSHAKES = 4

/**
 * Whether the writer pauses after truncating the bundle file: with the naive `unvalidated`
 * server and the spiffe-helper writer (and no --truncate-hold or --pause-after of the user's), the
 * empty-bundle window a real writer opens lasts microseconds, so the bug showed only now and then.
 * The race holds it open until the server has reacted and the clients finished
 * NAIVE_WINDOW_HANDSHAKES handshakes in it, so the documented example fails every run.
 */
function holdsBundle(o: LocalRaceOptions): boolean {
  const k = o.knobs ?? defaultKnobs()
  return (
    (o.serverReload ?? RACE_DEFAULTS.serverReload) === 'unvalidated' &&
    (o.rotateMode ?? RACE_DEFAULTS.mode) === 'spiffe-helper' &&
    k.truncateHoldMs === 0 &&
    !k.pauseAfter
  )
}

/**
 * Returns the report of a local race test: an ephemeral trust domain in a temp
 * directory, an in-process mTLS server hot-reloading its SVID directory, `svidkit rotate`
 * rewriting that directory from a separate process, and clients handshaking
 * continuously; every failure is recorded with its reason code and side.
 */
export async function runLocalRace(o: LocalRaceOptions = {}): Promise<RaceReport> {
  const clock = o.clock ?? systemClock
  const mode = o.rotateMode ?? RACE_DEFAULTS.mode
  if (o.timelinePath) checkTimelinePath(o.timelinePath)
  const tmp = raceTempDir()
  const samples: ResourceSample[] = [sampleResources()]
  let stopWriter: (() => Promise<void>) | undefined
  const onAbort = () => void stopWriter?.()
  o.abort?.addEventListener('abort', onAbort, {once: true})
  try {
    const caDir = join(tmp, 'ca')
    await initCa({trustDomain: RACE_TRUST_DOMAIN, out: caDir, intermediates: 1, keyType: o.keyType, clock})
    const layout = defaultLayout(mode)
    const names = fileNames(layout)
    const serverDir = mode === 'dir-symlink' ? join(tmp, 'server', 'current') : join(tmp, 'server')
    const serverId = `spiffe://${RACE_TRUST_DOMAIN}/server`
    // The first set is written by the same writer, so the directory is what that writer produces.
    await rotate({
      dir: serverDir,
      ca: caDir,
      mode,
      spiffeId: serverId,
      knobs: defaultKnobs(),
      issue: {keyType: o.keyType},
      sink: () => undefined,
      clock,
    })
    const clientDir = join(tmp, 'client')
    await issueToDirectory({
      spiffeId: `spiffe://${RACE_TRUST_DOMAIN}/client`,
      ca: caDir,
      out: clientDir,
      keyType: o.keyType,
      ttlMs: 24 * 3_600_000,
      clock,
    })
    const creds = loadCredentials({dir: clientDir})
    const trust = new ClientTrust(join(caDir, 'bundle.pem'), RACE_TRUST_DOMAIN)

    const serverEvents: ServerEvent[] = []
    const server = new SvidServer({
      host: '127.0.0.1',
      port: 0,
      dir: serverDir,
      names,
      reload: o.serverReload ?? RACE_DEFAULTS.serverReload,
      strategy: o.strategy ?? RACE_DEFAULTS.strategy,
      debounceMs: o.debounceMs ?? RACE_DEFAULTS.debounceMs,
      pollMs: o.pollMs ?? RACE_DEFAULTS.pollMs,
      tlsVersion: o.tlsVersion,
      expectTrustDomain: undefined,
      clock,
      sink: (e) => {
        serverEvents.push(e)
        o.onServerEvent?.(e)
      },
    })
    const port = await server.start()
    const t0 = clock.monotonicMs()
    const attempts: Attempt[] = []
    const clients = startLoops({
      count: o.concurrency ?? RACE_DEFAULTS.concurrency,
      next: (i) => ({
        options: {
          host: '127.0.0.1',
          port,
          // With --server-reload sni, odd clients send no SNI: they get the constructor's context.
          servername: o.serverReload === 'sni' && i % 2 === 1 ? '' : 'server.race.svidkit.test',
          credentials: creds,
          bundles: trust.bundles(),
          expectTrustDomain: undefined,
          tlsVersion: o.tlsVersion,
          timeoutMs: RACE_DEFAULTS.localTimeoutMs,
          clock,
        },
      }),
      clock,
      onAttempt: (a) => attempts.push(a),
      abort: o.abort,
    })
    const progress = setInterval(() => {
      samples.push(sampleResources())
      o.onProgress?.({
        handshakes: attempts.length,
        failures: attempts.filter((a) => !a.ok).length,
        rotations: rotator.done.length,
        elapsedMs: clock.monotonicMs() - t0,
      })
    }, 500)
    const rotator = startWriter(
      {
        dir: serverDir,
        ca: caDir,
        mode,
        layout,
        issue: {keyType: o.keyType, ttlMs: o.ttlMs ?? RACE_DEFAULTS.ttlMs, ...o.leafValidity},
        knobs: holdsBundle(o)
          ? {...(o.knobs ?? defaultKnobs()), pauseAfter: {file: names.bundle, step: 'open'}}
          : (o.knobs ?? defaultKnobs()),
        intermediatesInBundle: o.intermediatesInBundle ?? false,
        bundleOnly: o.bundleOnly ?? false,
        steps: rotateSteps(
          o.rotations ?? RACE_DEFAULTS.rotations,
          o.kind ?? RACE_DEFAULTS.kind,
          o.caOverlap ?? RACE_DEFAULTS.caOverlap,
        ),
        intervalMs: o.intervalMs ?? RACE_DEFAULTS.intervalMs,
        lockstep: false,
      },
      {
        onEvent: (e) => {
          if (e.step === 'pause') void holdWindow(e.t)
        },
      },
    )
    stopWriter = rotator.stop
    // The writer paused with the bundle truncated: resume it once the server reacted and the clients saw that state.
    // `paused` is the writer's own time of the pause (the same monotonic clock in every process).
    const holdWindow = async (paused: number) => {
      const until = clock.monotonicMs() + 5000
      const reacted = () => serverEvents.find((e) => e.t >= paused && (e.type === 'reload' || e.type === 'error'))?.t
      while (clock.monotonicMs() < until && reacted() === undefined && !o.abort?.aborted) await sleep(5)
      const from = reacted() ?? paused
      while (
        clock.monotonicMs() < until &&
        attempts.filter((a) => a.start >= from).length < NAIVE_WINDOW_HANDSHAKES &&
        !o.abort?.aborted
      )
        await sleep(5)
      rotator.child.kill('SIGUSR2')
    }
    if (o.abort?.aborted) await rotator.stop()
    const rotateExit = await rotator.exited
    // Let the server converge on the last set (same file hashes as the writer's last done event),
    // then until one client was served after that, then keep going until the minimums are met.
    const lastDone = rotator.done.at(-1)
    const last = lastDone?.serial
    const settleUntil = clock.monotonicMs() + (o.pollMs ?? RACE_DEFAULTS.pollMs) + 3000
    const loadedLast = () => !lastDone || JSON.stringify(server.loaded) === JSON.stringify(lastDone.sha256)
    const go = () => !o.abort?.aborted
    while (go() && clock.monotonicMs() < settleUntil && !loadedLast()) await sleep(20)
    const finalSetLoaded = loadedLast()
    const tLoaded = clock.monotonicMs()
    while (
      go() &&
      clock.monotonicMs() < settleUntil &&
      finalSetLoaded &&
      !attempts.some((a) => a.ok && a.start >= tLoaded)
    )
      await sleep(20)
    while (go() && (clock.monotonicMs() - t0 < (o.durationMs ?? 0) || attempts.length < (o.handshakes ?? 0)))
      await sleep(50)
    await clients.stop()
    clearInterval(progress)
    samples.push(sampleResources())
    trust.close()
    await server.stop()
    attributeToServer(attempts, serverEvents)
    const report = raceReport({
      options: {...o, rotateMode: mode, serverReload: server.reload, strategy: o.strategy ?? RACE_DEFAULTS.strategy},
      attempts,
      done: rotator.done,
      windows: rotator.events.filter((e) => e.step === 'window' && e.state === 'open').length,
      rotateExit,
      rotateErrors: rotator.stderr,
      serverEvents,
      samples,
      elapsedMs: clock.monotonicMs() - t0,
      convergence: convergence(rotator.done, attempts),
      lastSerial: last,
      finalSetLoaded,
      loadedAt: finalSetLoaded ? tLoaded : undefined,
    })
    if (o.timelinePath) {
      const first = serverEvents.find((e) => e.type === 'listening')?.serial
      const serials = [...new Set([first ?? '', ...rotator.done.map((d) => d.serial ?? '')].filter((x) => x !== ''))]
      const summary = `${report.failures} of ${report.handshakes} handshakes failed (allowed ${report.maxFailures}); server ${report.serverReload}, writer ${mode}`
      writeTimeline(o.timelinePath, {
        verdict: {ok: report.ok, summary},
        target: '(in-process)',
        writerEvents: rotator.events,
        reloads: [],
        attempts,
        serials,
      })
    }
    return report
  } finally {
    o.abort?.removeEventListener('abort', onAbort)
    await stopWriter?.()
    rmSync(tmp, {recursive: true, force: true})
  }
}
