/**
 * The folders of src/core depend on each other in one direction only (STYLE: no import
 * cycles between core folders), and core never imports oclif or the CLI. Read from the
 * sources' import statements: structural, not run.
 */
import {readFileSync, readdirSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'

const CORE = join(REPO, 'src', 'core')

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Value imports (type-only imports vanish at run time) as [from file, specifier]. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/^(import|export)(?!\s+type\b)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[2])
}

/** The core folder a file lies in ('' for files directly under src/core). */
const folderOf = (file: string) => {
  const parts = relative(CORE, file).split('/')
  return parts.length > 1 ? parts[0] : ''
}

function folderEdges(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>()
  for (const file of sources(CORE)) {
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
      const [from, to] = [folderOf(file), folderOf(target)]
      if (from === to || from === '' || to === '') continue
      if (!edges.has(from)) edges.set(from, new Map())
      edges.get(from)!.set(to, `${relative(CORE, file)} imports ${relative(CORE, target)}`)
    }
  }
  return edges
}

describe('src/core folders', () => {
  it('have no import cycle between two folders', () => {
    const edges = folderEdges()
    // Control: the reader sees real dependencies (verify reads certificates).
    expect(edges.get('verify')?.has('x509')).toBe(true)
    const cycles: string[] = []
    for (const [a, targets] of edges) for (const [b, why] of targets) if (a < b && edges.get(b)?.has(a)) cycles.push(`${why}; ${edges.get(b)!.get(a)}`)
    expect(cycles).toEqual([])
  })

  it('import neither oclif nor src/cli', () => {
    const bad = sources(CORE).flatMap((f) =>
      imports(f)
        .filter((s) => s.startsWith('@oclif/') || (s.startsWith('.') && resolve(dirname(f), s).startsWith(join(REPO, 'src', 'cli'))))
        .map((s) => `${relative(CORE, f)}: ${s}`),
    )
    expect(bad).toEqual([])
  })
})
