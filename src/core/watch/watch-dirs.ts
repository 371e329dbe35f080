import {lstatSync, realpathSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

/**
 * Returns the directories the reference consumer watches (docs/rotation.md "Consumers", reference): the
 * SVID directory (as named and as resolved), each file's parent, and for every symlink
 * among the path components, the directory that holds the link (the grandparent for a
 * dir-symlink layout, the SVID dir itself for kubelet's links).
 */
export function watchDirs(dir: string, fileNames: string[]): string[] {
  const out = new Set<string>()
  const abs = resolve(dir)
  try {
    out.add(realpathSync(abs))
    out.add(abs)
  } catch {
    // the directory does not exist (yet): the nearest existing ancestor is watched below
  }
  for (const p of [abs, ...fileNames.map((f) => join(abs, f))]) {
    const parts = p.split('/').filter(Boolean)
    let prefix = ''
    for (const part of parts) {
      prefix += `/${part}`
      try {
        if (lstatSync(prefix).isSymbolicLink()) out.add(dirname(prefix))
      } catch {
        out.add(dirname(prefix))
        break
      }
    }
  }
  return [...out].sort()
}
