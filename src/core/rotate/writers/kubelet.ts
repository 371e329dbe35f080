import {constants as C, lstatSync, readFileSync, readlinkSync} from 'node:fs'
import {randomInt} from 'node:crypto'
import {basename, join} from 'node:path'
import {SvidkitError} from '../../errors.js'
import {currentVersion, kubeletScheme, removeLeftovers} from './owned.js'
import {removeOldDir, versionDirId} from './version-dirs.js'
import type {Writer, WriterInput} from './types.js'

const DATA = '..data'

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
  for (let attempt = 0; ; attempt++) {
    const name = tsDirName(w.ops.ctx.clock.now())
    try {
      await w.ops.mkdir(join(w.dir, name), 0o755)
      return name
    } catch (err) {
      if (attempt > 100 || !String((err as Error).message).includes('EEXIST')) throw err
    }
  }
}

/**
 * Step 6: each user-visible name becomes a symlink through ..data. A name that is a link
 * to `..data/<name>` is kept; a regular file (converting a plain directory, with --force)
 * is replaced by the link in one rename, so the visible name shows the new SVID; anything
 * else (another link, a directory) is refused.
 */
async function linkVisibleNames(w: WriterInput): Promise<void> {
  for (const f of w.files) {
    const visible = join(w.dir, f.name)
    const want = join(DATA, f.name)
    let st
    try {
      st = lstatSync(visible)
    } catch {
      await w.ops.symlink(want, visible)
      continue
    }
    if (st.isSymbolicLink() && readlinkSync(visible) === want) continue
    if (!st.isFile()) {
      throw new SvidkitError(
        'unsafe-link',
        `refusing to replace "${visible}": it is ${st.isSymbolicLink() ? `a link to "${readlinkSync(visible)}"` : 'a directory'}, not a name kubelet made`,
        {
          path: visible,
        },
      )
    }
    const tmp = join(w.dir, `.${f.name}.kubelet-tmp`)
    await w.ops.unlink(tmp, true)
    await w.ops.symlink(want, tmp)
    await w.ops.rename(tmp, visible)
  }
}

/**
 * kubernetes `pkg/volume/util/atomic_writer.go`: write the set into a new timestamped
 * directory, then publish it with one rename of `..data_tmp` over `..data`; the
 * user-visible names are symlinks through `..data`, created once (docs/rotation.md "Writer modes"). The
 * previous version directory is removed only when it is provably the writer's own.
 */
export const kubelet: Writer = async (w) => {
  const scheme = kubeletScheme(w.dir)
  // Proven before anything is written: `..data -> ../victim` or `-> ..` is refused here.
  currentVersion(scheme)
  const old = await w.ops.readlink(scheme.link)
  // The version dir the link names now: only this directory (device and inode) is removed after the swap.
  const oldId = versionDirId(scheme, old)
  await removeLeftovers(
    w,
    scheme,
    old,
    w.files.map((f) => f.name),
  )
  if (unchanged(w, old)) {
    w.ops.emit('skip', {message: 'every file is byte-equal: no new version (step 6 still runs)'})
    await linkVisibleNames(w)
    return 'unchanged'
  }
  const name = await makeVersionDir(w)
  w.ops.scratch.add(join(w.dir, name))
  await w.ops.chmod(join(w.dir, name), 0o755)
  for (const f of w.files) {
    const path = join(w.dir, name, f.name)
    const fd = await w.ops.open(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, f.mode)
    await w.ops.write(fd, path, f.data, false)
    await w.ops.close(fd, path)
    await w.ops.chmod(path, f.mode)
    if (w.knobs.failAfter && basename(w.knobs.failAfter) === f.name) {
      // The only publish point is the swap: aborting before it means readers see nothing new.
      w.ops.emit('error', {
        file: f.name,
        code: 'fail-after',
        message: `set aborted after ${f.name}, before the swap (--fail-after): readers see nothing new`,
      })
      return 'aborted'
    }
  }
  for (const f of w.files) await w.ops.holdOldFd(join(w.dir, f.name))
  await w.ops.symlink(name, scheme.tmpLink)
  w.ops.scratch.add(scheme.tmpLink)
  await w.ops.rename(scheme.tmpLink, scheme.link)
  w.ops.scratch.clear()
  w.ops.publish('cert', 'key', 'bundle')
  await linkVisibleNames(w)
  if (old && old !== name) await removeOldDir(w, scheme, old, oldId)
  return 'written'
}
