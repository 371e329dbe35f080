import type {Knobs} from '../rotate/knobs.js'
import type {WriterMode} from '../rotate/writers/index.js'
import type {LayoutName} from '../fs/layout.js'
import type {KeyType} from '../x509/key-type.js'

/** One writer rotation: what the CA step is before the set is written (docs/race.md "CA rotations"). */
export interface WriterStep {
  kind: 'leaf' | 'intermediate' | 'root'
  caOverlap: 'add' | 'drop-old' | 'none'
  /** How the report names the step, e.g. `leaf`, `root add (prepare)`. */
  label: string
}

/**
 * Everything the race's writer needs, as typed values validated before anything starts
 * (never command-line strings): the SVID directory, the CA, the writer mode with its knobs,
 * and one step per rotation.
 */
export interface WriterJob {
  dir: string
  ca: string
  mode: WriterMode
  layout?: LayoutName
  names?: {cert?: string; key?: string; bundle?: string}
  /** SPIFFE ID of the new leaves. Default: the one on disk. */
  spiffeId?: string
  issue: {keyType?: KeyType; ttlMs?: number; notBefore?: Date; notAfter?: Date}
  knobs: Knobs
  intermediatesInBundle: boolean
  bundleOnly: boolean
  steps: WriterStep[]
  /** Pause between rotations (ms). */
  intervalMs: number
  /** Wait for the parent's go-ahead after each rotation's `done` (the reload trigger runs in between). */
  lockstep: boolean
  /** Rotate a directory that is not a layout this mode could produce. */
  force?: boolean
  /** Hold every inconsistent window open until the parent releases it (race --window-handshakes). */
  holdWindows?: boolean
}

/** Messages from the writer process. */
export type WriterMessage =
  | {type: 'event'; event: import('../rotate/events.js').RotateEvent}
  | {type: 'failed'; code: string; message: string; hint?: string; exit: number}
  | {type: 'end'}

/** Returns the writer steps of `rotations` rotations of a kind, as `rotate` does them: one step each. */
export function rotateSteps(
  rotations: number,
  kind: WriterStep['kind'],
  caOverlap: WriterStep['caOverlap'],
): WriterStep[] {
  const label = kind === 'root' ? `root ${caOverlap}` : kind
  return Array.from({length: rotations}, () => ({kind, caOverlap, label}))
}

/**
 * Returns the writer steps of `rotations` root rollovers as SPIRE runs them (docs/race.md):
 * `none` is one step (new root and leaf, no overlap); `add` prepares (bundle = old + new)
 * then activates (a leaf from the new root); `drop-old` also removes the old root after.
 * Other kinds are one step per rotation.
 */
export function rolloverSteps(
  rotations: number,
  kind: WriterStep['kind'],
  caOverlap: WriterStep['caOverlap'],
): WriterStep[] {
  if (kind !== 'root' || caOverlap === 'none') return rotateSteps(rotations, kind, caOverlap)
  const one: WriterStep[] = [
    {kind: 'root', caOverlap: 'add', label: 'root add (prepare)'},
    {kind: 'leaf', caOverlap: 'add', label: 'leaf from the new root (activate)'},
  ]
  if (caOverlap === 'drop-old') one.push({kind: 'root', caOverlap: 'drop-old', label: 'root drop-old'})
  return Array.from({length: rotations}, () => one).flat()
}
