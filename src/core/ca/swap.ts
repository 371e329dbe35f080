import {chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, statSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {basename, dirname, join, resolve, sep} from 'node:path'
import {isSvidkitError, SvidkitError, usageError} from '../errors.js'
import {ensureDir, osReason, outputError, writeNewFile, writeNewFiles, type FileToWrite} from '../fs/atomic-write.js'
import {checkDirTrusted} from '../fs/dir-trust.js'
import {dirId, removeOwnDir, type DirId} from '../fs/remove-dir.js'

/**
 * A CA directory is replaced as one unit (docs/security.md "Interrupted runs"): the new CA
 * is written complete into a sibling staging directory `.<name>.new-<hex>`, then the old
 * directory is renamed to `.<name>.old-<hex>`, the staging directory renamed into place and
 * the old one removed. A crash leaves the old CA or the new one at the path; a crash
 * between the two renames is finished by `recoverCaSwap`.
 */

const METADATA = 'ca.json'

/** Returns the absolute path of the CA directory `dir`; an empty path is a usage error (exit 2), never the current directory. */
export function caPath(dir: string): string {
  if (dir === '')
    throw usageError(
      'the CA directory "" is empty: it must name a path',
      'give a directory, e.g. --ca ca; an unset shell variable ("$DIR") expands to an empty value',
    )
  return resolve(dir)
}

/**
 * Returns the absolute path of the CA directory `dir`, the one path every check and every
 * rename of the swap uses (an empty `dir` or `missing/..` must never be checked as one path
 * and renamed as another). Refuses (exit 2) an empty path and the current directory or one
 * above it (`.`, `..`, `missing/..`, `/`): the swap renames the directory as a whole, which
 * would pull the directory the command runs in away.
 */
export function caTarget(dir: string): string {
  const abs = caPath(dir)
  const cwd = resolve(process.cwd())
  if (abs === cwd || cwd.startsWith(abs.endsWith(sep) ? abs : abs + sep)) {
    throw usageError(
      `refusing to use "${dir}" as a CA directory: it is the current directory${abs === cwd ? '' : ' or one above it'}, and a CA directory is replaced as a whole`,
      'give a directory below the current one (run from its parent: --out ca)',
    )
  }
  return abs
}

function siblings(abs: string): {news: string[]; olds: string[]} {
  const base = basename(abs)
  const out = {news: [] as string[], olds: [] as string[]}
  let entries: string[]
  try {
    entries = readdirSync(dirname(abs))
  } catch {
    return out
  }
  for (const e of entries) {
    const m = /^\.(.+)\.(new|old)-[0-9a-f]{8}$/.exec(e)
    if (!m || m[1] !== base) continue
    const path = join(dirname(abs), e)
    if (!ownedCaDir(path)) continue
    ;(m[2] === 'new' ? out.news : out.olds).push(path)
  }
  return out
}

/** True for a real directory (not a link) that holds only regular files a CA writer makes. */
function ownedCaDir(path: string): boolean {
  try {
    if (!lstatSync(path).isDirectory()) return false
    return readdirSync(path).every((e) => isCaFileName(e) && lstatSync(join(path, e)).isFile())
  } catch {
    return false
  }
}

/** True for the names a CA directory holds: metadata, bundles, certificates, keys and their temporaries. */
function isCaFileName(e: string): boolean {
  return e === METADATA || e === 'bundle.spiffe.json' || /\.pem$/.test(e) || /^\..+\.tmp[0-9a-f]{8}$/.test(e)
}

/**
 * Finishes or cleans up an interrupted CA swap next to `dir`: when `dir` is missing, a
 * complete staging directory (its `ca.json`, written last, is present) is renamed into
 * place, else the old CA is put back; leftover staging and old directories are removed.
 * Only directories of the swap's own name form holding only CA files are touched.
 * Returns what it did (empty when nothing was left over).
 */
export function recoverCaSwap(dir: string): string[] {
  const abs = caPath(dir)
  const done: string[] = []
  let {news, olds} = siblings(abs)
  if (news.length + olds.length === 0) return done
  if (!existsSync(abs)) {
    const complete = news.find((d) => existsSync(join(d, METADATA))) ?? olds.find((d) => existsSync(join(d, METADATA)))
    if (complete) {
      renameSync(complete, abs)
      done.push(`finished the interrupted swap: ${basename(complete)} → ${basename(abs)}`)
      ;({news, olds} = siblings(abs))
    }
  }
  if (!existsSync(abs)) return done
  for (const d of [...news, ...olds]) {
    removeOwnDir(d, dirId(d), {path: dirname(abs), id: dirId(dirname(abs))})
    done.push(`removed leftover ${basename(d)}`)
  }
  return done
}

/**
 * Checks that `dir` may receive a CA: missing, empty, or (with `force`) a directory that
 * holds only CA files. Throws `output-exists` or `output-not-writable` otherwise.
 */
export function checkCaTarget(dir: string, force: boolean): void {
  const abs = caTarget(dir)
  let st
  try {
    st = lstatSync(abs)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return
    if (code === 'ENOTDIR')
      throw new SvidkitError('output-not-writable', `"${dir}" is under a file, not a directory`, {
        path: dir,
        hint: 'give a directory path for the CA',
      })
    throw outputError(dir, err)
  }
  if (st.isSymbolicLink()) {
    throw new SvidkitError('unsafe-link', `refusing to write a CA at "${dir}": it is a symlink`, {
      path: dir,
      hint: 'give the real directory the link points to',
    })
  }
  if (!st.isDirectory()) {
    throw new SvidkitError('not-a-directory', `"${dir}" is a file, not a directory`, {
      path: dir,
      hint: 'give a directory path for the CA (it is created when missing)',
    })
  }
  const entries = readdirSync(abs).sort()
  if (entries.length === 0) return
  // A file that is not a CA file is never replaced, even with --force: never suggest it then.
  const foreign = entries.find((e) => !isCaFileName(e) || !lstatSync(join(abs, e)).isFile())
  if (foreign) {
    throw new SvidkitError(
      'output-exists',
      `refusing to ${force ? 'replace' : 'write a CA into'} "${dir}": "${foreign}" is not a CA file${force ? ' and would be lost' : ''}`,
      {
        path: dir,
        hint: 'choose another --out directory (a new one is created), or move that file away',
      },
    )
  }
  if (!force) {
    const what = entries.includes(METADATA)
      ? `already holds a CA (${METADATA})`
      : `already holds CA files ("${entries[0]}")`
    throw new SvidkitError('output-exists', `"${dir}" ${what}`, {
      path: dir,
      hint: 'use --force to replace it, or choose another --out directory',
    })
  }
}

/** A staging directory beside the CA directory, and the mode the CA directory gets. */
interface Staging {
  abs: string
  parent: string
  tag: string
  staging: string
  /** The staging directory's identity: it is removed only while it is that directory. */
  stagingId?: DirId
  mode: number
}

/** Options of a CA write. */
export interface CaWriteOptions {
  /** Write even when another user can write the CA directory or one above it (--insecure-allow-shared-dir). */
  allowSharedDir?: boolean
}

/** Creates the staging directory for `dir` (mode 0700 until it is complete). */
function stage(dir: string, opts: CaWriteOptions): Staging {
  const abs = caTarget(dir)
  const parent = dirname(abs)
  // The swap renames and removes directories in the parent: another user must not be able to swap them.
  checkDirTrusted(abs, {allowShared: opts.allowSharedDir})
  ensureDir(parent)
  const tag = randomBytes(4).toString('hex')
  const staging = join(parent, `.${basename(abs)}.new-${tag}`)
  // A CA directory holds private keys: a new one is 0700 whatever the umask; a replaced one
  // keeps its mode, less any group/other write bit.
  let mode = 0o700
  try {
    mode = statSync(abs).mode & 0o7755
  } catch {
    // new directory
  }
  try {
    mkdirSync(staging, {mode: 0o700})
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file system refuses to create it (ENOENT)' : osReason(err)
    throw new SvidkitError('output-not-writable', `cannot write "${dir}": ${why}`, {path: dir, cause: err})
  }
  return {abs, parent, tag, staging, stagingId: dirId(staging), mode}
}

/** Removes the staging directory after a failed write, and returns the error to throw. */
function abandon(s: Staging, dir: string, files: FileToWrite[], err: unknown): SvidkitError {
  removeStaging(s)
  if (isSvidkitError(err)) return err
  return outputError(
    join(dir, basename(files.find((f) => !existsSync(join(s.staging, basename(f.path))))?.path ?? '')),
    err,
  )
}

/** Removes the staging directory while it is the one `stage` made (best effort: a later run cleans up). */
function removeStaging(s: Staging): void {
  try {
    if (s.stagingId) removeOwnDir(s.staging, s.stagingId)
  } catch {
    // left for recoverCaSwap
  }
}

/** Swaps the complete staging directory in for `dir`: the old CA aside, the new one in, the old one removed. */
function commit(s: Staging, dir: string): void {
  let old: string | undefined
  let oldId: DirId | undefined
  const parentId = dirId(s.parent)
  try {
    // rename(2) replaces an empty directory; a non-empty one is moved aside first.
    if (existsSync(s.abs) && readdirSync(s.abs).length > 0) {
      old = join(s.parent, `.${basename(s.abs)}.old-${s.tag}`)
      oldId = dirId(s.abs)
      renameSync(s.abs, old)
    }
    renameSync(s.staging, s.abs)
  } catch (err) {
    if (old && !existsSync(s.abs)) renameSync(old, s.abs)
    removeStaging(s)
    throw outputError(dir, err)
  }
  // Only the directory that was moved aside, in the parent it was moved in (re-checked before each removal).
  if (old && oldId) removeOwnDir(old, oldId, {path: s.parent, id: parentId})
}

/**
 * Writes `files` (paths relative to the CA directory, metadata last) as the new content
 * of `dir`, replacing any old CA as one unit. Throws `output-not-writable` with the path
 * and the OS reason on failure, leaving the old CA in place and no staging directory.
 */
export function swapCaDir(dir: string, files: FileToWrite[], opts: CaWriteOptions = {}): void {
  const s = stage(dir, opts)
  try {
    for (const f of files) writeNewFile(join(s.staging, basename(f.path)), f)
    chmodSync(s.staging, s.mode)
  } catch (err) {
    throw abandon(s, dir, files, err)
  }
  commit(s, dir)
}

/** swapCaDir for an async caller: the files are fsynced at once (atomic-write.ts writeNewFiles). */
export async function swapCaDirAsync(dir: string, files: FileToWrite[], opts: CaWriteOptions = {}): Promise<void> {
  const s = stage(dir, opts)
  try {
    await writeNewFiles(
      files.map((f) => ({...f, path: join(s.staging, basename(f.path))})),
      files.map((f) => join(dir, basename(f.path))),
    )
    chmodSync(s.staging, s.mode)
  } catch (err) {
    throw abandon(s, dir, files, err)
  }
  commit(s, dir)
}
