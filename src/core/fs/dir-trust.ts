import {realpathSync, statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {SvidkitError} from '../errors.js'

/** The flag that lets a writer work in a directory other users can write (docs/security.md). */
const ALLOW_SHARED_DIR_FLAG = '--insecure-allow-shared-dir'

/** Returns the real path of `path`, or of its nearest existing ancestor when it does not exist yet. */
function nearestReal(path: string): string {
  let p = resolve(path)
  for (;;) {
    try {
      return realpathSync(p)
    } catch {
      const up = dirname(p)
      if (up === p) return p
      p = up
    }
  }
}

/** Returns why another user than the invoking one (or root) can write `dir`, or undefined. */
function sharedBecause(dir: string, uid: number): string | undefined {
  const st = statSync(dir)
  if (st.uid !== uid && st.uid !== 0) return `it belongs to uid ${st.uid}`
  // A sticky directory (/tmp) lets others create entries but not rename or remove ours.
  if (st.mode & 0o1000) return undefined
  if (st.mode & 0o002) return `it is writable by all users (mode 0${(st.mode & 0o7777).toString(8)})`
  if (st.mode & 0o020) return `it is writable by its group ${st.gid} (mode 0${(st.mode & 0o7777).toString(8)})`
  return undefined
}

/**
 * Refuses (exit 3, `unsafe-dir`) to write in `dir` when another user than the invoking one
 * or root can write it, or any directory above it up to `/` (OpenSSH's StrictModes): such
 * a user could swap a directory for a symlink between svidkit's check and its change,
 * and svidkit has no *at() calls to pin one. A root-owned sticky directory such as /tmp is
 * fine (others cannot rename what is not theirs); so is every directory under it that is
 * ours. A `dir` that does not exist yet is judged by its nearest existing ancestor. Links
 * are resolved first: the directories checked are the ones the writer really changes.
 * `allowShared` (the loudly named flag) skips the check.
 */
export function checkDirTrusted(dir: string, opts: {allowShared?: boolean; uid?: number} = {}): void {
  if (opts.allowShared) return
  const uid = opts.uid ?? process.geteuid?.() ?? 0
  let d = nearestReal(dir)
  for (;;) {
    const why = sharedBecause(d, uid)
    if (why) {
      const where = d === resolve(dir) ? '' : `"${d}" above it is not safe: `
      throw new SvidkitError('unsafe-dir', `refusing to write in "${dir}": ${where}${why}`, {
        path: d,
        hint: `make it writable only by you or root (chmod go-w, chown), or pass ${ALLOW_SHARED_DIR_FLAG} if every user who can write it is trusted`,
      })
    }
    const up = dirname(d)
    if (up === d) return
    d = up
  }
}
