import {lstatSync, readlinkSync, type Stats} from 'node:fs'
import {join} from 'node:path'
import {SvidkitError} from '../../errors.js'

/** The uid files must belong to: the invoking (effective) user. */
function invokingUid(): number {
  return process.geteuid?.() ?? 0
}

/**
 * Returns why the file `st` at a visible name is not one svidkit may write into or
 * replace, or undefined: it must be a regular file, owned by the invoking user, with no
 * other hard link (another user's file may be held open or chmodded later; a hard link
 * would change a file elsewhere; a FIFO would block; a device or socket is not ours).
 */
export function unsafeBecause(
  st: Pick<Stats, 'uid' | 'nlink'> & {isFile(): boolean},
  uid = invokingUid(),
): string | undefined {
  if (!st.isFile()) return 'it is not a regular file'
  if (st.uid !== uid) return `it belongs to uid ${st.uid}, not to you (uid ${uid})`
  if (st.nlink > 1) return `it has ${st.nlink - 1} other hard link(s), which would change too`
  return undefined
}

/** Returns the `unsafe-file` error (exit 3) for `path`. */
export function unsafeFile(path: string, why: string): SvidkitError {
  return new SvidkitError('unsafe-file', `refusing to write "${path}": ${why}`, {
    path,
    hint: 'svidkit writes only into regular files it could have created: remove or move that file, then rerun',
  })
}

/** Returns the `unsafe-link` error (exit 3) for a symlink at a visible name. */
function unsafeSymlink(path: string): SvidkitError {
  let target = '?'
  try {
    target = readlinkSync(path)
  } catch {
    // gone meanwhile
  }
  return new SvidkitError('unsafe-link', `refusing to write through "${path}": it is a symlink to "${target}"`, {
    path,
    hint: 'svidkit never writes through a link in an SVID directory: remove the link, or use --mode kubelet for a ..data layout',
  })
}

/**
 * Returns the lstat of the visible name `path` after refusing anything a writer must not
 * write into or replace (exit 3): a symlink (`unsafe-link`) and anything `unsafeBecause`
 * names (`unsafe-file`). Undefined when the name is free.
 */
export function checkVisibleFile(path: string): Stats | undefined {
  let st: Stats
  try {
    st = lstatSync(path)
  } catch {
    return undefined
  }
  if (st.isSymbolicLink()) throw unsafeSymlink(path)
  const why = unsafeBecause(ownBackupAside(path, st) ? {uid: st.uid, nlink: 1, isFile: () => st.isFile()} : st)
  if (why) throw unsafeFile(path, why)
  return st
}

/**
 * Returns true when the one other hard link of the file at `path` is `<path>.old` beside it:
 * hardlink-backup's own backup, left with two links when a run is killed between its
 * `ln f f.old` and `mv f.new f` (the next run removes `f.old` first, so nothing outside the
 * set changes). Any other second link still refuses.
 */
function ownBackupAside(path: string, st: Stats): boolean {
  if (st.nlink !== 2 || !st.isFile()) return false
  try {
    const old = lstatSync(`${path}.old`)
    return old.isFile() && old.dev === st.dev && old.ino === st.ino
  } catch {
    return false
  }
}

/**
 * Checks every visible name of the set before a writer touches anything (every mode but
 * dir-symlink, whose visible names live in its own version directories). kubelet's own
 * links (`<name> -> ..data/<name>`) are what it expects there.
 */
export function checkVisibleNames(dir: string, names: string[], kubeletLinks: boolean): void {
  for (const name of names) {
    const path = join(dir, name)
    if (kubeletLinks) {
      try {
        if (lstatSync(path).isSymbolicLink() && readlinkSync(path) === join('..data', name)) continue
      } catch {
        continue
      }
    }
    checkVisibleFile(path)
  }
}
