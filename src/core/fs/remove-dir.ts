import {lstatSync, readdirSync, rmdirSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {SvidkitError} from '../errors.js'

/** The identity of a directory: device and inode, as lstat reports them. */
export interface DirId {
  dev: number
  ino: number
}

/** Returns the identity of `path`; throws `unsafe-dir` when it is not a real directory (a link, a file). */
export function dirId(path: string): DirId {
  const st = lstatSync(path)
  if (!st.isDirectory()) {
    throw new SvidkitError(
      'unsafe-dir',
      `refusing to work in "${path}": it is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}`,
      {path},
    )
  }
  return {dev: st.dev, ino: st.ino}
}

/** True when `path` is still the real directory `id` (never through a link). */
export function isSameDir(path: string, id: DirId): boolean {
  try {
    const st = lstatSync(path)
    return st.isDirectory() && st.dev === id.dev && st.ino === id.ino
  } catch {
    return false
  }
}

function replaced(path: string): SvidkitError {
  return new SvidkitError(
    'unsafe-dir',
    `refusing to remove anything in "${path}": it was replaced (by another directory or a link) while svidkit worked`,
    {
      path,
      hint: 'another process changes this directory: make it and the directories above it writable only by you or root',
    },
  )
}

/**
 * Removes the directory `path` that svidkit proved its own (identity `id`) and the regular
 * files directly in it, re-checking before every removal that `path` is still that
 * directory and, when given, that `parent` still is the directory it was: a directory
 * swapped for another or for a link (RENAME_EXCHANGE) makes it stop with `unsafe-dir`
 * before it removes anything there. Anything in it that is not a regular file is left and
 * reported (`unsafe-file`): svidkit only ever puts regular files in such directories.
 */
export function removeOwnDir(path: string, id: DirId, parent?: {path: string; id: DirId}): void {
  const check = () => {
    if (parent && !isSameDir(parent.path, parent.id)) throw replaced(parent.path)
    if (!isSameDir(path, id)) throw replaced(path)
  }
  check()
  for (const e of readdirSync(path)) {
    const p = join(path, e)
    check()
    if (!lstatSync(p).isFile()) {
      throw new SvidkitError(
        'unsafe-file',
        `refusing to remove "${path}": "${e}" in it is not a regular file svidkit wrote`,
        {path: p},
      )
    }
    unlinkSync(p)
  }
  check()
  rmdirSync(path)
}
