import {Flags} from '@oclif/core'
import {usageError} from '../core/errors.js'
import type {LocalRaceOptions} from '../core/handshake/local/race.js'
import type {RunClientOptions} from '../core/handshake/run-client.js'
import type {RunServerOptions} from '../core/handshake/run-server.js'
import type {ServerReload} from '../core/handshake/server.js'
import type {TlsVersionChoice} from '../core/handshake/tls-options.js'
import type {WriterMode} from '../core/rotate/writers/index.js'
import {parseLayout} from '../core/svid/layout.js'
import {parseDuration} from '../core/time/duration.js'
import {parseKeyType} from '../core/x509/key-type.js'
import {WRITER_MODES} from '../core/rotate/writers/index.js'
import {STRATEGIES} from '../core/watch/strategies.js'
import {sharedFlags} from './flags.js'
import {rotateFlags} from './rotate-flags.js'

// Knobs passed through to the rotate child of --local: every rotate flag that shapes one rotation.
const KNOBS = [
  'order',
  'gap',
  'truncate-hold',
  'chunk-bytes',
  'chunk-delay',
  'absent-for',
  'keep-old-dirs',
  'cleanup-delay',
  'hold-old-fd',
  'bundle-delay',
  'bundle-only',
  'intermediates-in-bundle',
  'cert-mode',
  'key-mode',
  'not-before',
  'not-after',
] as const

/** The flags of `handshake`: client, server (--listen) and local race test (--local). */
export const handshakeFlags = {
  listen: Flags.string({description: 'serve mTLS on [HOST:]PORT instead of connecting', exclusive: ['local']}),
  local: Flags.boolean({description: 'run the local rotation race test (no target needed)', default: false}),
  dir: sharedFlags.dir({description: 'our SVID directory (cert, key, bundle)'}),
  layout: sharedFlags.layout(),
  'cert-file': sharedFlags.certFile(),
  'key-file': sharedFlags.keyFile(),
  'bundle-file': sharedFlags.bundleFile(),
  svid: Flags.string({description: 'our chain file (instead of --dir)'}),
  key: Flags.string({description: 'our key file (with --svid)'}),
  bundle: sharedFlags.bundle({description: 'bundle to verify the peer, [TD=]FILE (repeatable, one per trust domain; never pooled)'}),
  'expect-id': Flags.string({description: 'accepted peer SPIFFE ID (repeatable)', multiple: true}),
  'expect-trust-domain': Flags.string({description: 'required trust domain of the peer'}),
  'server-name': Flags.string({description: 'SNI to send (default: the host; a name is always sent)'}),
  'tls-version': Flags.string({description: 'TLS version', options: ['1.2', '1.3', 'any'], default: 'any'}),
  timeout: Flags.string({description: 'client: per-attempt timeout; server: stop after this long'}),
  count: Flags.integer({description: 'server: stop after N connections', min: 1}),
  'server-reload': Flags.string({
    description: 'how the server adopts rotated SVIDs (naive ones imitate real bugs)',
    options: ['reference', 'partial', 'sni', 'unvalidated'],
    default: 'reference',
  }),
  strategy: Flags.string({description: 'how the server watches its directory', options: [...STRATEGIES], default: 'reference'}),
  debounce: Flags.string({description: 'reload debounce', default: '50ms'}),
  poll: Flags.string({description: 'reload poll backstop', default: '2s'}),
  concurrency: Flags.integer({description: 'local: client loops', default: 4, min: 1, max: 64}),
  duration: Flags.string({description: 'local: keep the clients running at least this long'}),
  handshakes: Flags.integer({description: 'local: keep the clients running for at least N handshakes', min: 1}),
  'rotate-mode': Flags.string({description: 'local: writer mode of the rotations', options: WRITER_MODES, default: 'atomic-rename'}),
  rotations: Flags.integer({description: 'local: number of rotations', default: 5, min: 1}),
  interval: Flags.string({description: 'local: pause between rotations', default: '500ms'}),
  kind: rotateFlags.kind,
  'ca-overlap': rotateFlags['ca-overlap'],
  'max-failures': Flags.integer({description: 'local: failures allowed before exit 5', default: 0, min: 0}),
  'key-type': sharedFlags.keyType(),
  ...knobFlags(),
}

