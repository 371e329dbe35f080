import {Flags} from '@oclif/core'
import {defaultKnobs, parseMode, parseOrder, parsePauseAfter, type Knobs} from '../core/rotate/knobs.js'
import {parseDuration} from '../core/time/duration.js'
import {parseInstant} from '../core/time/instant.js'
import {parseKeyType} from '../core/x509/key-type.js'
import {parseLayout} from '../core/fs/layout.js'
import {defaultCaDir} from '../core/ca/ca-dir.js'
import {parsePid} from '../core/rotate/pid.js'
import type {RotateOptions} from '../core/rotate/rotate.js'
import type {WriterMode} from '../core/rotate/writers/index.js'
import {SvidkitError} from '../core/errors.js'
import {constants as osConstants} from 'node:os'
import {sharedFlags} from './flags.js'

/** The knobs of docs/rotation.md "Knobs", declared once: `rotate` takes all of them, `race` the per-rotation ones (RACE_KNOBS). */
export const rotateFlags = {
  order: Flags.string({description: 'write order, a permutation of cert,key,bundle', default: 'cert,key,bundle'}),
  gap: Flags.string({description: 'pause between finishing one file and starting the next (R1, R3)'}),
  'truncate-hold': Flags.string({description: 'spiffe-helper: pause between open(O_TRUNC) and the first write (R2, R10)'}),
  'chunk-bytes': Flags.integer({description: 'write the visible file in pieces of N bytes (R2)', min: 1}),
  'chunk-delay': Flags.string({description: 'pause between pieces'}),
  'absent-for': Flags.string({description: 'unlink-create, move-away: how long the name does not exist (R6)'}),
  'keep-old-dirs': Flags.boolean({description: 'kubelet, dir-symlink: never remove the previous version dir (R5b, R5c)', default: false}),
  'cleanup-delay': Flags.string({description: 'kubelet, dir-symlink: remove the previous version dir this long after the swap'}),
  'hold-old-fd': Flags.string({description: 'keep each old file open this long after replacing it (R9)'}),
  'bundle-delay': Flags.string({description: 'write the bundle this long after cert and key (R3)'}),
  'bundle-only': Flags.boolean({description: 'new bundle only; cert and key rewritten with the same bytes (R16)', default: false}),
  kind: Flags.string({description: 'what is rotated', options: ['leaf', 'intermediate', 'root'], default: 'leaf'}),
  'ca-overlap': Flags.string({description: 'with --kind root: add (prepare), drop-old, none', options: ['add', 'drop-old', 'none'], default: 'add'}),
  'intermediates-in-bundle': Flags.boolean({description: 'chain file = leaf only, bundle = roots + intermediates', default: false}),
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

/** Returns the validity options of a new leaf from --not-before/--not-after (typed; a bad value is a usage error). */
export function leafValidityFromFlags(f: Record<string, unknown>, now = new Date()): {notBefore?: Date; notAfter?: Date} {
  return {
    notBefore: f['not-before'] === undefined ? undefined : parseInstant(f['not-before'] as string, now),
    notAfter: f['not-after'] === undefined ? undefined : parseInstant(f['not-after'] as string, now),
  }
}

const ms = (v: string | undefined): number => (v === undefined ? 0 : parseDuration(v))

/** Returns the knobs from parsed flags. */
export function knobsFromFlags(f: Record<string, unknown>): Knobs {
  const k = defaultKnobs()
  return {
    ...k,
    order: parseOrder(f.order as string),
    gapMs: ms(f.gap as string | undefined),
    truncateHoldMs: ms(f['truncate-hold'] as string | undefined),
    chunkBytes: (f['chunk-bytes'] as number | undefined) ?? 0,
    chunkDelayMs: ms(f['chunk-delay'] as string | undefined),
    absentForMs: ms(f['absent-for'] as string | undefined),
    keepOldDirs: Boolean(f['keep-old-dirs']),
    cleanupDelayMs: ms(f['cleanup-delay'] as string | undefined),
    holdOldFdMs: ms(f['hold-old-fd'] as string | undefined),
    bundleDelayMs: ms(f['bundle-delay'] as string | undefined),
    failAfter: f['fail-after'] as string | undefined,
    pauseAfter: f['pause-after'] === undefined ? undefined : parsePauseAfter(f['pause-after'] as string),
    certMode: parseMode(f['cert-mode'] as string),
    keyMode: parseMode(f['key-mode'] as string),
  }
}

/** Returns the rotate options (without sink and hooks) from parsed flags. */
export function rotateOptionsFromFlags(f: Record<string, unknown>, mode: WriterMode): Omit<RotateOptions, 'sink'> {
  const now = new Date()
  const signal = f.signal as string | undefined
  if ((f.pid !== undefined || f['pid-file'] !== undefined) && !signal) throw usage('--pid/--pid-file need --signal')
  if (signal && f.pid === undefined && f['pid-file'] === undefined) throw usage('--signal needs --pid or --pid-file')
  return {
    dir: f.dir as string,
    ca: (f.ca as string | undefined) ?? defaultCaDir(),
    mode,
    layout: f.layout === undefined ? undefined : parseLayout(f.layout as string),
    names: {cert: f['cert-file'] as string | undefined, key: f['key-file'] as string | undefined, bundle: f['bundle-file'] as string | undefined},
    spiffeId: f['spiffe-id'] as string | undefined,
    issue: {
      keyType: parseKeyType((f['key-type'] as string | undefined) ?? 'ec-p256'),
      ttlMs: parseDuration((f.ttl as string | undefined) ?? '1h'),
      notBefore: f['not-before'] === undefined ? undefined : parseInstant(f['not-before'] as string, now),
      notAfter: f['not-after'] === undefined ? undefined : parseInstant(f['not-after'] as string, now),
    },
    kind: f.kind as 'leaf' | 'intermediate' | 'root',
    caOverlap: f['ca-overlap'] as 'add' | 'drop-old' | 'none',
    knobs: knobsFromFlags(f),
    intermediatesInBundle: Boolean(f['intermediates-in-bundle']),
    bundleOnly: Boolean(f['bundle-only']),
    count: f.count as number,
    intervalMs: ms(f.interval as string),
    signal: signal ? {signal: normalizeSignal(signal), pid: f.pid === undefined ? undefined : parsePid(f.pid as string), pidFile: f['pid-file'] as string | undefined} : undefined,
    force: Boolean(f.force),
    allowSharedDir: Boolean(f['insecure-allow-shared-dir']),
  }
}

function usage(message: string) {
  return new SvidkitError('usage', message)
}

function normalizeSignal(s: string): NodeJS.Signals {
  const name = (s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`) as NodeJS.Signals
  if (!(name in osConstants.signals)) throw usage(`unknown signal "${s}"`)
  return name
}
