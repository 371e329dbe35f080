import {constants as C} from 'node:fs'
import {join} from 'node:path'
import {sleep} from '../ops.js'
import {afterFile} from './pacing.js'
import type {Writer} from './types.js'

/**
 * spiffe/spiffe-helper `pkg/disk/x509.go` (Go `os.WriteFile`): for each file in order,
 * open with O_TRUNC (the file is 0 bytes from here), write, close. No temp file, fsync,
 * chmod or rename; the mode only applies when the file is created (rotation.md §1).
 */
export const spiffeHelper: Writer = async (w) => {
  for (const [i, f] of w.files.entries()) {
    const path = join(w.dir, f.name)
    const fd = await w.ops.open(path, C.O_WRONLY | C.O_CREAT | C.O_TRUNC, f.mode)
    w.ops.openWindow('torn', f.name)
    if (w.knobs.truncateHoldMs > 0) await sleep(w.knobs.truncateHoldMs)
    await w.ops.write(fd, path, f.data, true)
    await w.ops.close(fd, path)
    w.ops.closeWindow('torn', f.name)
    w.ops.publish(...f.roles)
    if (!(await afterFile(w, i))) return 'aborted'
  }
  return 'written'
}
