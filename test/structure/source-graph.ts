/**
 * Reading src/ as a graph of imports, for the structure tests (core-folders, race-core): the
 * source files of a folder, the modules a source names, and a cycle finder. Text only: nothing
 * is run.
 */
import {readdirSync} from 'node:fs'
import {join} from 'node:path'

/** The .ts files under `dir`, recursively. */
export function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/**
 * The module specifiers a source loads at run time: `import ... from`, `export ... from` and
 * `import '...'` (not `import type` / `export type`, which vanish), and dynamic `import('...')`
 * (not in a type position: `typeof import('x')` or `import('x').Name`, which vanish too).
 */
export function importsOf(text: string): string[] {
  const statics = [...text.matchAll(/^(?:import|export)(?!\s+type\b)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1])
  const bare = [...text.matchAll(/^import\s+'([^']+)'/gm)].map((m) => m[1])
  const dynamic = [...text.matchAll(/(typeof\s+)?\bimport\(\s*'([^']+)'\s*\)(\.[A-Za-z_$]+)?/g)]
    .filter((m) => !m[1] && (!m[3] || ['.then', '.catch', '.finally'].includes(m[3])))
    .map((m) => m[2])
  return [...statics, ...bare, ...dynamic]
}

/** Every relative module a source names, type-only imports included (a type cycle is a design cycle too). */
export function allImportsOf(text: string): string[] {
  const statics = [...text.matchAll(/^(?:import|export)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1])
  const dynamic = [...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1])
  return [...statics, ...dynamic].filter((s) => s.startsWith('.'))
}

/** One cycle of a graph, as the nodes along it, or undefined when there is none. */
export function findCycle(edges: ReadonlyMap<string, Iterable<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (f: string): string[] | undefined => {
    if (state.get(f) === 'open') return [...path.slice(path.indexOf(f)), f]
    if (state.get(f) === 'done') return undefined
    state.set(f, 'open')
    path.push(f)
    for (const to of edges.get(f) ?? []) {
      const c = visit(to)
      if (c) return c
    }
    path.pop()
    state.set(f, 'done')
    return undefined
  }
  for (const f of edges.keys()) {
    const c = visit(f)
    if (c) return c
  }
  return undefined
}
