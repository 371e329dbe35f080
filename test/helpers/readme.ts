/** The README's first code block: its first line is the main job CI runs (.ci/run), its second `npm test`. */
import {readFileSync} from 'node:fs'
import path from 'node:path'

const REPO_ROOT = path.resolve(import.meta.dirname, '../..')

/** Returns the lines of the README's first fenced code block. */
export function readmeFirstBlock(readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')): string[] {
  const lines = readme.split('\n')
  const open = lines.findIndex((l) => l.startsWith('```'))
  if (open < 0) return []
  const close = lines.findIndex((l, i) => i > open && l.startsWith('```'))
  return lines.slice(open + 1, close < 0 ? undefined : close)
}

/** The README's main-job line. */
export function readmeMainJob(): string {
  return readmeFirstBlock()[0] ?? ''
}
