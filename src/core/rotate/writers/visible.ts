import {closeSync, fstatSync, lstatSync, readlinkSync, constants as C, type Stats} from 'node:fs'
import {SvidkitError} from '../../errors.js'
import {sleep} from '../ops.js'
import type {SetFile, WriterInput} from './types.js'

/**
 * Returns the file an in-place writer is about to truncate, after refusing what it must
 * never write through: a symlink (it could lead out of the directory), a non-regular file
 * (a FIFO would block, a device is not ours) and a file with other hard links (truncating
 * it would change a file elsewhere). Undefined when the name is free.
 */
function checkInPlace(path: string): Stats | undefined {
  let st: Stats
  try {
    st = lstatSync(path)
  } catch {
    return undefined
  }
  if (st.isSymbolicLink()) {
    throw new SvidkitError('unsafe-link', `refusing to write through "${path}": it is a symlink to "${readlinkSync(path)}"`, {
      path,
      hint: 'svidkit never writes through a link in an SVID directory: remove the link, or use --mode kubelet for a ..data layout',
    })
  }
  if (!st.isFile()) throw new SvidkitError('unsafe-link', `refusing to write "${path}": it is not a regular file`, {path, hint: 'remove it, then rerun'})
  if (st.nlink > 1) {
    throw new SvidkitError('unsafe-link', `refusing to truncate "${path}" in place: it has ${st.nlink - 1} other hard link(s), which would change too`, {
      path,
      hint: 'remove the other links (or the file), or use a mode that renames a new file into place (atomic-rename)',
    })
  }
  return st
}

/**
 * Writes a file at its visible name, where readers can see every intermediate state: the
 * torn window lasts from the open to the close, and the new content is published at the
 * close. `exclusive` creates (O_EXCL, after an unlink or a move); otherwise it truncates in
 * place (O_TRUNC, with `--truncate-hold`).
 */
export async function writeVisible(w: WriterInput, f: SetFile, path: string, exclusive: boolean): Promise<void> {
  const before = exclusive ? undefined : checkInPlace(path)
  const flags = C.O_WRONLY | C.O_CREAT | C.O_NOFOLLOW | (exclusive ? C.O_EXCL : C.O_TRUNC | C.O_NONBLOCK)
  const fd = await w.ops.open(path, flags, f.mode)
  if (exclusive) w.ops.closeWindow('absent', f.name)
  w.ops.openWindow('torn', f.name)
  if (!exclusive) {
    const after = fstatSync(fd)
    if (before && (after.ino !== before.ino || after.dev !== before.dev)) {
      closeSync(fd)
      throw new SvidkitError('unsafe-link', `refusing to write "${path}": it was replaced while being opened`, {path})
    }
    // A planted file keeps its mode through O_TRUNC: set ours before any key byte lands.
    await w.ops.fchmod(fd, path, f.mode)
  }
  if (!exclusive && w.knobs.truncateHoldMs > 0) await sleep(w.knobs.truncateHoldMs, w.ops.ctx.abort)
  await w.ops.write(fd, path, f.data, true)
  await w.ops.close(fd, path)
  w.ops.closeWindow('torn', f.name)
  w.ops.publish(...f.roles)
}

/** Takes the name away (unlink or move), keeps it absent for `--absent-for`, then creates it anew. */
export async function replaceAbsent(w: WriterInput, f: SetFile, path: string, takeAway: () => Promise<unknown>): Promise<void> {
  await w.ops.holdOldFd(path)
  await takeAway()
  w.ops.openWindow('absent', f.name)
  if (w.knobs.absentForMs > 0) await sleep(w.knobs.absentForMs, w.ops.ctx.abort)
  await writeVisible(w, f, path, true)
}
