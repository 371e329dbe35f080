import {join} from 'node:path'
import {afterFile} from './pacing.js'
import type {Writer} from './types.js'
import {replaceAbsent} from './visible.js'

/** rm + create scripts (controller-runtime PR #3020): unlink, the name is absent, create, write, close. */
export const unlinkCreate: Writer = async (w) => {
  for (const [i, f] of w.files.entries()) {
    const path = join(w.dir, f.name)
    await replaceAbsent(w, f, path, () => w.ops.unlink(path, true))
    if (!(await afterFile(w, i))) return 'aborted'
  }
  return 'written'
}
