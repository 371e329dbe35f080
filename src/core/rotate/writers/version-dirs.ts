import {sleep} from '../ops.js'
import type {WriterInput} from './types.js'

/**
 * Removes the previous version directory after a swap, honouring `--keep-old-dirs` and
 * `--cleanup-delay` (rotation.md §1.1: file watchers get no event, or a late one).
 */
export async function removeOldDir(w: WriterInput, path: string): Promise<void> {
  if (w.knobs.keepOldDirs) return
  if (w.knobs.cleanupDelayMs > 0) {
    w.ops.pending.push(sleep(w.knobs.cleanupDelayMs).then(() => w.ops.rm(path)))
    return
  }
  await w.ops.rm(path)
}
