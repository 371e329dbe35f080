import {lstatSync, readdirSync, readlinkSync} from 'node:fs'
import {basename, join} from 'node:path'
import {SvidkitError} from '../../errors.js'
import {dirId, isSameDir, type DirId} from '../../fs/remove-dir.js'
import type {WriterInput} from './types.js'

/**
 * What a versioned writer owns (docs/security.md "Hostile directory contents"): a link
 * (`..data`, `current`) naming a version directory, the version directories of its own
 * name form, and its temporary link. A writer removes only what it can prove it created.
 */
export interface VersionScheme {
  /** Directory holding the link and the version directories. */
  parent: string
  /** The link readers go through. */
  link: string
  /** The temporary link renamed over `link`. */
  tmpLink: string
  /** The name form of a version directory (a single path component). */
  pattern: RegExp
  /** `parent` as it was when the rotation started: nothing is removed in it once it is another directory. */
  parentId: DirId
}

/** The kubelet scheme: `..data` → `..<yyyy_mm_dd_hh_mm_ss>.<n>` (kubernetes atomic_writer.go). */
export function kubeletScheme(dir: string): VersionScheme {
  return {
    parent: dir,
    link: join(dir, '..data'),
    tmpLink: join(dir, '..data_tmp'),
    pattern: /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/,
    parentId: dirId(dir),
  }
}

/** The dir-symlink scheme: `current` → `v<n>` beside it. */
export function dirSymlinkScheme(link: string, parent: string): VersionScheme {
  return {parent, link, tmpLink: join(parent, `${basename(link)}.tmp`), pattern: /^v\d+$/, parentId: dirId(parent)}
}

function unsafe(link: string, target: string, why: string): SvidkitError {
  return new SvidkitError('unsafe-link', `refusing to rotate: "${link}" points to "${target}", ${why}`, {path: link})
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path)
  } catch {
    return undefined
  }
}

/**
 * Returns the identity of `path` when it is a real directory (never a link) holding only
 * regular files, all named in `names`, and still the same directory after the listing;
 * undefined otherwise.
 */
function ownedVersionDir(path: string, names: string[]): DirId | undefined {
  const st = lstatOrUndefined(path)
  if (!st?.isDirectory()) return undefined
  const id = {dev: Number(st.dev), ino: Number(st.ino)}
  try {
    const ok = readdirSync(path).every((e) => names.includes(e) && lstatOrUndefined(join(path, e))?.isFile())
    return ok && isSameDir(path, id) ? id : undefined
  } catch {
    return undefined
  }
}

/**
 * Returns the version directory the link names (undefined when there is no link yet),
 * after proving it is the writer's own: a link whose target is one path component of the
 * writer's name form, naming a real directory (not a link) directly in `parent`, or
 * nothing at all (a dangling link is replaced, nothing is removed). Throws `unsafe-link`
 * (exit 3) with the link and its target otherwise, before anything is written.
 */
export function currentVersion(s: VersionScheme): string | undefined {
  const st = lstatOrUndefined(s.link)
  if (!st) return undefined
  if (!st.isSymbolicLink()) {
    throw new SvidkitError(
      'unsafe-link',
      `refusing to rotate: "${s.link}" is a ${st.isDirectory() ? 'directory' : 'file'}, not the link this writer swaps`,
      {
        path: s.link,
        hint: 'point --dir at a directory this writer made (or a new path); svidkit does not remove what it did not create',
      },
    )
  }
  const target = readlinkSync(s.link)
  if (target.includes('/') || !s.pattern.test(target)) {
    throw unsafe(s.link, target, 'which is not a version directory this writer creates (it only removes those)')
  }
  const t = lstatOrUndefined(join(s.parent, target))
  if (t && !t.isDirectory())
    throw unsafe(s.link, target, `which is a ${t.isSymbolicLink() ? 'symlink' : 'file'}, not a version directory`)
  return target
}

/**
 * Recovers from a crashed earlier run (issue: leftovers must not block the next one):
 * removes the temporary link when it is a link to a name of the writer's form, and, unless
 * old version dirs are kept on purpose, version dirs other than the current one that are
 * provably the writer's. A temporary link that is anything else is refused.
 */
export async function removeLeftovers(
  w: WriterInput,
  s: VersionScheme,
  current: string | undefined,
  names: string[],
): Promise<void> {
  const tmp = lstatOrUndefined(s.tmpLink)
  if (tmp) {
    const target = tmp.isSymbolicLink() ? readlinkSync(s.tmpLink) : ''
    if (!tmp.isSymbolicLink() || target.includes('/') || !s.pattern.test(target)) {
      throw new SvidkitError(
        'unsafe-link',
        `refusing to rotate: "${s.tmpLink}" is in the way and is not a link this writer left (${tmp.isSymbolicLink() ? `→ "${target}"` : 'not a link'})`,
        {
          path: s.tmpLink,
          hint: 'remove it by hand if it is stale, then rerun',
        },
      )
    }
    w.ops.emit('recover', {
      file: basename(s.tmpLink),
      message: `removing the temporary link a crashed run left (→ ${target})`,
    })
    await w.ops.unlink(s.tmpLink, true)
  }
  if (w.knobs.keepOldDirs || w.ops.ctx.rotation !== 1) return
  for (const e of readdirSync(s.parent)) {
    const id = e === current || !s.pattern.test(e) ? undefined : ownedVersionDir(join(s.parent, e), names)
    if (!id) continue
    w.ops.emit('recover', {file: e, message: 'removing a version directory no link names (left by a crashed run)'})
    await w.ops.rm(join(s.parent, e), id, {path: s.parent, id: s.parentId})
  }
}

/** Returns the identity of the previous version dir while it is still the writer's own (checked at removal time), else undefined. */
export function stillOwned(s: VersionScheme, name: string, names: string[]): DirId | undefined {
  if (!s.pattern.test(name) || name.includes('/')) return undefined
  return ownedVersionDir(join(s.parent, name), names)
}
