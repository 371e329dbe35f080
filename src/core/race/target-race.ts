import {systemClock} from '../clock.js'
import {RACE_DEFAULTS} from './defaults.js'
import type {TargetRaceOptions} from './target-options.js'
import {SvidkitError} from '../errors.js'
import {loadAuthority} from '../ca/store.js'
import type {RotateEvent} from '../rotate/events.js'
import {resolveLayout} from '../fs/layout.js'
import {clientHandshake} from '../handshake/client.js'
import {attemptOf, type Attempt} from './attempt.js'
import {sleep} from '../time/sleep.js'
import {clientIdentity, startClients, type ClientIdentity, type Clients} from './clients.js'
import {availableParallelism} from 'node:os'
import {rotationRows, staleAfterLast} from './convergence.js'
import {checkPidSource, fireReload, type PidSource, type ReloadResult} from './reload.js'
import {canConnect, startServerProcess, waitForPort, type ServerProcess} from './server-process.js'
import {baselineProbe, dirIssuedByCa, portFree} from './baseline.js'
import {classifyDrops, reloadWindows} from './drops.js'
import {leaveDirectory, snapshotDir} from './leave-dir.js'
import {attemptsInWindows, writerWindows} from './windows.js'
import {targetReport, triggerText, type TargetRaceReport} from './target-report.js'
import {checkTimelinePath, writeTimeline} from './timeline.js'
import {rolloverSteps} from './writer-job.js'
import {startWriter, type Writer} from './writer.js'

export type {TargetRaceOptions} from './target-options.js'

/**
 * Returns the verdict of racing an external server under rotation: its SVID directory is
 * rewritten by a real writer (a separate process), the reload trigger fires after each
 * complete set, and mTLS clients whose SVIDs follow the CA record the serial served on
 * every handshake. Setup problems throw (exit 2/3); a failed race is `ok: false` (exit 5).
 */
