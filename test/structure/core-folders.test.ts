/**
 * The folders of src/core depend on each other in one direction only (STYLE: no import
 * cycles between core folders), in the layering order docs/design.md "Folder map" gives,
 * and core never imports oclif or the CLI. Read from the sources' import statements
 * (static `import`, `export ... from` and dynamic `import()`): structural, not run.
 */
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {allImportsOf, findCycle, importsOf, sources} from './source-graph.js'

const CORE = join(REPO, 'src', 'core')

/**
 * The layers of src/core, lowest first: a folder imports only folders of a lower layer
 * (never one of its own layer or above), and the files directly under src/core (errors,
 * clock, memo, arrays, escape) import no folder. `defects` sits above `svid` (the defect
 * catalogue is a layer over issuance); it need not exist for the rules to hold.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['time', 'spiffe-id', 'fs'],
  ['x509'],
  ['bundle', 'container'],
  ['verify'],
  ['jwt'],
  ['ca'],
  ['svid'],
  ['defects'],
  ['rotate', 'conformance', 'workload'],
  ['watch'],
  ['handshake'],
  ['inspect', 'race'],
]

/** Imports the issue names as rules of their own (they also follow from LAYERS): [from, to, why]. */
const NEVER: readonly [string, string, string][] = [
  ['x509', 'svid', 'certificates are read and built below issuance'],
  ['svid', 'defects', 'issuance knows no defect: the defect layer sits above it'],
]

const imports = (file: string) => importsOf(readFileSync(file, 'utf8'))

/** The core folder a file lies in ('' for files directly under src/core). */
const folderOf = (file: string) => {
  const parts = relative(CORE, file).split('/')
  return parts.length > 1 ? parts[0] : ''
}

/** Folder-to-folder imports: from folder → to folder → one example ("file imports file"). */
type Edges = Map<string, Map<string, string>>

function folderEdges(): Edges {
  const edges: Edges = new Map()
  for (const file of sources(CORE)) {
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
      const [from, to] = [folderOf(file), folderOf(target)]
      if (from === to || to === '') continue
      if (!edges.has(from)) edges.set(from, new Map())
      edges.get(from)!.set(to, `${relative(CORE, file)} imports ${relative(CORE, target)}`)
    }
  }
  return edges
}

const rankOf = new Map(LAYERS.flatMap((layer, rank) => layer.map((f) => [f, rank] as const)))

/** The imports that go up or sideways in LAYERS (or leave the files directly under src/core). */
function layerViolations(edges: Edges): string[] {
  const out: string[] = []
  for (const [from, targets] of edges) {
    for (const [to, why] of targets) {
      const [a, b] = [from === '' ? -1 : rankOf.get(from), rankOf.get(to)]
      if (a === undefined || b === undefined) continue // reported by the "every folder has a layer" test
      if (b >= a) out.push(`${from || 'src/core/*.ts'} → ${to}: ${why}`)
    }
  }
  return out
}

/** The imports NEVER forbids. */
function forbidden(edges: Edges): string[] {
  return NEVER.flatMap(([from, to, rule]) => {
    const why = edges.get(from)?.get(to)
    return why ? [`${from} never imports ${to} (${rule}): ${why}`] : []
  })
}

const folderGraph = (edges: Edges) => new Map([...edges].map(([from, targets]) => [from, [...targets.keys()]]))

const synthetic = (pairs: [string, string][]): Edges => {
  const e: Edges = new Map()
  for (const [a, b] of pairs) e.set(a, (e.get(a) ?? new Map()).set(b, `${a}/x.ts imports ${b}/y.ts`))
  return e
}

