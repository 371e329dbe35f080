import {Flags} from '@oclif/core'
import type {RunClientOptions} from '../core/handshake/run-client.js'
import type {TlsVersionChoice} from '../core/handshake/tls-options.js'
import {parseLayout} from '../core/fs/layout.js'
import {parseDuration} from '../core/time/duration.js'
import {sharedFlags} from './flags.js'

/** Flags every handshake-speaking command shares (client, server, race clients). */
export const peerFlags = {
  'expect-id': Flags.string({description: 'accepted peer SPIFFE ID (repeatable)', multiple: true}),
  'expect-trust-domain': Flags.string({description: 'required trust domain of the peer'}),
  'tls-version': Flags.string({description: 'TLS version', options: ['1.2', '1.3', 'any'], default: 'any'}),
}

/** The flags of `handshake HOST:PORT` (the client only). */
export const handshakeFlags = {
  dir: sharedFlags.dir({description: 'our SVID directory (cert, key, bundle)'}),
  layout: sharedFlags.layout(),
  'cert-file': sharedFlags.certFile(),
  'key-file': sharedFlags.keyFile(),
  'bundle-file': sharedFlags.bundleFile(),
  svid: Flags.string({description: 'our chain file (instead of --dir)'}),
  key: Flags.string({description: 'our key file (with --svid)'}),
  bundle: sharedFlags.bundle({description: 'bundle to verify the server, [TD=]FILE (repeatable, one per trust domain; never pooled)'}),
  ...peerFlags,
  'server-name': Flags.string({description: 'SNI to send (default: the host; a name is always sent)'}),
  timeout: Flags.string({description: 'whole-attempt timeout', default: '10s'}),
}

/** Returns the TLS version choice of `--tls-version`. */
export function tlsVersionOf(v: unknown): TlsVersionChoice {
  return v === '1.2' ? 'TLSv1.2' : v === '1.3' ? 'TLSv1.3' : 'any'
}

/** Returns the layout and file-name overrides of --layout/--cert-file/--key-file/--bundle-file. */
export function namesOf(f: Record<string, unknown>) {
  return {
    layout: f.layout === undefined ? undefined : parseLayout(f.layout as string),
    names: {cert: f['cert-file'] as string | undefined, key: f['key-file'] as string | undefined, bundle: f['bundle-file'] as string | undefined},
  }
}

/** Returns the options of a client handshake from parsed flags. */
export function clientOptions(f: Record<string, unknown>, target: string): RunClientOptions {
  return {
    ...namesOf(f),
    target,
    expectIds: f['expect-id'] as string[] | undefined,
    expectTrustDomain: f['expect-trust-domain'] as string | undefined,
    tlsVersion: tlsVersionOf(f['tls-version']),
    dir: f.dir as string | undefined,
    svid: f.svid as string | undefined,
    key: f.key as string | undefined,
    bundles: f.bundle as string[] | undefined,
    servername: f['server-name'] as string | undefined,
    timeoutMs: parseDuration(f.timeout as string),
  }
}
