import {Flags} from '@oclif/core'
import type {RunServerOptions} from '../core/handshake/run-server.js'
import type {ServerReload} from '../core/handshake/server.js'
import {parseDuration} from '../core/time/duration.js'
import {STRATEGIES} from '../core/watch/strategies.js'
import {sharedFlags} from './flags.js'
import {namesOf, peerFlags, tlsVersionOf} from './handshake-flags.js'

/** Reload knobs of an svidkit server (serve, and the in-process race's server). */
export const serverReloadFlags = {
  'server-reload': Flags.string({
    description: 'how the server adopts rotated SVIDs (naive ones imitate real bugs)',
    options: ['reference', 'partial', 'sni', 'unvalidated'],
    default: 'reference',
  }),
  strategy: Flags.string({description: 'how the server watches its directory', options: [...STRATEGIES], default: 'reference'}),
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
  'handshake-timeout': Flags.string({description: 'close a connection whose handshake and request take longer than this', default: '10s'}),
}

/** Returns the options of `serve` (without sink and abort) from parsed flags. */
export function serverOptions(f: Record<string, unknown>, listen: string): Omit<RunServerOptions, 'sink' | 'abort'> {
  return {
    ...namesOf(f),
    listen,
    dir: f.dir as string,
    bundles: f.bundle as string[] | undefined,
    expectIds: f['expect-id'] as string[] | undefined,
    expectTrustDomain: f['expect-trust-domain'] as string | undefined,
    tlsVersion: tlsVersionOf(f['tls-version']),
    reload: f['server-reload'] as ServerReload,
    strategy: f.strategy as string,
    debounceMs: parseDuration(f.debounce as string),
    pollMs: parseDuration(f.poll as string),
    count: f.count as number | undefined,
    timeoutMs: f.timeout === undefined ? undefined : parseDuration(f.timeout as string),
    handshakeTimeoutMs: parseDuration(f['handshake-timeout'] as string),
  }
}
