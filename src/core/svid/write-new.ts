import {chmod, mkdir, unlink, writeFile} from 'node:fs/promises'
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
 * with openssl and cfssl). The files of one directory are written concurrently on Node's
 * I/O threads. On failure the files this call created are removed.
 */
export async function writeNewFiles(dir: string, files: FileToWrite[]): Promise<void> {
  const created: string[] = []
  try {
    await mkdir(dir, {recursive: true, mode: 0o755})
    const done = await Promise.allSettled(
      files.map(async (f) => {
        await writeFile(f.path, f.data, {flag: 'wx', mode: f.mode})
        created.push(f.path)
        // The mode given at creation is filtered by the umask: set it exactly when the umask changed it.
        if ((f.mode & ~umask()) !== f.mode) await chmod(f.path, f.mode)
      }),
    )
    const failed = done.find((d) => d.status === 'rejected')
    if (failed) throw failed.reason
  } catch (err) {
    await Promise.all(created.map((p) => unlink(p).catch(() => undefined)))
    throw outputError(dir, err)
  }
}

/**
 * `writeNewFiles` for a worker thread (issue-pool.ts), synchronously: the worker has
 * nothing else to do meanwhile, and a synchronous create, write and close costs less
 * CPU than the same calls sent to Node's I/O threads. A file this call began is removed
 * on failure, also one that failed half written (a full disk).
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
