/**
 * `npm run typecheck:lite` (tsconfig.lite.json: '@oclif/core' mapped to src/cli/lite/oclif-lite.ts)
 * holds the lite commands to the lite surface. Fixture commands in test/fixtures/lite-surface/
 * use something outside it (`this.warn`, `ux.action`, a `char` flag): each type-checks against
 * oclif and fails against the lite surface with the expected error; the control inside it
 * passes both. On main (a shim without oclif's types) the control failed and `this.warn` passed.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'

const FIXTURES = join(REPO, 'test', 'fixtures', 'lite-surface')
const fixtures = ['within.ts', 'uses-warn.ts', 'uses-ux-action.ts', 'uses-char-flag.ts'].map((f) => join(FIXTURES, f))

/** Type-checks `files` with the compiler options of `config`; returns "file: TScode" per error, sorted. */
function errors(config: string, files: string[]): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(REPO, config),
    {noEmit: true},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (parsed === undefined) throw new Error(`cannot read ${config}`)
  const program = ts.createProgram({rootNames: files, options: parsed.options})
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map(
      (d) =>
        `${d.file ? d.file.fileName.slice(FIXTURES.length + 1) : '?'}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ').split(' ').slice(0, 8).join(' ')}`,
    )
    .sort()
}

describe('typecheck:lite holds lite commands to the lite surface', () => {
  it('each use outside the surface is a type error against the shim, and none against oclif', () => {
    expect(errors('tsconfig.json', fixtures)).toEqual([])
    expect(errors('tsconfig.lite.json', fixtures)).toEqual([
      "uses-char-flag.ts: TS2322 Type 'string' is not assignable to type 'never'.",
      "uses-ux-action.ts: TS2339 Property 'action' does not exist on type '{",
      "uses-warn.ts: TS2339 Property 'warn' does not exist on type 'UsesWarn'.",
    ])
  }, 60_000)

  it('covers every lite command that scripts/bundle.js bundles', () => {
    const lite = JSON.parse(readFileSync(join(REPO, 'tsconfig.lite.json'), 'utf8')) as {files: string[]}
    const bundle = readFileSync(join(REPO, 'scripts', 'bundle.js'), 'utf8')
    const ids = /const LITE_COMMANDS = \[([^\]]*)\]/.exec(bundle)?.[1]
    expect(ids, 'LITE_COMMANDS in scripts/bundle.js').toBeDefined()
    const commands = [...(ids ?? '').matchAll(/'([^']+)'/g)].map((m) => `src/commands/${m[1]}.ts`)
    expect(commands.length).toBeGreaterThan(0)
    expect([...lite.files].sort()).toEqual(commands.sort())
  })
})
