import {constants as C, existsSync, lstatSync, readFileSync} from 'node:fs'
import {randomInt} from 'node:crypto'
import {basename, join} from 'node:path'
import {removeOldDir} from './version-dirs.js'
import type {Writer, WriterInput} from './types.js'

const DATA = '..data'
const DATA_TMP = '..data_tmp'

function tsDirName(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  const ts = `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}`
  // Go's MkdirTemp appends a random uint32 in decimal.
  return `..${ts}.${randomInt(0, 2 ** 32)}`
}

function unchanged(w: WriterInput, oldDir: string | undefined): boolean {
  if (!oldDir) return false
  return w.files.every((f) => {
    try {
      return readFileSync(join(w.dir, oldDir, f.name)).equals(f.data)
    } catch {
      return false
    }
  })
}

async function makeVersionDir(w: WriterInput): Promise<string> {
  for (;;) {
    const name = tsDirName(w.ops.ctx.clock.now())
    try {
      await w.ops.mkdir(join(w.dir, name), 0o755)
      return name
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

/** Step 6: each user-visible name that does not exist yet becomes a symlink through ..data. */
async function linkVisibleNames(w: WriterInput): Promise<void> {
  for (const f of w.files) {
    const visible = join(w.dir, f.name)
    let exists = true
    try {
      lstatSync(visible)
    } catch {
      exists = false
    }
    if (!exists) await w.ops.symlink(join(DATA, f.name), visible)
  }
}

/**
 * kubernetes `pkg/volume/util/atomic_writer.go`: write the set into a new timestamped
 * directory, then publish it with one rename of `..data_tmp` over `..data`; the
 * user-visible names are symlinks through `..data`, created once (rotation.md §1).
 */
export const kubelet: Writer = async (w) => {
  const old = await w.ops.readlink(join(w.dir, DATA))
  if (unchanged(w, old)) {
    w.ops.emit('skip', {message: 'every file is byte-equal: no new version (step 6 still runs)'})
    await linkVisibleNames(w)
    return 'unchanged'
  }
  const name = await makeVersionDir(w)
  await w.ops.chmod(join(w.dir, name), 0o755)
  for (const f of w.files) {
    const path = join(w.dir, name, f.name)
    const fd = await w.ops.open(path, C.O_WRONLY | C.O_CREAT | C.O_TRUNC, f.mode)
    await w.ops.write(fd, path, f.data, false)
    await w.ops.close(fd, path)
    await w.ops.chmod(path, f.mode)
    if (w.knobs.failAfter && basename(w.knobs.failAfter) === f.name) {
      // The only publish point is the swap: aborting before it means readers see nothing new.
      w.ops.emit('error', {file: f.name, code: 'fail-after', message: `set aborted after ${f.name}, before the swap (--fail-after): readers see nothing new`})
      return 'aborted'
    }
  }
  for (const f of w.files) await w.ops.holdOldFd(join(w.dir, f.name))
  await w.ops.symlink(name, join(w.dir, DATA_TMP))
  await w.ops.rename(join(w.dir, DATA_TMP), join(w.dir, DATA))
  w.ops.publish('cert', 'key', 'bundle')
  await linkVisibleNames(w)
  if (old && existsSync(join(w.dir, old))) await removeOldDir(w, join(w.dir, old))
  return 'written'
}
