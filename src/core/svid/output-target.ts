import {existsSync, lstatSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {SvidkitError, usageError} from '../errors.js'
import {LAYOUTS} from '../fs/layout.js'
import {K8S_SECRET_FILE} from './k8s-secret.js'

/** The file `--format pkcs12` writes beside the bundle. */
export const PKCS12_FILE = 'svid.p12'

/** Every file name an `issue` output can have, in any layout or format. */
const KNOWN = new Set<string>([
  ...Object.values(LAYOUTS).flatMap((l) => [l.cert, l.key, l.bundle]),
  K8S_SECRET_FILE,
  PKCS12_FILE,
])

/** The metadata file that marks a CA directory (ca/store.ts). */
const CA_MARKER = 'ca.json'

const present = (path: string) => {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

/**
 * Returns whether `dir` is new ('fresh': nothing to replace) or holds an SVID that `force`
 * allows replacing ('replace'). Throws `output-exists` (exit 3) when the directory is a CA
 * directory (never written, even with force), already holds SVID files and force is not
 * set, or holds files of another layout than `names` (writing would mix two layouts).
 * Throws `output-not-writable` when `dir` is a file.
 */
export function checkOutputDir(dir: string, names: string[], force: boolean): 'fresh' | 'replace' {
  // "" would be checked as a missing path and written as the current directory.
  if (dir === '')
    throw usageError(
      'the output directory "" is empty: it must name a path',
      'give a directory, e.g. --out svid; an unset shell variable ("$DIR") expands to an empty value',
    )
  // Checked as the directory the files will be written into: join() normalises "missing/.." to ".", so the check must too.
  const abs = resolve(dir)
  if (!existsSync(abs)) return 'fresh'
  if (!statSync(abs).isDirectory()) {
    throw new SvidkitError('output-not-writable', `"${dir}" is a file, not a directory`, {
      path: dir,
      hint: 'point --out at a directory (it is created if missing)',
    })
  }
  if (present(join(abs, CA_MARKER))) {
    throw new SvidkitError(
      'output-exists',
      `"${dir}" is a CA directory (it holds ${CA_MARKER}): issue never writes into it`,
      {
        path: dir,
        hint: 'write the SVID to its own directory, e.g. --out svid',
      },
    )
  }
  const existing = [...new Set([...KNOWN, ...names])].filter((n) => present(join(abs, n))).sort()
  if (existing.length === 0) return 'fresh'
  if (!force) {
    throw new SvidkitError('output-exists', `"${dir}" already holds an SVID (${existing.join(', ')})`, {
      path: dir,
      hint: 'use --force to replace it, or choose another --out directory',
    })
  }
  const foreign = existing.filter((n) => !names.includes(n))
  if (foreign.length > 0) {
    throw new SvidkitError(
      'output-exists',
      `"${dir}" holds ${foreign.join(', ')} of another layout: writing ${names.join(', ')} would mix two layouts`,
      {
        path: dir,
        hint: 'remove the old files or choose another --out directory (--force replaces an SVID of the same layout only)',
      },
    )
  }
  return 'replace'
}