type Knob = (typeof KNOBS)[number]

/** Returns the rotate knob flags, described as --local pass-throughs. */
function knobFlags(): Pick<typeof rotateFlags, Knob> {
  const out: Partial<Record<Knob, unknown>> = {}
  for (const k of KNOBS) out[k] = {...rotateFlags[k], description: `local: rotate ${rotateFlags[k].description}`}
  return out as Pick<typeof rotateFlags, Knob>
}

/** Returns the rotate flags to pass to the --local rotator, as command-line arguments. */
export function knobArgs(flags: Record<string, unknown>): string[] {
  const args: string[] = []
  for (const k of KNOBS) {
    const v = flags[k]
    if (v === undefined || v === false) continue
    const def = rotateFlags[k].default
    if (v === def) continue
    args.push(`--${k}`, ...(v === true ? [] : [String(v)]))
  }
  return args
}

type HandshakeFlags = {[K in keyof typeof handshakeFlags]: unknown} & Record<string, unknown>

const durationOrUndefined = (v: unknown): number | undefined => (v === undefined ? undefined : parseDuration(v as string))

/** Returns the TLS version choice of `--tls-version`. */
export function tlsVersionOf(v: unknown): TlsVersionChoice {
  return v === '1.2' ? 'TLSv1.2' : v === '1.3' ? 'TLSv1.3' : 'any'
}

function common(f: HandshakeFlags) {
  return {
    layout: parseLayout(f.layout as string),
    names: {cert: f['cert-file'] as string | undefined, key: f['key-file'] as string | undefined, bundle: f['bundle-file'] as string | undefined},
    expectIds: f['expect-id'] as string[] | undefined,
    expectTrustDomain: f['expect-trust-domain'] as string | undefined,
    tlsVersion: tlsVersionOf(f['tls-version']),
  }
}

/** Returns the options of the local race test from parsed flags. */
export function localOptions(f: HandshakeFlags): LocalRaceOptions {
  return {
    rotateMode: f['rotate-mode'] as WriterMode,
    rotateArgs: knobArgs(f),
    rotations: f.rotations as number,
    intervalMs: parseDuration(f.interval as string),
    kind: f.kind as LocalRaceOptions['kind'],
    caOverlap: f['ca-overlap'] as LocalRaceOptions['caOverlap'],
    serverReload: f['server-reload'] as ServerReload,
    strategy: f.strategy as string,
    debounceMs: parseDuration(f.debounce as string),
    pollMs: parseDuration(f.poll as string),
    concurrency: f.concurrency as number,
    durationMs: durationOrUndefined(f.duration),
    handshakes: f.handshakes as number | undefined,
    tlsVersion: tlsVersionOf(f['tls-version']),
    keyType: parseKeyType(f['key-type'] as string),
    maxFailures: f['max-failures'] as number,
  }
}

/** Returns the options of `handshake --listen` (without sink and abort) from parsed flags. */
export function serverOptions(f: HandshakeFlags): Omit<RunServerOptions, 'sink' | 'abort'> {
  if (!f.dir) throw usageError('--listen needs --dir (the SVID to serve)')
  return {
    ...common(f),
    listen: f.listen as string,
    dir: f.dir as string,
    bundles: f.bundle as string[] | undefined,
    reload: f['server-reload'] as ServerReload,
    strategy: f.strategy as string,
    debounceMs: parseDuration(f.debounce as string),
    pollMs: parseDuration(f.poll as string),
    count: f.count as number | undefined,
    timeoutMs: durationOrUndefined(f.timeout),
  }
}

/** Returns the options of a client handshake from parsed flags. */
export function clientOptions(f: HandshakeFlags, target: string | undefined): RunClientOptions {
  if (!target) throw usageError('give HOST:PORT, --listen [HOST:]PORT or --local', 'svidkit handshake --local runs the race test with no setup')
  return {
    ...common(f),
    target,
    dir: f.dir as string | undefined,
    svid: f.svid as string | undefined,
    key: f.key as string | undefined,
    bundles: f.bundle as string[] | undefined,
    servername: f['server-name'] as string | undefined,
    timeoutMs: durationOrUndefined(f.timeout),
  }
}
