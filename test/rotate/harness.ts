/**
 * Shared set-up for the rotate and watch tests: a CA, the SVID directory of each writer
 * mode, in-process rotations that collect their event log, and small disk helpers.
 */
import {createHash} from 'node:crypto'
import {lstatSync, readFileSync, readlinkSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {initCa} from '../../src/core/ca/init.js'
import {isSvidkitError} from '../../src/core/errors.js'
import type {RotateEvent} from '../../src/core/rotate/events.js'
import {defaultKnobs, type Knobs} from '../../src/core/rotate/knobs.js'
import {defaultLayout, rotate, type RotateOptions, type RotationSummary} from '../../src/core/rotate/rotate.js'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {fileNames, type SvidFileNames} from '../../src/core/fs/layout.js'

export const SPIFFE_ID = 'spiffe://example.org/web'

/** Every writer mode of rotation.md §1, in the doc's order. */
export const MODES: WriterMode[] = [
  'spiffe-helper',
  'atomic-rename',
  'kubelet',
  'dir-symlink',
  'unlink-create',
  'hardlink-backup',
  'move-away',
  'credential-bundle',
]

/** Returns the directory of a CA made by `initCa` (one intermediate) under `base`. */
export async function makeCa(base: string, name = 'ca'): Promise<string> {
  const out = join(base, name)
  await initCa({trustDomain: 'example.org', out, intermediates: 1})
  return out
}

/** Returns the `--dir` of a mode under `base` (dir-symlink: the link `<mode>/current`). */
export function svidDir(base: string, mode: WriterMode, tag = ''): string {
  return mode === 'dir-symlink' ? join(base, `${mode}${tag}`, 'current') : join(base, `${mode}${tag}`)
}

/** Returns the file names the mode writes by default. */
export function namesOf(mode: WriterMode): SvidFileNames {
  return fileNames(defaultLayout(mode))
}

/** What one `rotate` call produced. */
export interface Rotated {
  events: RotateEvent[]
  summaries: RotationSummary[]
}

/** Options of `rot`: RotateOptions without the sink, with partial knobs. */
export type RotOptions = Omit<RotateOptions, 'sink' | 'knobs'> & {
  knobs?: Partial<Knobs>
  sink?: (e: RotateEvent) => void
}

/** Returns the events and summaries of `rotate` run in this process. */
export async function rot(o: RotOptions): Promise<Rotated> {
  const events: RotateEvent[] = []
  const summaries = await rotate({
    spiffeId: SPIFFE_ID,
    ...o,
    knobs: {...defaultKnobs(), ...o.knobs},
    sink: (e) => {
      events.push(e)
      o.sink?.(e)
    },
  })
  return {events, summaries}
}

/** Returns the `done` event of a rotation (throws when there is none). */
export function doneOf(events: RotateEvent[], rotation = 1): RotateEvent {
  const d = events.find((e) => e.step === 'done' && e.rotation === rotation)
  if (!d)
    throw new Error(
      `rotation ${rotation} has no done event: ${JSON.stringify(events.filter((e) => e.rotation === rotation).map((e) => e.step))}`,
    )
  return d
}

/** Returns the SHA-256 of bytes, hex. */
export function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

/** Returns the SHA-256 of a file, or undefined when it does not exist. */
export function fileSha(path: string): string | undefined {
  try {
    return sha(readFileSync(path))
  } catch {
    return undefined
  }
}

/** Returns the hashes of the set on disk the way `rotate` reports them (key = the combined file for credential bundles). */
export function diskHashes(dir: string, names: SvidFileNames): {cert?: string; key?: string; bundle?: string} {
  return {
    cert: fileSha(join(dir, names.cert)),
    key: fileSha(join(dir, names.key)),
    bundle: fileSha(join(dir, names.bundle)),
  }
}

/** Returns a triple as one comparable string. */
export function triple(h: {cert?: string; key?: string; bundle?: string} | undefined): string {
  return `${h?.cert}/${h?.key}/${h?.bundle}`
}

/** Returns lstat of a path, or undefined when absent. */
export function lstatOr(path: string) {
  try {
    return lstatSync(path)
  } catch {
    return undefined
  }
}

/** Returns stat (following links) of a path, or undefined when absent. */
export function statOr(path: string) {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/** Returns the link target, or undefined. */
export function readlinkOr(path: string): string | undefined {
  try {
    return readlinkSync(path)
  } catch {
    return undefined
  }
}

/** Returns the permission bits of a path (following links) as octal text. */
export function modeOf(path: string): string {
  return `0${(statSync(path).mode & 0o777).toString(8)}`
}

/** Returns a promise resolving after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Returns once `pred` holds, polling every 10 ms; rejects with `what` after `timeoutMs`. */
export async function until(pred: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`)
    await delay(10)
  }
}

/** Returns the SvidkitError a promise is expected to reject with (throws when it resolves or rejects with anything else). */
export async function refusal(p: Promise<unknown>): Promise<{code: string; exit: number; message: string}> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSvidkitError(err)) throw new Error(`expected a refusal, got ${String(err)}`)
  return err
}
