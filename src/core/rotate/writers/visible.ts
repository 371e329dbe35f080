import {constants as C} from 'node:fs'
import {sleep} from '../ops.js'
import type {SetFile, WriterInput} from './types.js'

/**
 * Writes a file at its visible name, where readers can see every intermediate state: the
 * torn window lasts from the open to the close, and the new content is published at the
 * close. `exclusive` creates (O_EXCL, after an unlink or a move); otherwise it truncates in
 * place (O_TRUNC, with `--truncate-hold`).
 */
export async function writeVisible(w: WriterInput, f: SetFile, path: string, exclusive: boolean): Promise<void> {
  const flags = C.O_WRONLY | C.O_CREAT | (exclusive ? C.O_EXCL : C.O_TRUNC)
  const fd = await w.ops.open(path, flags, f.mode)
  if (exclusive) w.ops.closeWindow('absent', f.name)
  w.ops.openWindow('torn', f.name)
  if (!exclusive && w.knobs.truncateHoldMs > 0) await sleep(w.knobs.truncateHoldMs)
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
  if (w.knobs.absentForMs > 0) await sleep(w.knobs.absentForMs)
  await writeVisible(w, f, path, true)
}
