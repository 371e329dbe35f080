import {existsSync, lstatSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {SvidkitError} from '../errors.js'
import type {SvidFileNames} from '../svid/layout.js'
import type {WriterMode} from './writers/index.js'

function refuse(dir: string, why: string): never {
  throw new SvidkitError('output-exists', `refusing to rotate "${dir}": ${why}`, {
    path: dir,
    hint: 'point --dir at an SVID directory of that layout (or a new path), or pass --force',
  })
}

/**
 * Refuses directories that are not SVID layouts the writer mode could have produced
 * (so a rotation never leaves a state its writer could not produce), unless `force`.
 */
export function checkRotateTarget(dir: string, mode: WriterMode, names: SvidFileNames, force: boolean): void {
  if (force) return
  let st
  try {
    st = lstatSync(dir)
  } catch {
    return // created in the chosen layout
  }
  if (mode === 'dir-symlink') {
    if (!st.isSymbolicLink()) refuse(dir, 'dir-symlink mode needs --dir to be a symlink (e.g. certs/current) or not to exist yet')
    return
  }
  if (!st.isDirectory()) refuse(dir, 'it is not a directory')
  const entries = readdirSync(dir)
  if (entries.length === 0) return
  const kubeletDir = entries.includes('..data')
  if (mode === 'kubelet') {
    const plain = [names.cert, names.key, names.bundle].find((n) => existsSync(join(dir, n)) && !lstatSync(join(dir, n)).isSymbolicLink())
    if (plain) refuse(dir, `"${plain}" is a regular file, which the kubelet writer never produces (its names are symlinks through ..data)`)
    if (!kubeletDir && entries.some((e) => [names.cert, names.key, names.bundle].includes(e))) refuse(dir, 'it has no ..data link')
    if (!kubeletDir && !entries.some((e) => [names.cert, names.key, names.bundle].includes(e))) refuse(dir, 'it is not empty and holds no SVID files')
    return
  }
  if (kubeletDir)
    refuse(dir, `it is a kubelet (..data) directory; writing through its links with ${mode} would produce a state kubelet never does: use --mode kubelet`)
  if (!entries.includes(names.cert)) refuse(dir, `it is not empty and has no "${names.cert}" (not an SVID directory of this layout)`)
}
