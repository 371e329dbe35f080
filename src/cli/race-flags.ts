import {Flags, type Interfaces} from '@oclif/core'
import {defaultCaDir} from '../core/ca/ca-dir.js'
import {usageError} from '../core/errors.js'
import type {LocalRaceOptions} from '../core/race/local/race.js'
import {parseTarget} from '../core/handshake/run-client.js'
import type {TargetRaceOptions} from '../core/race/target-race.js'
import {parseReload} from '../core/race/reload.js'
import {parsePid} from '../core/rotate/pid.js'
import {WRITER_MODES} from '../core/rotate/writers/index.js'
import {parseSpiffeIdArg, parseTrustDomainArg} from '../core/spiffe-id/index.js'
import {formatDuration, parseDuration} from '../core/time/duration.js'
import {RACE_DEFAULTS as D} from '../core/race/defaults.js'
import {parseKeyType} from '../core/x509/key-type.js'
import {sharedFlags} from './flags.js'
import {namesOf, peerFlags, probeFlags, probeOf, tlsVersionOf} from './handshake-flags.js'
import {knobsFromFlags, leafValidityFromFlags, raceKnobFlags} from './rotate-flags.js'
import {serverReloadFlags} from './serve-flags.js'

const T = ['target']
const onlyTarget = <F extends {dependsOn?: string[]}>(f: F): F => ({...f, dependsOn: T})
const onlyLocal = <F extends {exclusive?: string[]}>(f: F): F => ({...f, exclusive: T})
/** The shared declaration `f` with race's own default (RACE_DEFAULTS), so serve's and race's may differ. */
const withDefault = <F extends {default?: unknown}>(f: F, value: F['default']): F => ({...f, default: value})

/** The flags of `race`: the in-process test, or with --target an external server. */
export const raceFlags = {
  target: Flags.string({description: 'race an external server at HOST:PORT instead of the in-process one'}),
  mode: Flags.option({description: 'writer mode of the rotations', options: WRITER_MODES, default: D.mode})(),
  rotations: Flags.integer({
    description: 'number of rotations (a root rollover counts as one)',
    default: D.rotations,
    min: 1,
    max: 100_000,
  }),
  interval: Flags.string({description: 'pause between rotations', default: formatDuration(D.intervalMs)}),
  ...raceKnobFlags(),
  'key-type': sharedFlags.keyType({description: 'key type of the new SVIDs'}),
  ttl: sharedFlags.ttl({description: 'lifetime of the new SVIDs', default: formatDuration(D.ttlMs)}),
  concurrency: Flags.integer({description: 'client loops', default: D.concurrency, min: 1, max: 64}),
  duration: Flags.string({description: 'keep the clients running at least this long'}),
  timeline: Flags.string({
    description: 'also write a self-contained HTML timeline of the run to FILE (never over an existing file)',
  }),
  'max-failures': Flags.integer({
    description: 'failed handshakes allowed before exit 5',
    default: D.maxFailures,
    min: 0,
  }),
  'tls-version': peerFlags['tls-version'],
  // in-process only
  handshakes: onlyLocal(
    Flags.integer({description: 'in-process: keep the clients running for at least N handshakes', min: 1}),
  ),
  'server-reload': onlyLocal(withDefault(serverReloadFlags['server-reload'], D.serverReload)),
  strategy: onlyLocal(withDefault(serverReloadFlags.strategy, D.strategy)),
  debounce: onlyLocal(withDefault(serverReloadFlags.debounce, formatDuration(D.debounceMs))),
  poll: onlyLocal(withDefault(serverReloadFlags.poll, formatDuration(D.pollMs))),
  // --target only
  dir: onlyTarget(
    sharedFlags.dir({description: '--target: the SVID directory the server reads (rotated by the race)'}),
  ),
  ca: onlyTarget(
    Flags.string({
      description: '--target: CA directory that issued the SVID in --dir (default: $SVIDKIT_CA, else ./ca)',
    }),
  ),
  layout: onlyTarget(
    Flags.string({
      description:
        '--target: file names (default: k8s for kubelet, credential-bundle for that mode, else spiffe-helper)',
      options: ['spiffe-helper', 'spire', 'k8s', 'credential-bundle'],
    }),
  ),
  'cert-file': onlyTarget(sharedFlags.certFile()),
  'key-file': onlyTarget(sharedFlags.keyFile()),
  'bundle-file': onlyTarget(sharedFlags.bundleFile()),
  reload: onlyTarget(
    Flags.string({
      description:
        '--target: how the server learns of new files: none (it watches), signal:NAME, exec:CMD (default none)',
    }),
  ),
  pid: onlyTarget(
    Flags.string({description: '--target: pid to signal with --reload signal:NAME (a decimal pid of at least 2)'}),
  ),
  'pid-file': onlyTarget(
    Flags.string({description: '--target: file holding the pid to signal (re-read every rotation)'}),
  ),
  'server-cmd': onlyTarget(
    Flags.string({description: '--target: shell command that starts the server under test (stopped at the end)'}),
  ),
  'start-timeout': onlyTarget(
    Flags.string({
      description: `--target: how long to wait for the server to accept connections (default ${formatDuration(D.startTimeoutMs)})`,
    }),
  ),
  settle: onlyTarget(
    Flags.string({
      description: `--target: how long the server may take to serve a rotation (default ${formatDuration(D.settleMs)})`,
    }),
  ),
  'client-id': onlyTarget(
    Flags.string({description: '--target: SPIFFE ID of the race clients (default spiffe://TD/svidkit-race-client)'}),
  ),
  'expect-id': onlyTarget(peerFlags['expect-id']),
  'expect-trust-domain': onlyTarget(peerFlags['expect-trust-domain']),
  'server-name': onlyTarget(Flags.string({description: '--target: SNI to send'})),
  timeout: onlyTarget(
    Flags.string({description: `--target: per-handshake timeout (default ${formatDuration(D.timeoutMs)})`}),
  ),

  repeat: onlyTarget(
    Flags.integer({
      description: '--target: run N races with fresh rotations, one combined verdict ("failed in k of N rounds")',
      min: 1,
      max: 1000,
    }),
  ),
  'window-handshakes': onlyTarget(
    Flags.integer({
      description: `--target: hold every inconsistent window the writer opens until N handshakes begun in it ended (default ${D.windowHandshakes}: the writer's own timing)`,
      min: 0,
      max: 1000,
    }),
  ),
  restore: onlyTarget(
    Flags.boolean({
      description:
        "--target: at the end put --dir's original bytes back and fire the trigger once more (default: the last rotated set stays)",
    }),
  ),
  probe: onlyTarget(probeFlags.probe),
  'expect-status': onlyTarget(probeFlags['expect-status']),
  'expect-reply': onlyTarget(probeFlags['expect-reply']),
  'probe-send': onlyTarget(probeFlags['probe-send']),
}

