import {constants as C} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {join} from 'node:path'
import {removeStaleTemps} from '../../fs/atomic-write.js'
import {afterFile} from './pacing.js'
import type {SetFile, Writer, WriterInput} from './types.js'

/** Writes one file by temp + fsync + rename (openshift/library-go PR #1103 and others). */
async function writeAtomically(w: WriterInput, f: SetFile): Promise<void> {
  const path = join(w.dir, f.name)
  await w.ops.holdOldFd(path)
  const tmp = join(w.dir, `.${f.name}.tmp${randomBytes(4).toString('hex')}`)
  const fd = await w.ops.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600)
  w.ops.scratch.add(tmp)
  await w.ops.write(fd, tmp, f.data, false)
  await w.ops.fchmod(fd, tmp, f.mode)
  await w.ops.fsync(fd, tmp)
  await w.ops.close(fd, tmp)
  await w.ops.rename(tmp, path)
  w.ops.scratch.delete(tmp)
  w.ops.publish(...f.roles)
}

/** atomic-rename: each file atomically, one after the other (atomic per file, not per set). */
export const atomicRename: Writer = async (w) => {
  if (w.ops.ctx.rotation === 1) {
    for (const e of removeStaleTemps(
      w.dir,
      w.files.map((f) => f.name),
    ))
      w.ops.emit('recover', {file: e, message: 'removed a temporary file left by a crashed run'})
  }
  for (const [i, f] of w.files.entries()) {
    await writeAtomically(w, f)
    if (!(await afterFile(w, i))) return 'aborted'
  }
  return 'written'
}