describe('src/core folders', () => {
  it('the import reader sees static, re-exported and dynamic imports, and skips the type-only ones (control)', () => {
    const text = [
      "import {a} from './a.js'",
      "import type {B} from './b.js'",
      "export {c} from '../c/c.js'",
      "export type {D} from '../d/d.js'",
      "import './side.js'",
      "const {e} = await import('../e/e.js')",
      "import('../f/f.js').then((m) => m.f)",
      "type G = typeof import('../g/g.js')",
      "let h: import('../h/h.js').H",
    ].join('\n')
    expect(importsOf(text).sort()).toEqual(['../c/c.js', '../e/e.js', '../f/f.js', './a.js', './side.js'])
    // A real dynamic import in the tree: inspect loads the TLS code only when it connects.
    expect(imports(join(CORE, 'inspect', 'targets.ts'))).toContain('../handshake/fetch-chain.js')
    expect(imports(join(CORE, 'handshake', 'verify-connect.ts'))).toContain('./fetch-chain.js')
  })

  it('have no import cycle between folders, static or dynamic', () => {
    const edges = folderEdges()
    // Control: the reader sees real dependencies (verify reads certificates), and the check finds a cycle of three.
    expect(edges.get('verify')?.has('x509')).toBe(true)
    const ring = folderGraph(
      synthetic([
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
      ]),
    )
    const line = folderGraph(
      synthetic([
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'c'],
      ]),
    )
    expect(findCycle(ring)).toEqual(['a', 'b', 'c', 'a'])
    expect(findCycle(line)).toBeUndefined()
    expect(findCycle(folderGraph(edges))).toBeUndefined()
  })

  it('every folder has a layer (add a new one to LAYERS and to the folder map in docs/design.md)', () => {
    const folders = readdirSync(CORE, {withFileTypes: true})
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
    expect(folders.filter((f) => !rankOf.has(f))).toEqual([])
    // Every layer is a real folder, except defects while it is being built.
    expect([...rankOf.keys()].filter((f) => f !== 'defects' && !existsSync(join(CORE, f)))).toEqual([])
  })

  it('import only folders of a lower layer', () => {
    // Control: an import up or sideways is found, one down is not.
    expect(
      layerViolations(
        synthetic([
          ['x509', 'verify'],
          ['bundle', 'container'],
          ['verify', 'x509'],
        ]),
      ),
    ).toHaveLength(2)
    expect(layerViolations(synthetic([['', 'x509']]))).toHaveLength(1)
    expect(layerViolations(folderEdges())).toEqual([])
  })

  it('x509 never imports svid; svid never imports defects', () => {
    // Control: the rules flag a synthetic edge of each kind (defects may not exist yet, so a
    // rule that never sees an edge would otherwise pass by construction).
    expect(
      forbidden(
        synthetic([
          ['x509', 'svid'],
          ['svid', 'defects'],
          ['defects', 'svid'],
        ]),
      ),
    ).toHaveLength(2)
    expect(forbidden(folderEdges())).toEqual([])
  })

  it('the dynamic import verify ⇄ handshake is gone: verify imports no higher folder, even lazily', () => {
    const edges = folderEdges()
    expect(edges.get('inspect')?.get('handshake')).toBeDefined()
    expect(edges.get('verify')?.has('handshake')).toBe(false)
  })

  it('import neither oclif nor src/cli', () => {
    const bad = sources(CORE).flatMap((f) =>
      imports(f)
        .filter(
          (s) =>
            s.startsWith('@oclif/') ||
            (s.startsWith('.') && resolve(dirname(f), s).startsWith(join(REPO, 'src', 'cli'))),
        )
        .map((s) => `${relative(CORE, f)}: ${s}`),
    )
    expect(bad).toEqual([])
  })
})

/**
 * Cycles between two files of one folder, found by the import graph (issue 21): the shared
 * type or helper moves into the lower module or a small one of its own. The one left is
 * race/local's report ⇄ race, which issue 21 §2 removes (allowed here until then, not required).
 */
const FILE_CYCLES_LEFT = new Set(['race/local/race.ts race/local/report.ts'])

describe('src/core files', () => {
  it('have no import cycle, type-only imports included', () => {
    const graph = new Map<string, string[]>()
    for (const file of sources(CORE)) {
      const from = relative(CORE, file)
      graph.set(
        from,
        allImportsOf(readFileSync(file, 'utf8')).map((s) =>
          relative(CORE, resolve(dirname(file), s.replace(/\.js$/, '.ts'))),
        ),
      )
    }
    // Control: type-only imports count (ca-checks.ts reads PathContext as a type only).
    expect(graph.get('verify/ca-checks.ts')).toContain('verify/path-context.ts')
    expect(allImportsOf("import type {A} from './a.js'\nlet b: import('./b.js').B")).toEqual(['./a.js', './b.js'])
    const cycles: string[] = []
    for (let c = findCycle(graph); c; c = findCycle(graph)) {
      const key = [...new Set(c)].sort().join(' ')
      if (!FILE_CYCLES_LEFT.has(key)) cycles.push(c.join(' → '))
      // Cut the cycle's last edge and look again, so every cycle is reported once.
      const [a, b] = c.slice(-2)
      graph.set(
        a,
        graph.get(a)!.filter((t) => t !== b),
      )
    }
    expect(cycles).toEqual([])
  })
})
