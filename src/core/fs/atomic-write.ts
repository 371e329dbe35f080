import {closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, fchmodSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {basename, dirname, join} from 'node:path'
import {SvidkitError} from '../errors.js'

/** One file of a set to write. */
export interface FileToWrite {
  path: string
  data: string | Uint8Array
  /** File mode; keys are 0o600, certificates and bundles 0o644. */
  mode: number
}

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp${randomBytes(4).toString('hex')}`)
}

function writeTemp(file: FileToWrite): string {
  const tmp = tempPath(file.path)
  const fd = openSync(tmp, 'wx', file.mode)
  try {
    const buf = typeof file.data === 'string' ? Buffer.from(file.data) : Buffer.from(file.data)
    let off = 0
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
    // The mode passed to open is filtered by the umask: set it explicitly.
    fchmodSync(fd, file.mode)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  return tmp
}

/** Returns the error for a directory that cannot be created or written. */
export function outputError(dir: string, err: unknown): SvidkitError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error'
  return new SvidkitError('output-not-writable', `cannot write to "${dir}": ${code}`, {path: dir, cause: err})
}

/** Creates a directory (and parents); throws `output-not-writable` when it cannot. */
export function ensureDir(dir: string, mode = 0o755): void {
  try {
    mkdirSync(dir, {recursive: true, mode})
  } catch (err) {
    throw outputError(dir, err)
  }
}

/**
 * Writes a set of files so that no file is ever torn: each goes to a temporary file in
 * the same directory (exclusive create, explicit mode, fsync), and only when every
 * temporary file is complete are they renamed over their names, in order. On failure the
 * temporary files are removed and the old files stay as they were.
 */
export function writeFilesAtomic(files: FileToWrite[]): void {
  const temps: string[] = []
  try {
    for (const f of files) temps.push(writeTemp(f))
  } catch (err) {
    for (const t of temps) {
      try {
        unlinkSync(t)
      } catch {
        // already gone
      }
    }
    throw outputError(dirname(files[temps.length]?.path ?? files[0].path), err)
  }
  files.forEach((f, i) => renameSync(temps[i], f.path))
}
