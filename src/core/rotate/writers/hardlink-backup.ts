import {constants as C} from 'node:fs'
import {join} from 'node:path'
import {afterFile} from './pacing.js'
import type {Writer} from './types.js'

/** `ln f f.old; mv f.new f` (controller-runtime PR #2893): the old inode lives on as the backup. */
export const hardlinkBackup: Writer = async (w) => {
  for (const [i, f] of w.files.entries()) {
    const path = join(w.dir, f.name)
    await w.ops.holdOldFd(path)
    // link() fails on an existing target: remove the previous backup first.
    await w.ops.unlink(`${path}.old`, true)
    // A leftover or planted `.new` is unlinked (never followed) and the file created anew.
    await w.ops.unlink(`${path}.new`, true)
    const fd = await w.ops.open(`${path}.new`, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, f.mode)
    w.ops.scratch.add(`${path}.new`)
    await w.ops.write(fd, `${path}.new`, f.data, false)
    await w.ops.close(fd, `${path}.new`)
    await w.ops.link(path, `${path}.old`, true)
    await w.ops.rename(`${path}.new`, path)
    w.ops.scratch.delete(`${path}.new`)
    w.ops.publish(...f.roles)
    if (!(await afterFile(w, i))) return 'aborted'
  }
  return 'written'
}
