import {existsSync, lstatSync} from 'node:fs'
import {sleep} from '../ops.js'
import {stillOwned, type VersionScheme} from './owned.js'
import type {WriterInput} from './types.js'

/**
 * Removes the previous version directory after a swap, honouring `--keep-old-dirs` and
 * `--cleanup-delay` (docs/rotation.md "Knobs": file watchers get no event, or a late one), and
 * only while it is provably the writer's own (checked again when the removal happens).
 */
export async function removeOldDir(w: WriterInput, s: VersionScheme, name: string): Promise<void> {
  if (w.knobs.keepOldDirs) return
  const names = w.files.map((f) => f.name)
  const remove = async () => {
    // A dangling link named a directory that is already gone: nothing to remove.
    if (!existsSync(`${s.parent}/${name}`) && !isLink(`${s.parent}/${name}`)) return
    if (stillOwned(s, name, names)) await w.ops.rm(`${s.parent}/${name}`)
    else w.ops.emit('error', {file: name, code: 'unsafe-link', message: `left "${name}" in place: it is no longer a version directory this writer created`})
  }
  if (w.knobs.cleanupDelayMs > 0) {
    w.ops.pending.push(sleep(w.knobs.cleanupDelayMs, w.ops.ctx.abort).then(remove))
    return
  }
  await remove()
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}
