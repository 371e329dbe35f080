import {lstatSync, statSync} from 'node:fs'
import {basename, dirname, join, normalize} from 'node:path'
import {systemClock, type Clock} from '../clock.js'
import {ensureDir} from '../fs/atomic-write.js'
import {checkDirTrusted} from '../fs/dir-trust.js'
import {loadAuthority, saveAuthority} from '../ca/store.js'
import {rotateIntermediate, rotateRoot} from '../ca/rotate.js'
import type {Authority} from '../ca/authority.js'
import {resolveLayout, type LayoutName} from '../fs/layout.js'
import type {IssueOptions} from '../svid/issue.js'
import {usageError} from '../errors.js'
import {formatDuration} from '../time/duration.js'
import type {EventSink, RotateEvent} from './events.js'
import {checkKnobsForMode, type Knobs} from './knobs.js'
import {Ops, type OpsHooks} from './ops.js'
import {sleep} from '../time/sleep.js'
import {rotationContent} from './content.js'
import {checkSignalTarget, sendSignal, type SignalTarget} from './signal.js'
import {checkRotateTarget} from './layout-check.js'
import {WRITERS, type WriterMode} from './writers/index.js'
import {checkVisibleNames} from './writers/file-check.js'
import {pushAll} from '../arrays.js'

/** Options of `rotate`. */
export interface RotateOptions {
  /** SVID directory (dir-symlink: the symlink). Created in the layout when absent. */
  dir: string
  /** CA directory; updated by intermediate and root rotations. */
  ca: string
  mode: WriterMode
  /** Layout names. Default: k8s for kubelet, credential-bundle for that mode, else spiffe-helper. */
  layout?: LayoutName
  names?: {cert?: string; key?: string; bundle?: string}
  /** SPIFFE ID of the new leaf. Default: the one on disk. */
  spiffeId?: string
  /** Leaf issuance options (key type, TTL, validity). */
  issue?: Omit<IssueOptions, 'spiffeId' | 'clock'>
  /** What is rotated. Default `leaf`. */
  kind?: 'leaf' | 'intermediate' | 'root'
  /** With kind `root`. Default `add`. */
  caOverlap?: 'add' | 'drop-old' | 'none'
  knobs: Knobs
  /** C = leaf only, B = roots + intermediates. Default false. */
  intermediatesInBundle?: boolean
  /** New B only; C/K rewritten with the same bytes. Default false. */
  bundleOnly?: boolean
  /** Number of rotations. Default 1. */
  count?: number
  /** Pause between rotations in ms. Default 0. */
  intervalMs?: number
  signal?: SignalTarget
  /** Rotate a directory that is not a layout the mode could produce. Default false. */
  force?: boolean
  /**
   * Write even when another user than the invoking one or root can write the SVID directory,
   * the CA directory or one above them (`--insecure-allow-shared-dir`). Default false: such a
   * directory is refused (`unsafe-dir`, docs/security.md).
   */
  allowSharedDir?: boolean
  clock?: Clock
  sink: EventSink
  /** Called as each rotation ends (a long run reports as it goes). */
  onRotation?: (s: RotationSummary) => void
  hooks?: OpsHooks
  /** Stops further rotations when aborted. */
  abort?: AbortSignal
}

/** One rotation as reported at its end. */
export interface RotationSummary {
  rotation: number
  result: 'written' | 'aborted' | 'unchanged'
  serial: string
  spiffeId: string
  notAfter: string
  windows: {window: string; file?: string; ms: number}[]
  warnings: string[]
}

/** Returns the default layout of a writer mode. */
export function defaultLayout(mode: WriterMode): LayoutName {
  return mode === 'kubelet' ? 'k8s' : mode === 'credential-bundle' ? 'credential-bundle' : 'spiffe-helper'
}

async function rotateCa(a: Authority, o: RotateOptions, clock: Clock): Promise<Authority> {
  const kind = o.kind ?? 'leaf'
  if (kind === 'intermediate') return rotateIntermediate(a, clock)
  if (kind === 'root') return rotateRoot(a, o.caOverlap ?? 'add', clock)
  return a
}

