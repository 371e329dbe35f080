import {join} from 'node:path'
import {afterFile} from './pacing.js'
import type {Writer} from './types.js'
import {replaceAbsent} from './visible.js'

/** `mv f f.old; create f` (controller-runtime certwatcher test "move out"). */
export const moveAway: Writer = async (w) => {
  for (const [i, f] of w.files.entries()) {
    const path = join(w.dir, f.name)
    await replaceAbsent(w, f, path, () => w.ops.renameIfExists(path, `${path}.old`))
    if (!(await afterFile(w, i))) return 'aborted'
  }
  return 'written'
}
