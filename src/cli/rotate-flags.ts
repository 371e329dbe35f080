import {Flags, type Interfaces} from '@oclif/core'
import {defaultKnobs, parseMode, parseOrder, parsePauseAfter, type Knobs} from '../core/rotate/knobs.js'
import {parseDuration} from '../core/time/duration.js'
import {parseInstant} from '../core/time/instant.js'
import {parseKeyType} from '../core/x509/key-type.js'
import {parseLayout} from '../core/fs/layout.js'
import {defaultCaDir} from '../core/ca/ca-dir.js'
import {parsePid} from '../core/rotate/pid.js'
import type {RotateOptions} from '../core/rotate/rotate.js'
import {WRITER_MODES, type WriterMode} from '../core/rotate/writers/index.js'
import {SvidkitError} from '../core/errors.js'
import {constants as osConstants} from 'node:os'
import {sharedFlags} from './flags.js'

/** The knobs of docs/rotation.md "Knobs", declared once: `rotate` takes all of them, `race` the per-rotation ones (RACE_KNOBS). */
const rotateFlags = {
  order: Flags.string({description: 'write order, a permutation of cert,key,bundle', default: 'cert,key,bundle'}),
  gap: Flags.string({description: 'pause between finishing one file and starting the next (R1, R3)'}),
  'truncate-hold': Flags.string({
    description: 'spiffe-helper: pause between open(O_TRUNC) and the first write (R2, R10)',
  }),
  'chunk-bytes': Flags.integer({description: 'write the visible file in pieces of N bytes (R2)', min: 1}),
  'chunk-delay': Flags.string({description: 'pause between pieces'}),
  'absent-for': Flags.string({description: 'unlink-create, move-away: how long the name does not exist (R6)'}),
  'keep-old-dirs': Flags.boolean({
    description: 'kubelet, dir-symlink: never remove the previous version dir (R5b, R5c)',
    default: false,
  }),
  'cleanup-delay': Flags.string({
    description: 'kubelet, dir-symlink: remove the previous version dir this long after the swap',
  }),
  'hold-old-fd': Flags.string({description: 'keep each old file open this long after replacing it (R9)'}),
  'bundle-delay': Flags.string({description: 'write the bundle this long after cert and key (R3)'}),
  'bundle-only': Flags.boolean({
    description: 'new bundle only; cert and key rewritten with the same bytes (R16)',
    default: false,
  }),
  kind: Flags.option({
    description: 'what is rotated',
    options: ['leaf', 'intermediate', 'root'] as const,
    default: 'leaf',
  })(),
  'ca-overlap': Flags.option({
    description: 'with --kind root: add (prepare), drop-old, none',
    options: ['add', 'drop-old', 'none'] as const,
    default: 'add',
  })(),
  'intermediates-in-bundle': Flags.boolean({
    description: 'chain file = leaf only, bundle = roots + intermediates',
    default: false,
  }),
  'cert-mode': Flags.string({description: 'mode of the cert and bundle files (octal)', default: '0644'}),
  'key-mode': Flags.string({description: 'mode of the key file (octal)', default: '0600'}),
  'fail-after': Flags.string({description: 'abort the set after this file (no signal) (R18)'}),
  'pause-after': Flags.string({description: 'FILE:STEP: stop after that step until SIGUSR2 or a line on stdin'}),
  'not-before': Flags.string({description: 'notBefore of the new leaf: RFC 3339 or signed duration (R14)'}),
  'not-after': Flags.string({description: 'notAfter of the new leaf: RFC 3339 or signed duration (R13)'}),
  count: Flags.integer({description: 'number of rotations', default: 1, min: 1}),
  interval: Flags.string({description: 'pause between rotations', default: '0s'}),
  signal: Flags.string({description: 'signal to send after the whole set is written (e.g. SIGHUP)'}),
  pid: Flags.string({description: 'process to signal (a decimal pid of at least 2)'}),
  'pid-file': Flags.string({description: 'file holding the pid to signal (re-read every rotation)'}),
  'insecure-allow-shared-dir': sharedFlags.allowSharedDir(),
}

/** The knobs that shape one rotation, which `race` passes to its writer (typed, through knobsFromFlags). */
export const RACE_KNOBS = [
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
  'kind',
  'ca-overlap',
  'intermediates-in-bundle',
  'cert-mode',
  'key-mode',
  'not-before',
  'not-after',
] as const

/** Returns the rotate knob flags `race` accepts (the same declarations as `rotate`'s). */
export function raceKnobFlags(): Pick<typeof rotateFlags, (typeof RACE_KNOBS)[number]> {
  const out: Record<string, unknown> = {}
  for (const k of RACE_KNOBS) out[k] = rotateFlags[k]
  return out as Pick<typeof rotateFlags, (typeof RACE_KNOBS)[number]>
}

/** The values of `rotate`'s knob flags, as oclif parsed them. */
type KnobValues = Interfaces.InferredFlags<typeof rotateFlags>

/** Returns the validity options of a new leaf from --not-before/--not-after (typed; a bad value is a usage error). */
export function leafValidityFromFlags(
  f: Pick<KnobValues, 'not-before' | 'not-after'>,
  now = new Date(),
): {notBefore?: Date; notAfter?: Date} {
  return {
    notBefore: f['not-before'] === undefined ? undefined : parseInstant(f['not-before'], now),
    notAfter: f['not-after'] === undefined ? undefined : parseInstant(f['not-after'], now),
  }
}

