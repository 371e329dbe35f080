import {createHash} from 'node:crypto'
import {
  closeSync,
  constants as C,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import {basename, dirname, resolve, sep} from 'node:path'
import {SvidkitError, usageError} from '../errors.js'
import type {IssueToDirectoryOptions} from './issue-plan.js'
import {SET_TEMP} from '../fs/new-dir.js'

/**
 * The most SVIDs one `issue --count` run writes: a million directories is far beyond any
 * fixture set, and bounds the run's checks and its time (docs/security.md).
 */
export const MAX_ISSUE_COUNT = 1_000_000

/** Refuses a count above MAX_ISSUE_COUNT (exit 2). */
export function checkCount(count: number): void {
  if (count > MAX_ISSUE_COUNT)
    throw usageError(
      `--count ${count} is more than ${MAX_ISSUE_COUNT}`,
      `issue at most ${MAX_ISSUE_COUNT} SVIDs per run`,
    )
}

/** Returns the directory that holds every SVID directory of the run: `out`, or the part of `out` before its first `{n}` component. */
export function runRoot(o: IssueToDirectoryOptions): string {
  if (!o.out.includes('{n}')) return o.out
  const parts = resolve(o.out).split(sep)
  return (
    parts
      .slice(
        0,
        parts.findIndex((p) => p.includes('{n}')),
      )
      .join(sep) || sep
  )
}

/** Returns the fingerprint of a run's arguments (validity times aside: relative ones differ from run to run). */
function fingerprint(o: IssueToDirectoryOptions, count: number): string {
  const {
    spiffeId,
    ca,
    out,
    layout,
    names,
    keyType,
    ttlMs,
    dns,
    ips,
    subject,
    keyEncipherment,
    format,
    secretName,
    recipe,
    seed,
  } = o
  // Normalised: the lite and oclif paths leave absent flags undefined or default them.
  const doc = {
    spiffeId,
    ca: resolve(ca),
    out: resolve(out),
    layout: layout ?? 'spiffe-helper',
    names: {cert: names?.cert ?? null, key: names?.key ?? null, bundle: names?.bundle ?? null},
    keyType: keyType ?? null,
    ttlMs: ttlMs ?? null,
    dns: dns ?? [],
    ips: ips ?? [],
    subject: subject ?? null,
    keyEncipherment: Boolean(keyEncipherment),
    format: format ?? 'pem',
    secretName: secretName ?? null,
    defects: recipe?.notes ?? [],
    seed: seed ?? null,
    count,
  }
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex')
}

/** A bulk run's state on disk: whether it resumes an interrupted run with the same arguments. */
interface BulkRun {
  resuming: boolean
  /** Marks the run as in progress (before its first write). */
  begin(): void
  /** Removes the marker: every SVID is written. */
  finish(): void
}

/**
 * Returns the state of a bulk run. A run writes `.svidkit-issue-<fingerprint>.partial` (the
 * fingerprint of its arguments) in its root before its first SVID and removes it after its
 * last. A rerun with the same arguments finds it and resumes: complete sets stay, leftovers of
 * the interrupted run (temporary directories `.<n>.tmp-<random>`, files of a set cut short) are
 * removed, and the missing SVIDs are issued. Runs with other arguments have other markers.
 */
export function bulkRun(o: IssueToDirectoryOptions, count: number): BulkRun {
  const print = fingerprint(o, count)
  const path = resolve(runRoot(o), `.svidkit-issue-${print.slice(0, 16)}.partial`)
  const st = lstatSync(path, {throwIfNoEntry: false})
  if (st && !st.isFile()) throw new SvidkitError('output-exists', `"${path}" is not a marker svidkit wrote`, {path})
  const resuming = st !== undefined && readFileSync(path, 'latin1').trim() === print
  return {
    resuming,
    begin: () => {
      if (resuming) return
      rmSync(path, {force: true})
      const fd = openSync(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o644)
      try {
        writeSync(fd, `${print}\n`)
      } finally {
        closeSync(fd)
      }
    },
    finish: () => rmSync(path, {force: true}),
  }
}

/** Returns true when `dir` holds every one of `names` as a non-empty regular file (a set written whole). */
export function completeSet(dir: string, names: string[]): boolean {
  return names.every((n) => {
    const st = lstatSync(`${dir}/${n}`, {throwIfNoEntry: false})
    return st !== undefined && st.isFile() && st.size > 0
  })
}

/**
 * Removes what an interrupted run left for SVID n before it is written again: the temporary
 * directories of its set beside `dir` (`.<name>.tmp-<random>`, real directories only) and the
 * regular files of `names` in `dir` (a set cut short).
 */
export function cleanLeftovers(dir: string, names: string[], temps: Map<string, Map<string, string[]>>): void {
  const parent = dirname(dir)
  let byName = temps.get(parent)
  if (!byName) {
    // One scan per parent: the temporary directories there, by the SVID directory they were for.
    byName = new Map()
    temps.set(parent, byName)
    for (const entry of readdirSync(parent, {withFileTypes: true})) {
      const m = SET_TEMP.exec(entry.name)
      if (m && entry.isDirectory()) byName.set(m[1], [...(byName.get(m[1]) ?? []), entry.name])
    }
  }
  for (const t of byName.get(basename(dir)) ?? []) rmSync(resolve(parent, t), {recursive: true, force: true})
  for (const n of names) {
    const file = resolve(dir, n)
    if (lstatSync(file, {throwIfNoEntry: false})?.isFile()) unlinkSync(file)
  }
}
