/**
 * A fingerprint of a directory tree for "nothing outside the SVID directory changed":
 * every entry's type, mode, size and content hash (links by their target text, never
 * followed), excluding the given subtrees.
 */
import {createHash} from 'node:crypto'
import {lstatSync, readdirSync, readFileSync, readlinkSync} from 'node:fs'
import {join, relative, resolve} from 'node:path'

/**
 * Returns one line per entry under `root` (sorted), skipping the paths in `exclude` and
 * everything below them. An entry that vanishes while it is read (another test's writer
 * renaming or removing it in a shared temp directory) is left out, as if read a moment later:
 * a comparison of two fingerprints still sees it as a difference.
 */
export function fingerprint(root: string, exclude: string[] = []): string[] {
  const skip = new Set(exclude.map((p) => resolve(p)))
  const out: string[] = []
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return
    // The root itself must exist: only what lies below it may vanish.
    const entries = depth === 0 ? readdirSync(dir).sort() : (gone(() => readdirSync(dir).sort()) ?? [])
    for (const e of entries) {
      const p = join(dir, e)
      if (skip.has(resolve(p))) continue
      const entry = gone(() => {
        const st = lstatSync(p)
        const rel = relative(root, p)
        const mode = (st.mode & 0o7777).toString(8)
        if (st.isSymbolicLink()) return {line: `${rel} link ${readlinkSync(p)}`, dir: false}
        if (st.isDirectory()) return {line: `${rel} dir ${mode}`, dir: true}
        if (st.isFile())
          return {
            line: `${rel} file ${mode} ${st.nlink} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`,
            dir: false,
          }
        return {line: `${rel} other ${mode}`, dir: false}
      })
      if (entry === undefined) continue
      out.push(entry.line)
      if (entry.dir) walk(p, depth + 1)
    }
  }
  walk(root, 0)
  return out
}

/** Returns `read()`, or undefined when what it reads no longer exists (ENOENT); other errors are thrown. */
function gone<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Returns the temporary and crash-leftover names under `dir` (recursively): none may remain after a run. */
export function leftovers(dir: string): string[] {
  return fingerprint(dir)
    .map((l) => l.split(' ')[0])
    .filter((p) =>
      /(^|\/)\.[^/]+\.tmp[0-9a-f]{8}$|\.new$|(^|\/)\.\.data_tmp$|(^|\/)current\.tmp$|\.(new|old)-[0-9a-f]{8}$|kubelet-tmp$/.test(
        p,
      ),
    )
}

/** Returns the key files under `dir` (recursively) whose mode gives group or others any access. */
export function exposedKeys(dir: string): string[] {
  return fingerprint(dir)
    .filter((l) => / file /.test(l))
    .filter((l) => /(key|credentials)[^/ ]*\.pem |tls\.key /.test(l))
    .filter((l) => Number.parseInt(l.split(' ')[2], 8) & 0o077)
}
