import {constants as C} from 'node:fs'
import {SvidkitError} from '../../errors.js'
import {sleep} from '../../time/sleep.js'
import {checkVisibleFile, unsafeBecause, unsafeFile} from './file-check.js'
import type {SetFile, WriterInput} from './types.js'

/**
 * Writes a file at its visible name, where readers can see every intermediate state: the
 * torn window lasts from the open to the close, and the new content is published at the
 * close. `exclusive` creates (O_EXCL, after an unlink or a move); otherwise it truncates in
 * place like spiffe-helper's `os.WriteFile`: open(O_TRUNC) → write → close, the same calls
 * in the same order (docs/rotation.md "Writer modes"), with `--truncate-hold` after the open.
 * Two differences, both invisible to a watcher unless they protect a key
 * (docs/security.md): the name is checked first (lstat: a regular file of the invoking user
 * with one link, else `unsafe-link`/`unsafe-file`) and the opened descriptor again (fstat:
 * the same inode, still such a file); and when the existing file's mode grants more than
 * the wanted mode (a planted 0666 key), it is narrowed with fchmod on the descriptor before
 * any byte is written. spiffe-helper keeps any existing mode; an extra fchmod would fire an
 * extra change event while the file is empty, so it happens only then.
 */
export async function writeVisible(w: WriterInput, f: SetFile, path: string, exclusive: boolean): Promise<void> {
  const before = exclusive ? undefined : checkVisibleFile(path)
  // O_NONBLOCK: a FIFO swapped in after the check must not block the writer (no effect on a regular file).
  const flags = C.O_WRONLY | C.O_CREAT | C.O_NOFOLLOW | (exclusive ? C.O_EXCL : C.O_TRUNC | C.O_NONBLOCK)
  const fd = await w.ops.open(path, flags, f.mode)
  if (exclusive) w.ops.closeWindow('absent', f.name)
  w.ops.openWindow('torn', f.name)
  if (!exclusive) {
    const after = w.ops.statOf(fd)
    if (before && (after.ino !== before.ino || after.dev !== before.dev)) {
      w.ops.abandonFd(fd)
      throw new SvidkitError('unsafe-link', `refusing to write "${path}": it was replaced while being opened`, {path})
    }
    const why = unsafeBecause(after)
    if (why) {
      w.ops.abandonFd(fd)
      throw unsafeFile(path, why)
    }
    // Narrow a wider existing mode before any key byte lands; an equal or narrower one is kept, as spiffe-helper does.
    if ((after.mode & 0o777 & ~f.mode) !== 0) await w.ops.fchmod(fd, path, f.mode)
  }
  if (!exclusive && w.knobs.truncateHoldMs > 0) await sleep(w.knobs.truncateHoldMs, w.ops.ctx.abort)
  await w.ops.write(fd, path, f.data, true)
  await w.ops.close(fd, path)
  w.ops.closeWindow('torn', f.name)
  w.ops.publish(...f.roles)
}

/** Takes the name away (unlink or move), keeps it absent for `--absent-for`, then creates it anew. */
export async function replaceAbsent(
  w: WriterInput,
  f: SetFile,
  path: string,
  takeAway: () => Promise<unknown>,
): Promise<void> {
  await w.ops.holdOldFd(path)
  await takeAway()
  w.ops.openWindow('absent', f.name)
  if (w.knobs.absentForMs > 0) await sleep(w.knobs.absentForMs, w.ops.ctx.abort)
  await writeVisible(w, f, path, true)
}
