import {chmodSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {outputError, type FileToWrite} from '../fs/atomic-write.js'

let mask: number | undefined

/** Returns the process umask (read once: it does not change while svidkit runs). */
function umask(): number {
  mask ??= process.umask()
  return mask
}

/**
 * Writes files that do not exist yet, for bulk issuance into fresh directories: each is
 * created exclusively (O_EXCL: an existing file or symlink is never followed or replaced)
 * with its final mode from the start, so a key is never readable by others, and without a
 * per-file fsync (a fsync costs milliseconds per file here; durability is the OS's, as
 * with openssl and cfssl). Synchronously: a create, write and close cost less CPU than the
 * same calls sent to Node's I/O threads (issue-pool.ts, issue-files.ts). A file this call
 * began is removed on failure, also one that failed half written (a full disk).
 */
export function writeNewFilesSync(dir: string, files: FileToWrite[]): void {
  const created: string[] = []
  try {
    mkdirSync(dir, {recursive: true, mode: 0o755})
    for (const f of files) {
      try {
        writeFileSync(f.path, f.data, {flag: 'wx', mode: f.mode})
      } catch (err) {
        // EEXIST: someone else's file, never ours to remove; otherwise it may be ours, half written.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') created.push(f.path)
        throw err
      }
      created.push(f.path)
      if ((f.mode & ~umask()) !== f.mode) chmodSync(f.path, f.mode)
    }
  } catch (err) {
    for (const p of created) rmSync(p, {force: true})
    throw outputError(dir, err)
  }
}
