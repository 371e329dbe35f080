/**
 * Finds the types a package's public signatures use that the package does not export: a
 * consumer can see them (hover, errors) but cannot name them, so it cannot declare a
 * variable or write a wrapper of that type. Walks the built declaration files with the
 * TypeScript compiler API, starting from every export of the entry point.
 */
import path from 'node:path'
import ts from 'typescript'

/** A type used by the public API but not exported, and one place that uses it. */
export interface MissingExport {
  name: string
  /** The declaration file (relative to the package) declaring it. */
  declaredIn: string
  /** The exported (or reachable) declaration whose signature mentions it. */
  usedBy: string
}

function isPrivate(node: ts.Node): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined
  return (
    (mods ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword) ||
    ((ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) && ts.isPrivateIdentifier(node.name))
  )
}

/** Returns the non-exported types reachable from the exports of `entry` (a .d.ts file under `root`). */
export function missingExports(root: string, entry: string): MissingExport[] {
  const program = ts.createProgram([entry], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(entry)
  if (!source) throw new Error(`cannot load ${entry}`)
  const moduleSymbol = checker.getSymbolAtLocation(source)
  if (!moduleSymbol) throw new Error(`${entry} is not a module`)
  const resolve = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s)
  const inPackage = (d: ts.Declaration) => {
    const file = d.getSourceFile().fileName
    return file.startsWith(root + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`)
  }

  const exported = new Set<ts.Symbol>(checker.getExportsOfModule(moduleSymbol).map(resolve))
  const seen = new Set<ts.Symbol>()
  const missing = new Map<ts.Symbol, MissingExport>()
  const queue: {symbol: ts.Symbol; name: string}[] = [...exported].map((symbol) => ({symbol, name: symbol.getName()}))

  const visit = (node: ts.Node, owner: string): void => {
    if (isPrivate(node)) return
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
      const at = ts.isTypeReferenceNode(node) ? node.typeName : node.expression
      const target = checker.getSymbolAtLocation(at)
      if (target) {
        const symbol = resolve(target)
        const decl = symbol.declarations?.[0]
        if (decl && inPackage(decl) && !(symbol.flags & ts.SymbolFlags.TypeParameter)) {
          if (!exported.has(symbol) && !missing.has(symbol))
            missing.set(symbol, {
              name: symbol.getName(),
              declaredIn: path.relative(root, decl.getSourceFile().fileName),
              usedBy: owner,
            })
          if (!seen.has(symbol)) queue.push({symbol, name: symbol.getName()})
        }
      }
    }
    // Function bodies are not in declaration files; initialisers of consts are types there too.
    ts.forEachChild(node, (child) => visit(child, owner))
  }

  while (queue.length > 0) {
    const {symbol, name} = queue.shift()!
    if (seen.has(symbol)) continue
    seen.add(symbol)
    for (const decl of symbol.declarations ?? []) if (inPackage(decl)) visit(decl, name)
  }
  return [...missing.values()].sort((a, b) => a.name.localeCompare(b.name))
}
