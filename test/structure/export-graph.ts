/**
 * Who imports which export: read from the sources with the TypeScript parser (syntax only, no
 * program, so it stays fast). Used by dead-exports.test.ts, which runs it on the repository and,
 * as a control, on a small synthetic tree.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import ts from 'typescript'

/** An export, as `file:name` with file relative to the root ('default' for a default export). */
export type ExportKey = `${string}:${string}`

/** Every name a module exports, and where its re-exports come from. */
interface ModuleExports {
  /** Names declared and exported here. */
  local: Set<string>
  /** Named re-exports: exported name -> [module, name there]. */
  named: Map<string, [string, string]>
  /** Modules re-exported with `export * from`. */
  star: string[]
}

/** The files under `dir` whose name ends with one of `exts`, relative to `root`. */
export function filesUnder(root: string, dir: string, exts: string[]): string[] {
  const abs = join(root, dir)
  if (!existsSync(abs)) return []
  return readdirSync(abs, {withFileTypes: true, recursive: true})
    .filter((e) => e.isFile() && exts.some((x) => e.name.endsWith(x)) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort()
}

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind)

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text]
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)))
}

/**
 * Reads the export graph of the TypeScript modules `sources` and the imports of the JavaScript
 * files `users` (bin/, scripts/, bench/), which reach src/ through dist/ (`../dist/x.js` is
 * src/x.ts). `aliases` maps a package name to the module a bundler puts in its place. All paths
 * are relative to `root`.
 */
export function readExportGraph(
  root: string,
  sources: string[],
  users: string[],
  aliases: Record<string, string> = {},
) {
  const exportsOf = new Map<string, ModuleExports>()
  /** Per module: how often each identifier is used other than where it is declared or exported. */
  const mentions = new Map<string, Map<string, number>>()
  /** Imports seen: [importing file, module, name or '*' for all of it]. */
  const imports: [string, string, string][] = []
  const known = new Set(sources)

  /** The source module a specifier names, or undefined for a package or a file outside `sources`. */
  function target(from: string, spec: string): string | undefined {
    if (Object.hasOwn(aliases, spec)) return aliases[spec]
    const anchored = spec.startsWith(ROOT)
    if (!anchored && !spec.startsWith('.')) return undefined
    let path = anchored ? spec.slice(ROOT.length) : relative(root, resolve(root, dirname(from), spec))
    // dist/ is tsc's output of src/; dist/bundle/ holds esbuild's bundles of the same modules.
    if (path.startsWith('dist/bundle/lite/')) path = `src/${path.slice('dist/bundle/lite/'.length)}`
    else if (path.startsWith('dist/bundle/')) path = `src/${path.slice('dist/bundle/'.length)}`
    else if (path.startsWith('dist/')) path = `src/${path.slice('dist/'.length)}`
    const ts = path.replace(/\.(js|cjs|mjs)$/, '.ts')
    return known.has(ts) ? ts : undefined
  }

  for (const file of [...sources, ...users]) {
    const text = readFileSync(join(root, file), 'utf8')
    const sf = ts.createSourceFile(
      file,
      text,
      ts.ScriptTarget.Latest,
      true,
      file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS,
    )
    const mine: ModuleExports = {local: new Set(), named: new Map(), star: []}
    const said = new Map<string, number>()
    if (known.has(file)) {
      exportsOf.set(file, mine)
      mentions.set(file, said)
    }
    const use = (spec: string, name: string) => {
      const t = target(file, spec)
      if (t !== undefined) imports.push([file, t, name])
    }

    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const spec = st.moduleSpecifier.text
        const clause = st.importClause
        if (clause === undefined) continue
        if (clause.name) use(spec, 'default')
        const b = clause.namedBindings
        if (b && ts.isNamespaceImport(b)) use(spec, '*')
        if (b && ts.isNamedImports(b)) for (const el of b.elements) use(spec, (el.propertyName ?? el.name).text)
      } else if (ts.isExportDeclaration(st)) {
        const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined
        const from = spec === undefined ? undefined : target(file, spec)
        if (st.exportClause === undefined) {
          if (from !== undefined) mine.star.push(from)
        } else if (ts.isNamespaceExport(st.exportClause)) {
          mine.local.add(st.exportClause.name.text)
          if (spec !== undefined) use(spec, '*')
        } else {
          for (const el of st.exportClause.elements) {
            const inner = (el.propertyName ?? el.name).text
            if (from !== undefined) mine.named.set(el.name.text, [from, inner])
            else if (spec === undefined) mine.local.add(el.name.text)
          }
        }
      } else if (ts.isExportAssignment(st)) {
        mine.local.add('default')
      } else if (hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
        if (hasModifier(st, ts.SyntaxKind.DefaultKeyword)) mine.local.add('default')
        else if (ts.isVariableStatement(st))
          for (const d of st.declarationList.declarations) for (const n of bindingNames(d.name)) mine.local.add(n)
        else if ('name' in st && st.name && ts.isIdentifier(st.name as ts.Node))
          mine.local.add((st.name as ts.Identifier).text)
      }
    }

    // import('x') anywhere: `const {a, b} = await import('x')` uses a and b, `import('x').T` in a
    // type uses T, any other shape uses the whole module; require('x') uses the whole module.
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && !isDeclarationName(node)) said.set(node.text, (said.get(node.text) ?? 0) + 1)
      if (
        ts.isImportTypeNode(node) &&
        ts.isLiteralTypeNode(node.argument) &&
        ts.isStringLiteral(node.argument.literal)
      ) {
        const q = node.qualifier
        use(node.argument.literal.text, q === undefined ? '*' : ts.isIdentifier(q) ? q.text : '*')
      } else if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
          (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
      ) {
        const spec = dynamicSpecifier(node.arguments[0])
        if (spec !== undefined) {
          const pattern = destructuredBy(node)
          if (pattern === undefined) use(spec, '*')
          else
            for (const el of pattern.elements)
              use(
                spec,
                (el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName : (el.name as ts.Identifier))
                  .text,
              )
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(sf)
  }
  return {exportsOf, imports, mentions}
}

