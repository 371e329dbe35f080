import {existsSync, lstatSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {SvidkitError} from '../errors.js'
import {fileNames, LAYOUTS, type LayoutName, type SvidFileNames} from '../fs/layout.js'
import type {WriterMode} from './writers/index.js'

function refuse(
  dir: string,
  why: string,
  hint = 'point --dir at an SVID directory of that layout (or a new path), or pass --force',
): never {
  throw new SvidkitError('output-exists', `refusing to rotate "${dir}": ${why}`, {path: dir, hint})
}

/** Returns the layout whose files the directory holds (other than `names`), if any. */
function otherLayout(entries: string[], names: SvidFileNames): {layout: LayoutName; files: string[]} | undefined {
  for (const layout of Object.keys(LAYOUTS) as LayoutName[]) {
    const n = fileNames(layout)
    const files = [...new Set([n.cert, n.key, n.bundle])].filter((f) => entries.includes(f))
    if (files.length > 0 && files.includes(n.cert) && n.cert !== names.cert) return {layout, files}
  }
  return undefined
}

/**
 * Refuses directories that are not SVID layouts the writer mode could have produced
 * (so a rotation never leaves a state its writer could not produce), unless `force`;
 * the message says what the directory holds. A plain directory is never turned into a
 * dir-symlink layout, even with `force` (readers hold paths inside it).
 */
export function checkRotateTarget(dir: string, mode: WriterMode, names: SvidFileNames, force: boolean): void {
  let st
  try {
    st = lstatSync(dir)
  } catch {
    return // created in the chosen layout
  }
  if (mode === 'dir-symlink') {
    if (st.isSymbolicLink()) return
    refuse(
      dir,
      `it is a ${st.isDirectory() ? 'directory' : 'file'}, but --mode dir-symlink swaps a symlink (such as certs/current -> v1)`,
      `point --dir at a path that does not exist yet (e.g. "${dir}-current") or at a link made by dir-symlink; --force cannot convert a directory into a link`,
    )
  }
  if (force) return
  if (!st.isDirectory()) refuse(dir, 'it is a file, not a directory')
  const entries = readdirSync(dir)
  if (entries.length === 0) return
  const kubeletDir = entries.includes('..data')
  const ours = [names.cert, names.key, names.bundle].filter((n) => entries.includes(n))
  if (mode === 'kubelet') {
    const plain = ours.find((n) => existsSync(join(dir, n)) && !lstatSync(join(dir, n)).isSymbolicLink())
    if (plain) {
      refuse(
        dir,
        `"${plain}" is a plain file, not a link through ..data as the kubelet layout has`,
        'pass --force to convert it: each name becomes a link through ..data to the new SVID',
      )
    }
    if (!kubeletDir && ours.length > 0) refuse(dir, 'it has no ..data link')
    if (!kubeletDir) {
      const other = otherLayout(entries, names)
      if (other) {
        refuse(
          dir,
          `it holds ${other.layout}-layout files (${other.files.join(', ')}), but --mode kubelet writes ${names.cert} by default`,
          `to convert it to the kubelet layout pass --layout ${other.layout} --force (the visible names become links to the new SVID)`,
        )
      }
      refuse(
        dir,
        `it is not empty and holds no SVID files (looked for ${[names.cert, names.key, names.bundle].join(', ')})`,
      )
    }
    return
  }
  if (kubeletDir)
    refuse(
      dir,
      `it is a kubelet (..data) directory; writing through its links with ${mode} would produce a state kubelet never does: use --mode kubelet`,
    )
  // Any file of the set will do: a writer killed between unlink and create leaves the others.
  if (ours.length === 0) {
    const other = otherLayout(entries, names)
    if (other)
      refuse(
        dir,
        `it holds ${other.layout}-layout files (${other.files.join(', ')}), not "${names.cert}"`,
        `pass --layout ${other.layout} to rotate it in its own layout`,
      )
    refuse(dir, `it is not empty and has no "${names.cert}" (not an SVID directory of this layout)`)
  }
}