/** The values of `race`'s flags, as oclif parsed them. */
type RaceFlagValues = Interfaces.InferredFlags<typeof raceFlags>

const dur = (v: string | undefined, def: number) => (v === undefined ? def : parseDuration(v))

function common(f: RaceFlagValues) {
  return {
    knobs: knobsFromFlags(f),
    keyType: parseKeyType(f['key-type']),
    ttlMs: dur(f.ttl, D.ttlMs),
    validity: leafValidityFromFlags(f),
  }
}

/** Returns the options of the in-process race (typed; a bad knob is a usage error before anything starts). */
export function localOptions(f: RaceFlagValues): LocalRaceOptions {
  const c = common(f)
  return {
    rotateMode: f.mode,
    knobs: c.knobs,
    ttlMs: c.ttlMs,
    leafValidity: c.validity,
    intermediatesInBundle: f['intermediates-in-bundle'],
    bundleOnly: f['bundle-only'],
    rotations: f.rotations,
    intervalMs: dur(f.interval, D.intervalMs),
    kind: f.kind,
    caOverlap: f['ca-overlap'],
    serverReload: f['server-reload'],
    strategy: f.strategy,
    debounceMs: dur(f.debounce, D.debounceMs),
    pollMs: dur(f.poll, D.pollMs),
    concurrency: f.concurrency,
    durationMs: f.duration === undefined ? undefined : dur(f.duration, 0),
    handshakes: f.handshakes,
    tlsVersion: tlsVersionOf(f['tls-version']),
    keyType: c.keyType,
    maxFailures: f['max-failures'],
    timelinePath: f.timeline,
  }
}

/** Returns the options of `race --target HOST:PORT` (typed; every bad value is a usage error before anything starts). */
export function targetOptions(f: RaceFlagValues, target: string): Omit<TargetRaceOptions, 'onProgress' | 'abort'> {
  const {host, port} = parseTarget(target)
  if (!f.dir)
    throw usageError(
      '--target needs --dir (the SVID directory the server reads)',
      'e.g. race --target 127.0.0.1:8443 --dir /etc/nginx/svid --ca ca',
    )
  const c = common(f)
  const reload = parseReload(f.reload ?? 'none')
  const hasPid = f.pid !== undefined || f['pid-file'] !== undefined
  if (hasPid && reload.kind !== 'signal') throw usageError('--pid/--pid-file need --reload signal:NAME')
  if (f.pid !== undefined && f['pid-file'] !== undefined) throw usageError('give --pid or --pid-file, not both')
  if (reload.kind === 'signal' && !hasPid && !f['server-cmd'])
    throw usageError(`--reload ${f.reload} needs --pid, --pid-file or --server-cmd`, 'the signal goes to that process')
  const {layout, names} = namesOf(f)
  return {
    host,
    port,
    dir: f.dir,
    ca: f.ca ?? defaultCaDir(),
    mode: f.mode,
    layout,
    names,
    knobs: c.knobs,
    issue: {keyType: c.keyType, ttlMs: c.ttlMs, ...c.validity},
    intermediatesInBundle: f['intermediates-in-bundle'],
    bundleOnly: f['bundle-only'],
    kind: f.kind,
    caOverlap: f['ca-overlap'],
    rotations: f.rotations,
    intervalMs: dur(f.interval, D.intervalMs),
    reload,
    pid: f.pid === undefined ? undefined : parsePid(f.pid),
    pidFile: f['pid-file'],
    serverCmd: f['server-cmd'],
    startTimeoutMs: dur(f['start-timeout'], D.startTimeoutMs),
    settleMs: dur(f.settle, D.settleMs),
    concurrency: f.concurrency,
    clientId: f['client-id'] === undefined ? undefined : parseSpiffeIdArg(f['client-id']).toString(),
    expectIds: (f['expect-id'] ?? []).map(parseSpiffeIdArg),
    expectTrustDomain:
      f['expect-trust-domain'] === undefined ? undefined : parseTrustDomainArg(f['expect-trust-domain']),
    servername: f['server-name'],
    tlsVersion: tlsVersionOf(f['tls-version']),
    timeoutMs: dur(f.timeout, D.timeoutMs),
    durationMs: f.duration === undefined ? undefined : dur(f.duration, 0),
    maxFailures: f['max-failures'],
    timelinePath: f.timeline,
    probe: probeOf(f),
    restore: f.restore,
    windowHandshakes: f['window-handshakes'],
  }
}
