import {usageError} from '../errors.js'

/** The roles of the files in a set. */
export type FileRole = 'cert' | 'key' | 'bundle'

/** The race-opening knobs of docs/rotation.md "Knobs" (durations in ms). */
export interface Knobs {
  /** Write order of the set. Default cert, key, bundle. */
  order: FileRole[]
  /** Pause between finishing one file and starting the next. Default 0. */
  gapMs: number
  /** spiffe-helper: pause between open(O_TRUNC) and the first write. Default 0. */
  truncateHoldMs: number
  /** Write in pieces of this many bytes (visible-name writers). Default 0 = whole. */
  chunkBytes: number
  /** Pause between pieces. Default 0. */
  chunkDelayMs: number
  /** unlink-create, move-away: how long the name is absent. Default 0. */
  absentForMs: number
  /** kubelet, dir-symlink: never remove the previous version dir. Default false. */
  keepOldDirs: boolean
  /** kubelet, dir-symlink: delay before removing the previous version dir. Default 0. */
  cleanupDelayMs: number
  /** Open each old file before replacing it and close it this long after. Default 0 = off. */
  holdOldFdMs: number
  /** Write the bundle this long after the cert and key. Default 0. */
  bundleDelayMs: number
  /** Abort the set after this file name (no signal). */
  failAfter?: string
  /** Stop after this file's step until SIGUSR2 or a line on stdin. */
  pauseAfter?: {file: string; step: string}
  /** File modes. Defaults 0644 and 0600 (spiffe-helper's). */
  certMode: number
  keyMode: number
}

/** Returns the default knobs. */
export function defaultKnobs(): Knobs {
  return {
    order: ['cert', 'key', 'bundle'],
    gapMs: 0,
    truncateHoldMs: 0,
    chunkBytes: 0,
    chunkDelayMs: 0,
    absentForMs: 0,
    keepOldDirs: false,
    cleanupDelayMs: 0,
    holdOldFdMs: 0,
    bundleDelayMs: 0,
    certMode: 0o644,
    keyMode: 0o600,
  }
}

/** Returns the `--order` value as roles: a permutation of cert, key, bundle. */
export function parseOrder(text: string): FileRole[] {
  const parts = text.split(',').map((s) => s.trim())
  const valid =
    parts.length === 3 && new Set(parts).size === 3 && parts.every((p) => p === 'cert' || p === 'key' || p === 'bundle')
  if (!valid) throw usageError(`invalid order "${text}"`, 'give a permutation of cert,key,bundle, e.g. key,cert,bundle')
  return parts as FileRole[]
}

/** Returns a file mode from octal text (`0644`, `600`). */
export function parseMode(text: string): number {
  if (!/^0?[0-7]{3}$/.test(text))
    throw usageError(`invalid file mode "${text}"`, 'give an octal mode such as 0644 or 0600')
  return Number.parseInt(text, 8)
}

/** Returns `--pause-after FILE:STEP`. */
export function parsePauseAfter(text: string): {file: string; step: string} {
  const i = text.lastIndexOf(':')
  if (i <= 0 || i === text.length - 1)
    throw usageError(`invalid --pause-after "${text}"`, 'give FILE:STEP, e.g. svid.pem:rename')
  return {file: text.slice(0, i), step: text.slice(i + 1)}
}

/** The writer modes each mode-specific knob applies to (docs/rotation.md "Knobs"). */
const KNOB_MODES: {flag: string; given: (k: Knobs) => boolean; modes: string[]}[] = [
  {flag: '--truncate-hold', given: (k) => k.truncateHoldMs > 0, modes: ['spiffe-helper']},
  {flag: '--chunk-bytes', given: (k) => k.chunkBytes > 0, modes: ['spiffe-helper', 'unlink-create', 'move-away']},
  {flag: '--chunk-delay', given: (k) => k.chunkDelayMs > 0, modes: ['spiffe-helper', 'unlink-create', 'move-away']},
  {flag: '--absent-for', given: (k) => k.absentForMs > 0, modes: ['unlink-create', 'move-away']},
  {flag: '--keep-old-dirs', given: (k) => k.keepOldDirs, modes: ['kubelet', 'dir-symlink']},
  {flag: '--cleanup-delay', given: (k) => k.cleanupDelayMs > 0, modes: ['kubelet', 'dir-symlink']},
]

/**
 * Refuses knobs that do nothing in the chosen writer mode (they would be silently
 * ignored), `--chunk-delay` without `--chunk-bytes`, and a key mode readable by group or
 * others. Throws a usage error (exit 2) naming the mode.
 */
export function checkKnobsForMode(k: Knobs, mode: string): void {
  for (const rule of KNOB_MODES) {
    if (rule.given(k) && !rule.modes.includes(mode)) {
      throw usageError(
        `${rule.flag} does not apply to --mode ${mode}`,
        `${rule.flag} applies only to --mode ${rule.modes.join(', ')}`,
      )
    }
  }
  if (k.chunkDelayMs > 0 && k.chunkBytes === 0)
    throw usageError('--chunk-delay needs --chunk-bytes', 'add --chunk-bytes N (the size of each piece)')
  if (k.keyMode & 0o077) {
    throw usageError(
      `--key-mode "0${k.keyMode.toString(8)}" would make the private key readable by group or others`,
      'svidkit never writes a key readable by others: use 0600 or 0400',
    )
  }
}
