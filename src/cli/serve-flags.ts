import {Flags, type Interfaces} from '@oclif/core'
import type {RunServerOptions} from '../core/handshake/run-server.js'
import type {ServerReload} from '../core/handshake/server.js'
import {parseDuration} from '../core/time/duration.js'
import {usageError} from '../core/errors.js'
import {STRATEGIES} from '../core/watch/strategies.js'
import {sharedFlags} from './flags.js'
import {namesOf, peerFlags, tlsVersionOf} from './handshake-flags.js'

const SERVER_RELOADS = ['reference', 'partial', 'sni', 'unvalidated'] as const satisfies readonly ServerReload[]

/** Reload knobs of an svidkit server (serve, and the in-process race's server). */
export const serverReloadFlags = {
  'server-reload': Flags.option({
    description: 'how the server adopts rotated SVIDs (naive ones imitate real bugs)',
    options: SERVER_RELOADS,
    default: 'reference',
  })(),
  strategy: Flags.option({
    description: 'how the server watches its directory',
    options: STRATEGIES,
    default: 'reference',
  })(),
  debounce: Flags.string({description: 'reload debounce', default: '50ms'}),
  poll: Flags.string({description: 'reload poll backstop', default: '2s'}),
}

/** The flags of `serve [HOST:]PORT`. */
export const serveFlags = {
  dir: sharedFlags.dir({description: 'the SVID directory to serve (cert, key, bundle); hot-reloaded', required: true}),
  layout: sharedFlags.layout(),
  'cert-file': sharedFlags.certFile(),
  'key-file': sharedFlags.keyFile(),
  'bundle-file': sharedFlags.bundleFile(),
  bundle: sharedFlags.bundle({description: 'bundles of other trust domains (federation), TD=FILE; repeatable'}),
  ...peerFlags,
  ...serverReloadFlags,
  count: Flags.integer({description: 'stop after N connections', min: 1}),
  timeout: Flags.string({description: 'stop after this long'}),
  'handshake-timeout': Flags.string({
    description: 'close a connection whose handshake and request take longer than this',
    default: '10s',
  }),
}

/** Returns the options of `serve` (without sink and abort) from parsed flags. */
export function serverOptions(
  f: Interfaces.InferredFlags<typeof serveFlags>,
  listen: string,
): Omit<RunServerOptions, 'sink' | 'abort'> {
  return {
    ...namesOf(f),
    listen,
    // Required by its declaration (sharedFlags.dir types it optional): oclif refuses a missing --dir first.
    dir: f.dir ?? missing('--dir'),
    bundles: f.bundle,
    expectIds: f['expect-id'],
    expectTrustDomain: f['expect-trust-domain'],
    tlsVersion: tlsVersionOf(f['tls-version']),
    reload: f['server-reload'],
    strategy: f.strategy,
    debounceMs: parseDuration(f.debounce),
    pollMs: parseDuration(f.poll),
    count: f.count,
    timeoutMs: f.timeout === undefined ? undefined : parseDuration(f.timeout),
    handshakeTimeoutMs: parseDuration(f['handshake-timeout']),
  }
}

/** Throws the usage error of a required flag that has no value (oclif's parse normally throws it first). */
function missing(flag: string): never {
  throw usageError(`missing required flag ${flag}`)
}
