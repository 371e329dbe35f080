import {Flags} from '@oclif/core'
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