/**
 * Rotates the SVID directory `count` times the way the chosen real writer does, op by op
 * (docs/rotation.md "Writer modes"), emitting one event per step, the windows it opened and a `done` event
 * per rotation with the hashes of what it wrote. Returns one summary per rotation.
 */
export async function rotate(options: RotateOptions): Promise<RotationSummary[]> {
  // One spelling of the directory for every check and every change: join() normalises
  // "missing/.." to ".", so the checks (lstat, the trust walk) see the same path.
  const o = options.dir === '' ? options : {...options, dir: normalize(options.dir)}
  const clock = o.clock ?? systemClock
  // "" would be checked as a missing path and written as the current directory.
  if (o.dir === '')
    throw usageError(
      'the SVID directory "" is empty: it must name a path',
      'give a directory, e.g. --dir svid; an unset shell variable ("$DIR") expands to an empty value',
    )
  // An existing SVID directory is rotated in its own layout; a new or empty one gets the mode's.
  // kubelet converts only a ..data directory without --layout (checkRotateTarget names what else it found).
  const given =
    o.layout ??
    (o.mode === 'credential-bundle' ||
    (o.mode === 'kubelet' && !lstatSync(join(o.dir, '..data'), {throwIfNoEntry: false}))
      ? defaultLayout(o.mode)
      : undefined)
  if (o.mode === 'credential-bundle' && given !== 'credential-bundle')
    throw usageError('--mode credential-bundle writes the credential-bundle layout')
  const {names} = resolveLayout(o.dir, {layout: given, names: o.names, fallback: defaultLayout(o.mode)})
  checkKnobsForMode(o.knobs, o.mode)
  const ttl = o.issue?.ttlMs
  if (ttl !== undefined && !(ttl > 0)) {
    throw usageError(
      `--ttl "${formatDuration(ttl)}" is ${ttl < 0 ? 'negative' : 'zero'}: a lifetime must be positive`,
      'give a positive duration such as 1h or 720h',
    )
  }
  checkSignalTarget(o.signal)
  checkRotateTarget(o.dir, o.mode, names, o.force ?? false)
  checkKnobTargets(o.knobs, names)
  // dir-symlink writes beside its link; every other mode in the directory (and a root or intermediate rotation in --ca).
  checkDirTrusted(o.mode === 'dir-symlink' ? dirname(o.dir) : o.dir, {allowShared: o.allowSharedDir})
  if ((o.kind ?? 'leaf') !== 'leaf') checkDirTrusted(o.ca, {allowShared: o.allowSharedDir})
  let authority = loadAuthority(o.ca)
  // The directory (with its parents) is created only once the first set is issued, so an input
  // refused on the way (the CA, the SPIFFE ID, a first rotation without one) leaves nothing behind.
  let dirReady = false
  const makeDir = () => {
    if (dirReady) return
    if (o.mode === 'dir-symlink') ensureDir(join(o.dir, '..'))
    else ensureDir(o.dir)
    dirReady = true
  }
  const summaries: RotationSummary[] = []
  const pending: Promise<void>[] = []
  const count = o.count ?? 1
  for (let n = 1; n <= count && !o.abort?.aborted; n++) {
    if (n > 1 && (o.intervalMs ?? 0) > 0) await sleep(o.intervalMs ?? 0, o.abort)
    if (o.abort?.aborted) break
    const kind = o.kind ?? 'leaf'
    const next = await rotateCa(authority, o, clock)
    if (next !== authority) saveAuthority(o.ca, next, {force: true, allowSharedDir: o.allowSharedDir})
    authority = next
    const keepLeaf = Boolean(o.bundleOnly) || (kind === 'root' && (o.caOverlap ?? 'add') !== 'none')
    const content = await rotationContent({
      dir: o.dir,
      names,
      authority,
      keepLeaf,
      spiffeId: o.spiffeId,
      issue: {...o.issue, clock},
      intermediatesInBundle: o.intermediatesInBundle ?? false,
      knobs: o.knobs,
      bundleOnly: o.bundleOnly ? o.mode : undefined,
    })
    makeDir()
    const ops = new Ops({
      rotation: n,
      writer: o.mode,
      clock,
      sink: o.sink,
      knobs: o.knobs,
      hooks: o.hooks ?? {},
      changes: content.changes,
      abort: o.abort,
    })
    let result: RotationSummary['result']
    try {
      // Before anything of this rotation is written: every visible name is a file of ours (or a kubelet link), or absent.
      if (o.mode !== 'dir-symlink')
        checkVisibleNames(o.dir, [...new Set(content.files.map((f) => f.name))], o.mode === 'kubelet')
      result = await WRITERS[o.mode]({dir: o.dir, files: content.files, ops, knobs: o.knobs})
    } catch (err) {
      // Every temporary and unpublished version dir of this rotation goes; the last published set stays.
      ops.removeScratch()
      await Promise.all(ops.pending)
      throw err
    }
    const warnings = [...content.warnings, ...modeDrift(o, names)]
    for (const w of warnings) ops.emit('error', {code: 'warning', message: w})
    let signalError: unknown
    if (result !== 'aborted' && o.signal) {
      try {
        await sendSignal(o.signal, ops)
      } catch (err) {
        signalError = err
        ops.emit('error', {code: 'signal-failed', message: (err as Error).message})
      }
    }
    if (result !== 'aborted') {
      const done: Partial<RotateEvent> = {
        serial: content.serial,
        spiffeId: content.spiffeId,
        notBefore: content.notBefore,
        notAfter: content.notAfter,
        sha256: content.sha256,
        windows: ops.windows,
      }
      ops.emit('done', done)
    }
    const summary: RotationSummary = {
      rotation: n,
      result,
      serial: content.serial,
      spiffeId: content.spiffeId,
      notAfter: content.notAfter,
      windows: ops.windows,
      warnings,
    }
    summaries.push(summary)
    o.onRotation?.(summary)
    pushAll(pending, ops.pending)
    if (signalError) {
      await Promise.all(pending)
      throw signalError
    }
  }
  // Delayed cleanups and held fds finish before rotate returns.
  await Promise.all(pending)
  return summaries
}