export async function runTargetRace(o: TargetRaceOptions): Promise<TargetRaceReport> {
  const clock = o.clock ?? systemClock
  const mode = o.mode ?? RACE_DEFAULTS.mode
  const {layout, names} = resolveLayout(o.dir, {layout: o.layout, names: o.names})
  const settleMs = o.settleMs ?? RACE_DEFAULTS.settleMs
  const trigger = o.reload ?? {kind: 'none'}
  if (o.timelinePath) checkTimelinePath(o.timelinePath)
  checkPidSource(o.pid, o.pidFile)
  const authority = loadAuthority(o.ca)
  // Before any write: --ca must have issued the SVID the server serves from --dir.
  const server = dirIssuedByCa(o.dir, names, o.ca, authority, clock.now())
  const snapshot = snapshotDir(o.dir, names)
  const clientId = o.clientId ?? `spiffe://${authority.trustDomain.name}/svidkit-race-client`
  let identity: ClientIdentity = await clientIdentity({
    ca: o.ca,
    clientId,
    keyType: o.issue?.keyType,
    clock,
    reissue: true,
  })
  const initialClientRoot = identity.root
  // During a root overlap (after activate, before drop-old) odd client loops keep the old root's
  // SVID, as peers that have not rotated yet do: a server must accept both roots then.
  let lagging: ClientIdentity | undefined
  const identityOf = (loop: number) => (lagging && loop % 2 === 1 ? {...lagging, bundles: identity.bundles} : identity)
  const steps = rolloverSteps(
    o.rotations ?? RACE_DEFAULTS.rotations,
    o.kind ?? RACE_DEFAULTS.kind,
    o.caOverlap ?? RACE_DEFAULTS.caOverlap,
  )

  let proc: ServerProcess | undefined
  let writer: Writer | undefined
  let clients: Clients | undefined
  let progress: NodeJS.Timeout | undefined
  let directory: TargetRaceReport['directory']
  // One stop, however many callers (the abort listener and the normal end): a second caller
  // waits for the first, so nothing returns while --dir is still being left complete.
  let stopping: Promise<void> | undefined
  const stopAll = (): Promise<void> => (stopping ??= stopOnce())
  const stopOnce = async () => {
    clearInterval(progress)
    await Promise.all([writer?.stop(), clients?.stop()])
    // Leave --dir complete (or as found, with --restore) before the server that reads it goes.
    if (writer && !directory) {
      directory = {left: 'last-rotation'}
      try {
        directory = await leaveDirectory({
          dir: o.dir,
          names,
          ca: o.ca,
          mode,
          layout: o.layout,
          spiffeId: server.spiffeId.toString(),
          snapshot,
          restore: o.restore ?? false,
          clock,
        })
        if (directory.left !== 'last-rotation' && !proc) await fireReload(trigger, 0, pidSource(), clock)
      } catch (err) {
        directory = {left: 'last-rotation', problem: `could not leave --dir complete: ${(err as Error).message}`}
      }
    }
    await proc?.stop()
  }
  const pidSource = (): PidSource | undefined =>
    o.pid !== undefined ? {pid: o.pid} : o.pidFile ? {pidFile: o.pidFile} : proc ? {group: proc} : undefined
  const onAbort = () => void stopAll()
  o.abort?.addEventListener('abort', onAbort, {once: true})
  try {
    if (o.serverCmd) {
      await portFree(o.host, o.port)
      proc = startServerProcess(o.serverCmd)
      await waitForPort(o.host, o.port, {
        timeoutMs: o.startTimeoutMs ?? RACE_DEFAULTS.startTimeoutMs,
        server: proc,
        abort: o.abort,
      })
    } else if (!(await canConnect(o.host, o.port, 2000))) {
      throw new SvidkitError(
        'target-unreachable',
        `${o.host}:${o.port} refuses connections before the first rotation`,
        {
          hint: 'start the server under test first, or let svidkit start it with --server-cmd',
        },
      )
    }
    if (o.abort?.aborted) throw new SvidkitError('internal', 'interrupted before the first rotation')
    const handshakeOpts = {
      host: o.host,
      port: o.port,
      servername: o.servername,
      expectIds: o.expectIds?.length ? o.expectIds : [server.spiffeId],
      expectTrustDomain: o.expectTrustDomain,
      tlsVersion: o.tlsVersion,
      timeoutMs: o.timeoutMs ?? RACE_DEFAULTS.timeoutMs,
      probe: o.probe,
      clock,
    }
    const probe = async () =>
      clientHandshake({...handshakeOpts, credentials: identity.credentials, bundles: identity.bundles})
    const initial = await baselineProbe(probe, {dir: o.dir, serial: server.serial, target: `${o.host}:${o.port}`})

    const t0 = clock.monotonicMs()
    const attempts: Attempt[] = []
    const reloads: ReloadResult[] = []
    const triggers = new Map<number, number>()
    let rotationNow = 0
    let rotationStarted = 0
    let exitDuring = 0
    const pids = pidSource()
    // Loops on worker threads (one per core, at most one per loop): one Node thread halves the rate.
    const threads = o.threads ?? availableParallelism()
    clients = startClients({
      ...handshakeOpts,
      concurrency: o.concurrency ?? RACE_DEFAULTS.concurrency,
      threads,
      identity: identityOf,
      onAttempt: (a) => attempts.push(a),
    })
    progress = setInterval(
      () =>
        o.onProgress?.({
          handshakes: attempts.length,
          failures: attempts.filter((a) => !a.ok).length,
          rotations: rotationNow,
          elapsedMs: clock.monotonicMs() - t0,
        }),
      500,
    )
    const onDone = async (e: RotateEvent) => {
      rotationNow = e.rotation
      const step = steps[e.rotation - 1]
      // Peers follow the CA: new trust at once, a new client SVID whenever a leaf was issued from it.
      const reissue = step.kind !== 'root' || step.caOverlap === 'none'
      const before = identity
      identity = await clientIdentity({
        ca: o.ca,
        clientId,
        keyType: o.issue?.keyType,
        clock,
        previous: identity,
        reissue: reissue && !(o.bundleOnly ?? false),
      })
      const overlap = step.label.endsWith('(activate)') && (o.concurrency ?? RACE_DEFAULTS.concurrency) > 1
      if (overlap) lagging = before
      clients?.refresh()
      const r = await fireReload(trigger, e.rotation, pids, clock)
      if (r) {
        reloads.push(r)
        triggers.set(e.rotation, r.t)
      }
      if (overlap && steps[e.rotation]?.caOverlap === 'drop-old') {
        // SPIRE drops the old root only once every SVID it signed expired: the server must have moved
        // to the new-root leaf (up to --settle), and the old root's peers rotate, before drop-old.
        const until = clock.monotonicMs() + settleMs
        while (
          clock.monotonicMs() < until &&
          !o.abort?.aborted &&
          !attempts.some((a) => a.start >= e.t && a.servedSerial === e.serial)
        )
          await sleep(20)
        await sleep(o.intervalMs ?? RACE_DEFAULTS.intervalMs)
        lagging = undefined
        clients?.refresh()
      }
    }
    writer = startWriter(
      {
        dir: o.dir,
        ca: o.ca,
        mode,
        layout,
        names: o.names,
        issue: {...o.issue, ttlMs: o.issue?.ttlMs ?? RACE_DEFAULTS.ttlMs},
        knobs: o.knobs,
        intermediatesInBundle: o.intermediatesInBundle ?? false,
        bundleOnly: o.bundleOnly ?? false,
        steps,
        intervalMs: o.intervalMs ?? RACE_DEFAULTS.intervalMs,
        lockstep: true,
        holdWindows: (o.windowHandshakes ?? RACE_DEFAULTS.windowHandshakes) > 0,
      },
      {
        onDone,
        onEvent: (e) => (rotationStarted = Math.max(rotationStarted, e.rotation)),
        // A window stays open until --window-handshakes handshakes begun inside it ended (at most 5 s, or one --timeout).
        onWindow: async (t) => {
          const until = clock.monotonicMs() + Math.max(5000, o.timeoutMs ?? RACE_DEFAULTS.timeoutMs)
          while (
            clock.monotonicMs() < until &&
            !o.abort?.aborted &&
            attempts.filter((a) => a.start >= t).length < (o.windowHandshakes ?? RACE_DEFAULTS.windowHandshakes)
          )
            await sleep(2)
        },
      },
    )
    if (o.abort?.aborted) await writer.stop()
    const serverGone = proc ? proc.exited.then(() => 'server' as const) : new Promise<'server'>(() => undefined)
    const first = await Promise.race([writer.exited.then(() => 'writer' as const), serverGone])
    if (first === 'server') {
      exitDuring = Math.max(1, rotationStarted)
      await writer.stop()
    }
    const rotateExit = first === 'server' ? 0 : await writer.exited
    const lastDone = writer.done.at(-1)
    // Give the server --settle to serve the last set, then stop the clients.
    const servedLast = () =>
      !lastDone || attempts.some((a) => a.start >= lastDone.t && a.servedSerial === lastDone.serial)
    const settleUntil = (lastDone?.t ?? clock.monotonicMs()) + settleMs
    while (!o.abort?.aborted && !proc?.exit && first === 'writer' && clock.monotonicMs() < settleUntil && !servedLast())
      await sleep(20)
    const minUntil = t0 + (o.durationMs ?? 0)
    while (!o.abort?.aborted && !proc?.exit && clock.monotonicMs() < minUntil) await sleep(50)
    // Keep watching a while after convergence (up to --settle after the last rotation, at most 1 s more), so a stale worker or listener shows up.
    const extraUntil = Math.min(clock.monotonicMs() + 1000, (lastDone?.t ?? 0) + settleMs + 200)
    while (!o.abort?.aborted && !proc?.exit && first === 'writer' && clock.monotonicMs() < extraUntil) await sleep(20)
    await clients.stop()
    clearInterval(progress)
    const final = proc?.exit || o.abort?.aborted ? undefined : await probe()
    if (final) {
      const t = clock.monotonicMs()
      attempts.push(attemptOf(t, t, final, identity.root))
    }
    const lastSerial = lastDone?.serial ?? server.serial
    const exit = proc?.exit
    const perRotation = rotationRows({
      done: writer.done,
      steps: steps.map((s) => s.label),
      initialSerial: initial.peer.serial,
      attempts,
      triggers,
      settleMs,
    })
    classifyDrops(
      attempts,
      reloadWindows({done: writer.done, triggers: reloads, firstNewMs: perRotation.map((r) => r.firstNewMs)}),
    )
    await stopAll()
    const report = targetReport({
      attempts,
      trigger,
      initialClientRoot,
      lastServedSerial: final?.peer.serial ?? attempts.filter((a) => a.servedSerial).at(-1)?.servedSerial ?? null,
      maxFailures: o.maxFailures ?? RACE_DEFAULTS.maxFailures,
      rotations: writer.done.length,
      rotateMode: mode,
      kind: o.kind ?? RACE_DEFAULTS.kind,
      finalSerialServed: final?.peer.serial === lastSerial,
      staleServed: staleAfterLast(attempts, lastDone?.serial, lastDone?.t, settleMs),
      windowsOpened: writer.events.filter((e) => e.step === 'window' && e.state === 'open').length,
      handshakesInWindows: attemptsInWindows(attempts, writerWindows(writer.events)),
      doneTimes: writer.done.map((d) => d.t),
      ...(directory ? {directory} : {}),
      elapsedMs: clock.monotonicMs() - t0,
      rotateExit,
      rotateErrors: writer.stderr,
      settleMs,
      target: {
        host: o.host,
        port: o.port,
        ...(o.serverCmd ? {serverCmd: o.serverCmd, pid: proc?.pid} : {}),
        initialSerial: initial.peer.serial,
        ...(exit ? {exit: {...exit, duringRotation: exitDuring || rotationNow}} : {}),
        lastLines: proc?.lastLines() ?? [],
      },
      reload: {
        trigger: triggerText(trigger),
        fired: reloads.length,
        failed: reloads.filter((r) => !r.ok).length,
        results: reloads,
      },
      perRotation,
    })
    if (o.timelinePath) {
      const serials = [
        ...new Set(
          [initial.peer.serial ?? server.serial, ...writer.done.map((d) => d.serial ?? '')].filter((x) => x !== ''),
        ),
      ]
      writeTimeline(o.timelinePath, {
        verdict: report,
        target: `--target ${o.host}:${o.port}`,
        writerEvents: writer.events,
        reloads,
        attempts,
        serials,
      })
    }
    return report
  } finally {
    o.abort?.removeEventListener('abort', onAbort)
    await stopAll()
  }
}
