import {constants as C, readdirSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {currentVersion, dirSymlinkScheme, removeLeftovers} from './owned.js'
import {removeOldDir, versionDirId} from './version-dirs.js'
import type {Writer} from './types.js'

function nextVersion(parent: string): number {
  let max = 0
  for (const e of readdirSync(parent)) {
    const m = /^v(\d+)$/.exec(e)
    if (m) max = Math.max(max, Number(m[1]))
  }
  return max + 1
}

/**
 * git-sync style layouts (envoy #10979): `--dir` is a symlink such as `certs/current`;
 * each rotation writes `certs/v<n>`, then swaps the link with symlink + rename and removes
 * the previous version (docs/rotation.md "Writer modes"), only when it is provably the writer's own.
 */
export const dirSymlink: Writer = async (w) => {
  const link = w.dir
  const parent = dirname(link)
  const scheme = dirSymlinkScheme(link, parent)
  // Proven before anything is written: `current -> .` or `-> ../victim` is refused here.
  currentVersion(scheme)
  const old = await w.ops.readlink(link)
  // The version dir the link names now: only this directory (device and inode) is removed after the swap.
  const oldId = versionDirId(scheme, old)
  await removeLeftovers(
    w,
    scheme,
    old,
    w.files.map((f) => f.name),
  )
  const version = `v${nextVersion(parent)}`
  const dir = join(parent, version)
  await w.ops.mkdir(dir, 0o755)
  w.ops.scratch.add(dir)
  for (const f of w.files) {
    const path = join(dir, f.name)
    const fd = await w.ops.open(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, f.mode)
    await w.ops.write(fd, path, f.data, false)
    await w.ops.close(fd, path)
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
  for (const f of w.files) await w.ops.holdOldFd(join(link, f.name))
  await w.ops.symlink(version, scheme.tmpLink)
  w.ops.scratch.add(scheme.tmpLink)
  await w.ops.rename(scheme.tmpLink, link)
  w.ops.scratch.clear()
  w.ops.publish('cert', 'key', 'bundle')
  if (old && old !== version) await removeOldDir(w, scheme, old, oldId)
  return 'written'
}
