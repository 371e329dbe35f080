/**
 * Defects are a layer above issuance (issue 21): src/core/svid never imports src/core/defects
 * (not even a type), and code outside core/defects reaches the catalogue through its public
 * modules (index.ts, list.ts for the listing, library.ts for src/index.ts), never its plans,
 * signer or check.
 * Structural: read from the sources' import statements, static and dynamic.
 */
import {readFileSync, readdirSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'

const SRC = join(REPO, 'src')
const DEFECTS = join(SRC, 'core', 'defects')
const PUBLIC = new Set([join(DEFECTS, 'index.ts'), join(DEFECTS, 'list.ts'), join(DEFECTS, 'library.ts')])

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Every relative module a file imports or re-exports (type-only too, and `import()`), as a .ts path. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [
    ...text.matchAll(/^(?:import|export)[^'";]*?from\s+'([^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1])
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')))
}

const inside = (file: string, dir: string) => file.startsWith(dir + '/')

describe('core/defects as a layer above core/svid', () => {
  it('core/svid imports nothing from core/defects', () => {
    const svid = join(SRC, 'core', 'svid')
    const bad = sources(svid).flatMap((f) =>
      importsOf(f)
        .filter((t) => inside(t, DEFECTS))
        .map((t) => `${relative(SRC, f)} imports ${relative(SRC, t)}`),
    )
    expect(bad).toEqual([])
    // Control: the reader sees the edge the other way (defects issue through svid's recipe seam).
    expect(importsOf(join(DEFECTS, 'recipe.ts')).some((t) => inside(t, svid))).toBe(true)
  })

  it('code outside core/defects uses only its public modules', () => {
    const users = sources(SRC).filter((f) => !inside(f, DEFECTS))
    const edges = users.flatMap((f) =>
      importsOf(f)
        .filter((t) => inside(t, DEFECTS))
        .map((t) => [f, t] as const),
    )
    // Control: the command and the Workload API server do ask core/defects for recipes.
    const from = new Set(edges.map(([f]) => relative(SRC, f)))
    expect(from).toContain('commands/issue.ts')
    expect(from).toContain('core/workload/material.ts')
    expect(
      edges.filter(([, t]) => !PUBLIC.has(t)).map(([f, t]) => `${relative(SRC, f)} imports ${relative(SRC, t)}`),
    ).toEqual([])
  })
})
