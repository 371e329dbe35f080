import {existsSync, lstatSync} from 'node:fs'
import {join} from 'node:path'
import {isSameDir, type DirId} from '../../fs/remove-dir.js'
import {sleep} from '../../time/sleep.js'
import {stillOwned, type VersionScheme} from './owned.js'
import type {WriterInput} from './types.js'

/** Returns the identity of the version directory `name` as the link named it when the rotation started (undefined when absent). */
export function versionDirId(s: VersionScheme, name: string | undefined): DirId | undefined {
  if (!name) return undefined
  try {
    const st = lstatSync(join(s.parent, name))
    return st.isDirectory() ? {dev: st.dev, ino: st.ino} : undefined
  } catch {
    return undefined
  }
}

/**
 * Removes the previous version directory after a swap, honouring `--keep-old-dirs` and
 * `--cleanup-delay` (docs/rotation.md "Knobs": file watchers get no event, or a late one), and
 * only while it is provably the writer's own (checked again when the removal happens): the
 * same directory (device and inode) the link named when the rotation started, in the same
 * SVID directory, holding only the writer's files.
 */
export async function removeOldDir(
  w: WriterInput,
  s: VersionScheme,
  name: string,
  published: DirId | undefined,
): Promise<void> {
  if (w.knobs.keepOldDirs) return
  const names = w.files.map((f) => f.name)
  const path = join(s.parent, name)
  const remove = async () => {
    // A dangling link named a directory that is already gone: nothing to remove.
    if (!existsSync(path) && !isLink(path)) return
    if (!isSameDir(s.parent, s.parentId)) {
      w.ops.emit('error', {
        file: name,
        code: 'unsafe-dir',
        message: `left "${name}" in place: "${s.parent}" was replaced by another directory or a link`,
      })
      return
    }
    const id = stillOwned(s, name, names)
    if (id && published && id.dev === published.dev && id.ino === published.ino)
      await w.ops.rm(path, id, {path: s.parent, id: s.parentId})
    else
      w.ops.emit('error', {
        file: name,
        code: 'unsafe-link',
        message: `left "${name}" in place: it is no longer the version directory this writer created`,
      })
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
