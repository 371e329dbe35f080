import {constants as C} from 'node:fs'
import {join} from 'node:path'
import {sleep} from '../ops.js'
import {afterFile} from './pacing.js'
import type {Writer} from './types.js'

/** `mv f f.old; create f` (controller-runtime certwatcher test "move out"). */
export const moveAway: Writer = async (w) => {
  for (const [i, f] of w.files.entries()) {
    const path = join(w.dir, f.name)
    await w.ops.holdOldFd(path)
    await w.ops.renameIfExists(path, `${path}.old`)
    w.ops.openWindow('absent', f.name)
    if (w.knobs.absentForMs > 0) await sleep(w.knobs.absentForMs)
    const fd = await w.ops.open(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL, f.mode)
    w.ops.closeWindow('absent', f.name)
    w.ops.openWindow('torn', f.name)
    await w.ops.write(fd, path, f.data, true)
    await w.ops.close(fd, path)
    w.ops.closeWindow('torn', f.name)
    w.ops.publish(...f.roles)
    if (!(await afterFile(w, i))) return 'aborted'
  }
  return 'written'
}