/** Whether an identifier names what a declaration or an export clause declares (not a use of it). */
function isDeclarationName(id: ts.Identifier): boolean {
  const p = id.parent
  if (ts.isExportSpecifier(p) || ts.isImportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return true
  return (
    (ts.isFunctionDeclaration(p) ||
      ts.isClassDeclaration(p) ||
      ts.isInterfaceDeclaration(p) ||
      ts.isTypeAliasDeclaration(p) ||
      ts.isEnumDeclaration(p) ||
      ts.isVariableDeclaration(p) ||
      ts.isBindingElement(p)) &&
    p.name === id
  )
}

/** The prefix of a specifier anchored at the repository root (join(REPO, 'dist', ...)). */
const ROOT = '<root>/'

/**
 * A specifier given as a string, as join(DIST, 'core/x.js') (a path under dist/), or as
 * join(REPO, 'dist', 'core', 'x.js') (every part after the first a string: anchored at the root).
 */
function dynamicSpecifier(arg: ts.Expression | undefined): string | undefined {
  if (arg === undefined) return undefined
  if (ts.isStringLiteralLike(arg)) return arg.text
  if (ts.isCallExpression(arg) && ts.isIdentifier(arg.expression) && arg.expression.text === 'join') {
    const parts = arg.arguments.slice(1)
    if (parts.length > 1 && parts.every(ts.isStringLiteralLike) && parts[0].text === 'dist')
      return ROOT + parts.map((p) => p.text).join('/')
    const last = arg.arguments.at(-1)
    if (last && ts.isStringLiteralLike(last)) return `../dist/${last.text}`
  }
  return undefined
}

/** The `{a, b}` in `const {a, b} = await import(...)`, when the call has that shape. */
function destructuredBy(call: ts.CallExpression): ts.ObjectBindingPattern | undefined {
  const parent = ts.isAwaitExpression(call.parent) ? call.parent.parent : call.parent
  if (
    ts.isVariableDeclaration(parent) &&
    ts.isObjectBindingPattern(parent.name) &&
    parent.name.elements.every((e) => !e.dotDotDotToken && ts.isIdentifier(e.name))
  )
    return parent.name
  return undefined
}

/**
 * The exports no other module uses: an export is used when another module imports it, or
 * re-exports it under a name that is itself used. `roots` are exports used from outside
 * (the public API, what oclif loads by path): `file:name`, or `file:*` for all of a module's.
 */
export function deadExports(graph: ReturnType<typeof readExportGraph>, roots: string[]): ExportKey[] {
  const {exportsOf, imports} = graph
  /** All names a module exports, each with the [module, name] it comes from. */
  const namesCache = new Map<string, Map<string, [string, string]>>()
  function names(file: string, seen = new Set<string>()): Map<string, [string, string]> {
    const cached = namesCache.get(file)
    if (cached) return cached
    const m = exportsOf.get(file)
    const out = new Map<string, [string, string]>()
    if (m === undefined || seen.has(file)) return out
    seen.add(file)
    for (const s of m.star) for (const n of names(s, seen).keys()) if (n !== 'default') out.set(n, [s, n])
    for (const [n, from] of m.named) out.set(n, from)
    for (const n of m.local) out.set(n, [file, n])
    namesCache.set(file, out)
    return out
  }

  const used = new Set<ExportKey>()
  const mark = (file: string, name: string): void => {
    const key: ExportKey = `${file}:${name}`
    if (used.has(key)) return
    used.add(key)
    const via = names(file).get(name)
    // A re-export passes the use on to the module it comes from.
    if (via && via[0] !== file) mark(via[0], via[1])
  }
  const markAll = (file: string) => {
    for (const n of names(file).keys()) mark(file, n)
  }
  for (const r of roots) {
    const i = r.lastIndexOf(':')
    const [file, name] = [r.slice(0, i), r.slice(i + 1)]
    if (name === '*') markAll(file)
    else mark(file, name)
  }
  for (const [from, file, name] of imports) {
    if (from === file) continue
    if (name === '*') markAll(file)
    else mark(file, name)
  }
  const dead: ExportKey[] = []
  for (const file of exportsOf.keys())
    for (const n of names(file).keys()) if (!used.has(`${file}:${n}`)) dead.push(`${file}:${n}`)
  return dead.sort()
}

export interface DeadExportOptions {
  /** Modules whose every export is used from outside (the package's public entry points). */
  publicModules: string[]
  /** Further exports used from outside, as `file:name` or `file:*`. */
  roots?: string[]
  /** Package name -> the module a bundler puts in its place. */
  aliases?: Record<string, string>
}

/**
 * The dead exports of the TypeScript modules under `root`/src: exports that no other module of
 * src/ (or bin/, scripts/, bench/) imports and that are not public. An oclif command's default
 * export is loaded by path. An export that tests import counts as used only if its own module
 * uses it too (it is live code, exported for a unit test): one used by tests alone is dead code.
 */
export function findDeadExports(root: string, o: DeadExportOptions): ExportKey[] {
  const sources = filesUnder(root, 'src', ['.ts'])
  const users = ['bin', 'scripts', 'bench'].flatMap((d) => filesUnder(root, d, ['.js', '.cjs', '.mjs']))
  const commands = sources.filter((f) => f.startsWith('src/commands/')).map((f) => `${f}:default`)
  const tests = filesUnder(root, 'test', ['.ts'])
  const graph = readExportGraph(root, sources, [...users, ...tests], o.aliases)
  const isTest = (file: string) => file.startsWith('test/')
  const dead = deadExports({...graph, imports: graph.imports.filter(([from]) => !isTest(from))}, [
    ...o.publicModules.map((m) => `${m}:*`),
    ...commands,
    ...(o.roots ?? []),
  ])
  const fromTests = new Set(graph.imports.filter(([from]) => isTest(from)).map(([, file, name]) => `${file}:${name}`))
  return dead.filter((key) => {
    const i = key.lastIndexOf(':')
    const [file, name] = [key.slice(0, i), key.slice(i + 1)]
    const testsUse = fromTests.has(key) || fromTests.has(`${file}:*`)
    return !(testsUse && (graph.mentions.get(file)?.get(name) ?? 0) > 0)
  })
}
