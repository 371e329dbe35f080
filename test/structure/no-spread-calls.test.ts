/**
 * No array is spread into a call anywhere in src (issue 17 item 9): `f(...items)` puts every
 * element on the stack, and a JWKS of 130,000 keys overflowed it in `warnings.push(...)`
 * ("error [internal]: Maximum call stack size exceeded"). Lists go through pushAll, maxOf,
 * minOf (src/core/arrays.ts) or a builder that takes an array (seqOf, tlvOf). Read from the
 * sources: structural, with a control that shows the pattern finds such a call.
 */
import {readFileSync, readdirSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'

const SRC = join(REPO, 'src')

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/**
 * A spread argument: `name(...x` or `name(a, b, ...x` with no bracket between the call's
 * parenthesis and the spread (so object and array literal spreads do not count), and not a
 * rest parameter (`...args: T`).
 */
const SPREAD_CALL = /\w\s*\((?:[^(){}[\]]*,\s*)?\.\.\.(?![\w$]+\??\s*:)/g

/** Calls whose spread is bounded by construction, each with why. */
const ALLOWED: Record<string, string> = {
  'cli/lite/oclif-lite.ts': "format(str, ...args): the caller's own arguments, already on the stack (oclif's ux API)",
  'core/rotate/writers/atomic-rename.ts': 'publish(...f.roles): at most the three files of a layout',
  'core/rotate/writers/hardlink-backup.ts': 'publish(...f.roles): at most the three files of a layout',
  'core/rotate/writers/visible.ts': 'publish(...f.roles): at most the three files of a layout',
}

function spreadCalls(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  return [...code.matchAll(SPREAD_CALL)].map((m) => code.slice(m.index, m.index + 60).split('\n')[0])
}

describe('src', () => {
  it('spreads no array into a call', () => {
    // Control: the pattern sees the call that overflowed, and not literals or rest parameters.
    expect(spreadCalls('warnings.push(...bundle.warnings)')).toHaveLength(1)
    expect(spreadCalls("lines.push('', 'x', ...more)")).toHaveLength(1)
    expect(spreadCalls('Math.max(...xs)')).toHaveLength(1)
    expect(spreadCalls('f({a, ...b}); g([...c]); function h(...args: string[]) {}')).toEqual([])
    const found = sources(SRC).flatMap((f) => {
      const rel = relative(SRC, f)
      return ALLOWED[rel] ? [] : spreadCalls(readFileSync(f, 'utf8')).map((c) => `${rel}: ${c}`)
    })
    expect(found).toEqual([])
  })
})
