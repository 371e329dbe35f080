/**
 * A fingerprint of a directory tree for "nothing outside the SVID directory changed":
 * every entry's type, mode, size and content hash (links by their target text, never
 * followed), excluding the given subtrees.
 */
import {createHash} from 'node:crypto'
import {lstatSync, readdirSync, readFileSync, readlinkSync} from 'node:fs'
import {join, relative, resolve} from 'node:path'

/** Returns one line per entry under `root` (sorted), skipping the paths in `exclude` and everything below them. */
export function fingerprint(root: string, exclude: string[] = []): string[] {
  const skip = new Set(exclude.map((p) => resolve(p)))
  const out: string[] = []
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e)
      if (skip.has(resolve(p))) continue
      const st = lstatSync(p)
      const rel = relative(root, p)
      const mode = (st.mode & 0o7777).toString(8)
      if (st.isSymbolicLink()) out.push(`${rel} link ${readlinkSync(p)}`)
      else if (st.isDirectory()) {
        out.push(`${rel} dir ${mode}`)
        walk(p, depth + 1)
      } else if (st.isFile()) out.push(`${rel} file ${mode} ${st.nlink} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`)
      else out.push(`${rel} other ${mode}`)
    }
  }
  walk(root, 0)
  return out
}

/** Returns the temporary and crash-leftover names under `dir` (recursively): none may remain after a run. */
export function leftovers(dir: string): string[] {
  return fingerprint(dir)
    .map((l) => l.split(' ')[0])
    .filter((p) => /(^|\/)\.[^/]+\.tmp[0-9a-f]{8}$|\.new$|(^|\/)\.\.data_tmp$|(^|\/)current\.tmp$|\.(new|old)-[0-9a-f]{8}$|kubelet-tmp$/.test(p))
}

/** Returns the key files under `dir` (recursively) whose mode gives group or others any access. */
export function exposedKeys(dir: string): string[] {
  return fingerprint(dir)
    .filter((l) => / file /.test(l))
    .filter((l) => /(key|credentials)[^/ ]*\.pem |tls\.key /.test(l))
    .filter((l) => Number.parseInt(l.split(' ')[2], 8) & 0o077)
}