const PAUSABLE_STEPS = [
  'readlink',
  'mkdir',
  'open',
  'write',
  'fchmod',
  'chmod',
  'fsync',
  'close',
  'rename',
  'link',
  'unlink',
  'symlink',
  'rm',
]

/** Refuses `--fail-after`/`--pause-after` naming a file or step that never occurs (they would silently do nothing). */
function checkKnobTargets(k: Knobs, names: {cert: string; key: string; bundle: string}): void {
  const files = [names.cert, names.key, names.bundle]
  const fileList = [...new Set(files)].join(', ')
  if (k.failAfter !== undefined && !files.includes(basename(k.failAfter))) {
    throw usageError(`--fail-after "${k.failAfter}" is not a file of the set`, `name one of: ${fileList}`)
  }
  if (k.pauseAfter) {
    // Temporary and backup names (".svid.pem.tmpX", "svid.pem.new") count as their file: the writer emits the base name.
    if (!files.some((f) => k.pauseAfter?.file === f || k.pauseAfter?.file.includes(f))) {
      throw usageError(`--pause-after file "${k.pauseAfter.file}" is not a file of the set`, `name one of: ${fileList}`)
    }
    if (!PAUSABLE_STEPS.includes(k.pauseAfter.step)) {
      throw usageError(
        `--pause-after step "${k.pauseAfter.step}" is not a step`,
        `use one of: ${PAUSABLE_STEPS.join(', ')}`,
      )
    }
  }
}

/** A key file left group/other-readable (a writer that never changes modes would keep a planted one). */
function modeDrift(o: RotateOptions, names: {key: string}): string[] {
  try {
    const mode = statSync(join(o.dir, names.key)).mode & 0o777
    if (mode & 0o077) {
      return [`key file "${names.key}" is mode 0${mode.toString(8)} (group/other-readable)`]
    }
  } catch {
    // absent key file (credential bundle or aborted first set)
  }
  return []
}
