import {Flags, type Interfaces} from '@oclif/core'
import type {RunClientOptions} from '../core/handshake/run-client.js'
import type {TlsVersionChoice} from '../core/handshake/tls-options.js'
import {parseExpectReply, parseProbeSend, parseStatusSet, type ProbeSpec} from '../core/handshake/client-probe.js'
import {usageError} from '../core/errors.js'
import {parseLayout} from '../core/fs/layout.js'
import {parseDuration} from '../core/time/duration.js'
import {sharedFlags} from './flags.js'

const TLS_VERSIONS = ['1.2', '1.3', 'any'] as const
const PROBES = ['http', 'line', 'tls'] as const satisfies readonly ProbeSpec['kind'][]

/** Flags every handshake-speaking command shares (client, server, race clients). */
export const peerFlags = {
  'expect-id': Flags.string({description: 'accepted peer SPIFFE ID (repeatable)', multiple: true}),
  'expect-trust-domain': Flags.string({description: 'required trust domain of the peer'}),
  'tls-version': Flags.option({description: 'TLS version', options: TLS_VERSIONS, default: 'any'})(),
}

/** How a client proves the server accepted it (handshake, race --target): docs/race.md "How acceptance is decided". */
export const probeFlags = {
  probe: Flags.option({
    description:
      'how acceptance is proven: http (default: a request, the status says), line (one line sent, a reply), tls (the handshake alone)',
    options: PROBES,
  })(),
  'expect-status': Flags.string({
    description: 'HTTP statuses that mean acceptance, e.g. 200,204 or 2xx (default 2xx, 3xx, 404)',
  }),
  'expect-reply': Flags.string({description: 'regular expression the reply must match to count as acceptance'}),
  'probe-send': Flags.string({
    description: 'with --probe line: what to send after the handshake (\\r \\n escapes; default an empty line)',
  }),
}

/** Returns the probe of --probe/--expect-status/--expect-reply/--probe-send (bad values are usage errors). */
export function probeOf(f: Interfaces.InferredFlags<typeof probeFlags>): ProbeSpec {
  const kind = f.probe ?? 'http'
  if (f['expect-status'] !== undefined && kind !== 'http') throw usageError('--expect-status needs --probe http')
  if (f['probe-send'] !== undefined && kind !== 'line') throw usageError('--probe-send needs --probe line')
  if (f['expect-reply'] !== undefined && kind === 'tls')
    throw usageError('--expect-reply needs --probe http or line', '--probe tls sends nothing and reads nothing')
  return {
    kind,
    ...(f['expect-status'] === undefined ? {} : {expectStatus: parseStatusSet(f['expect-status'])}),
    ...(f['expect-reply'] === undefined ? {} : {expectReply: parseExpectReply(f['expect-reply'])}),
    ...(f['probe-send'] === undefined ? {} : {send: parseProbeSend(f['probe-send'])}),
  }
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
  bundle: sharedFlags.bundle({
    description: 'bundle to verify the server, [TD=]FILE (repeatable, one per trust domain; never pooled)',
  }),
  ...peerFlags,
  'server-name': Flags.string({description: 'SNI to send (default: the host; a name is always sent)'}),
  timeout: Flags.string({description: 'whole-attempt timeout', default: '10s'}),
  ...probeFlags,
}

/** Returns the TLS version choice of `--tls-version`. */
export function tlsVersionOf(v: (typeof TLS_VERSIONS)[number]): TlsVersionChoice {
  return v === '1.2' ? 'TLSv1.2' : v === '1.3' ? 'TLSv1.3' : 'any'
}

/** Returns the layout and file-name overrides of --layout/--cert-file/--key-file/--bundle-file. */
export function namesOf(f: {layout?: string; 'cert-file'?: string; 'key-file'?: string; 'bundle-file'?: string}) {
  return {
    layout: f.layout === undefined ? undefined : parseLayout(f.layout),
    names: {cert: f['cert-file'], key: f['key-file'], bundle: f['bundle-file']},
  }
}

/** Returns the options of a client handshake from parsed flags. */
export function clientOptions(f: Interfaces.InferredFlags<typeof handshakeFlags>, target: string): RunClientOptions {
  return {
    ...namesOf(f),
    target,
    expectIds: f['expect-id'],
    expectTrustDomain: f['expect-trust-domain'],
    tlsVersion: tlsVersionOf(f['tls-version']),
    dir: f.dir,
    svid: f.svid,
    key: f.key,
    bundles: f.bundle,
    servername: f['server-name'],
    timeoutMs: parseDuration(f.timeout),
    probe: probeOf(f),
  }
}
