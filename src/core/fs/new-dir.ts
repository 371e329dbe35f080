import {
  closeSync,
  constants as C,
  existsSync,
  fchmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  unlinkSync,
} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {basename, dirname, join} from 'node:path'
import {createFile, outputError, type FileToWrite} from './atomic-write.js'

let mask: number | undefined

/** Returns the process umask (read once: it does not change while svidkit runs). */
function umask(): number {
  mask ??= process.umask()
  return mask
}

/** The temporary name of an SVID directory being written: `.<name>.tmp-<random>` beside it (mkdtemp's suffix). */
export const SET_TEMP = /^\.(.+)\.tmp-[A-Za-z0-9]{6}$/

/** Creates `path` as every new file is created (atomic-write.ts `createFile`), without a fsync. */
function createNew(path: string, f: FileToWrite): void {
  closeSync(createFile(path, f))
}

/** Writes each file under a temporary name in `dir` (an existing directory), then links it to its name: complete or absent, never replacing. */
function writeIntoExisting(dir: string, files: FileToWrite[]): void {
  const placed: string[] = []
  const temps: string[] = []
  try {
    for (const f of files) {
      const tmp = join(dir, `.${basename(f.path)}.tmp${randomBytes(4).toString('hex')}`)
      temps.push(tmp)
      createNew(tmp, f)
      // link(2) never replaces: an existing name (someone else's) fails the set with EEXIST.
      linkSync(tmp, f.path)
      placed.push(f.path)
      unlinkSync(tmp)
    }
  } catch (err) {
    for (const p of [...temps, ...placed]) rmSync(p, {force: true})
    throw err
  }
}

/**
 * Writes one SVID's files into `dir`, a directory of its own, for bulk issuance: the set is
 * written complete under a temporary directory beside it (`.<name>.tmp-<random>`, mode 0700,
 * files created O_EXCL|O_NOFOLLOW with their modes set on the descriptor) and renamed into
 * place in one step, so a run killed at any point leaves either the whole set or none of it
 * at the final name (a leftover temporary directory is removed by a rerun, svid/bulk-run.ts).
 * When `dir` exists already (`--out 'x/{n}'` into existing directories), each file is
 * written under a temporary name and linked to its own: each file complete, never replacing.
 * Without a per-file fsync (a fsync costs milliseconds per file here; durability after a
 * power cut is the OS's, as with openssl and cfssl). A failure removes what this call wrote.
 */
export function writeNewDirSync(dir: string, files: FileToWrite[]): void {
  try {
    if (existsSync(dir) || files.some((f) => dirname(f.path) !== dir)) {
      mkdirSync(dir, {recursive: true, mode: 0o755})
      writeIntoExisting(dir, files)
      return
    }
    const parent = dirname(dir)
    mkdirSync(parent, {recursive: true, mode: 0o755})
    const tmp = mkdtempSync(join(parent, `.${basename(dir)}.tmp-`))
    try {
      for (const f of files) createNew(join(tmp, basename(f.path)), f)
      const fd = openSync(tmp, C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW)
      try {
        fchmodSync(fd, 0o755 & ~umask())
      } finally {
        closeSync(fd)
      }
      renameSync(tmp, dir)
    } catch (err) {
      rmSync(tmp, {recursive: true, force: true})
      throw err
    }
  } catch (err) {
    throw outputError(dir, err)
  }
}