const ms = (v: string | undefined): number => (v === undefined ? 0 : parseDuration(v))

/** Returns the knobs from parsed flags (`race` has no --fail-after or --pause-after). */
export function knobsFromFlags(
  f: Pick<KnobValues, (typeof RACE_KNOBS)[number]> & Partial<Pick<KnobValues, 'fail-after' | 'pause-after'>>,
): Knobs {
  const k = defaultKnobs()
  return {
    ...k,
    order: parseOrder(f.order),
    gapMs: ms(f.gap),
    truncateHoldMs: ms(f['truncate-hold']),
    chunkBytes: f['chunk-bytes'] ?? 0,
    chunkDelayMs: ms(f['chunk-delay']),
    absentForMs: ms(f['absent-for']),
    keepOldDirs: f['keep-old-dirs'],
    cleanupDelayMs: ms(f['cleanup-delay']),
    holdOldFdMs: ms(f['hold-old-fd']),
    bundleDelayMs: ms(f['bundle-delay']),
    failAfter: f['fail-after'],
    pauseAfter: f['pause-after'] === undefined ? undefined : parsePauseAfter(f['pause-after']),
    certMode: parseMode(f['cert-mode']),
    keyMode: parseMode(f['key-mode']),
  }
}

/** The flags of `rotate`: the directory, the CA, the writer and its knobs (rotateFlags). */
export const rotateCommandFlags = {
  dir: sharedFlags.dir({
    description: 'SVID directory to rotate (dir-symlink: the symlink, e.g. certs/current)',
    required: true,
  }),
  ca: sharedFlags.ca(),
  mode: Flags.option({description: 'which real writer to imitate', options: WRITER_MODES, default: 'atomic-rename'})(),
  'atomic-rename': Flags.boolean({description: 'shorthand for --mode atomic-rename', default: false}),
  layout: Flags.string({
    description: 'file names (default: k8s for kubelet, credential-bundle for that mode, else spiffe-helper)',
    options: ['spiffe-helper', 'spire', 'k8s', 'credential-bundle'],
  }),
  'cert-file': sharedFlags.certFile(),
  'key-file': sharedFlags.keyFile(),
  'bundle-file': sharedFlags.bundleFile(),
  'spiffe-id': sharedFlags.optionalSpiffeId({description: 'SPIFFE ID of the new SVID (default: the one on disk)'}),
  'key-type': sharedFlags.keyType(),
  ttl: sharedFlags.ttl({description: 'lifetime of the new leaf', default: '1h'}),
  ...rotateFlags,
  force: sharedFlags.force({description: 'rotate a directory that is not an SVID layout this mode could produce'}),
}

/** The values of `rotate`'s flags, as oclif parsed them. */
export type RotateFlagValues = Interfaces.InferredFlags<typeof rotateCommandFlags>

/** Returns the rotate options (without sink and hooks) from parsed flags. */
export function rotateOptionsFromFlags(f: RotateFlagValues, mode: WriterMode): Omit<RotateOptions, 'sink'> {
  const now = new Date()
  const signal = f.signal
  if ((f.pid !== undefined || f['pid-file'] !== undefined) && !signal) throw usage('--pid/--pid-file need --signal')
  if (signal && f.pid === undefined && f['pid-file'] === undefined) throw usage('--signal needs --pid or --pid-file')
  return {
    // Required by its declaration (sharedFlags.dir types it optional): oclif refuses a missing --dir first.
    dir: f.dir ?? missing('--dir'),
    ca: f.ca ?? defaultCaDir(),
    mode,
    layout: f.layout === undefined ? undefined : parseLayout(f.layout),
    names: {cert: f['cert-file'], key: f['key-file'], bundle: f['bundle-file']},
    spiffeId: f['spiffe-id'],
    issue: {
      keyType: parseKeyType(f['key-type']),
      ttlMs: parseDuration(f.ttl),
      ...leafValidityFromFlags(f, now),
    },
    kind: f.kind,
    caOverlap: f['ca-overlap'],
    knobs: knobsFromFlags(f),
    intermediatesInBundle: f['intermediates-in-bundle'],
    bundleOnly: f['bundle-only'],
    count: f.count,
    intervalMs: ms(f.interval),
    signal: signal
      ? {
          signal: normalizeSignal(signal),
          pid: f.pid === undefined ? undefined : parsePid(f.pid),
          pidFile: f['pid-file'],
        }
      : undefined,
    force: f.force,
    allowSharedDir: f['insecure-allow-shared-dir'],
  }
}

/** Throws the usage error of a required flag that has no value (oclif's parse normally throws it first). */
function missing(flag: string): never {
  throw usage(`missing required flag ${flag}`)
}

function usage(message: string) {
  return new SvidkitError('usage', message)
}

function normalizeSignal(s: string): NodeJS.Signals {
  const name = (s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`) as NodeJS.Signals
  if (!(name in osConstants.signals)) throw usage(`unknown signal "${s}"`)
  return name
}
