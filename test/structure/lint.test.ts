/**
 * eslint runs in `npm test` (package.json) over the whole tree with typescript-eslint's recommended
 * rules (eslint.config.js). The controls prove the config reaches the sources: a snippet with an
 * `any` placed in src/ is flagged, while build output stays ignored.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ESLint} from 'eslint'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'

const lint = new ESLint({cwd: REPO})
const rulesOf = async (code: string, filePath: string) =>
  (await lint.lintText(code, {filePath: join(REPO, filePath)})).flatMap((r) => r.messages.map((m) => m.ruleId))

describe('eslint', () => {
  it('runs before the tests in `npm test`', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {scripts: Record<string, string>})
      .scripts
    expect(scripts.lint).toMatch(/^eslint\b.* \.$/)
    expect(scripts.test).toMatch(/(^|&& )npm run lint &&.* vitest run$/)
  })

  it('flags typescript-eslint recommended rules in src/ and test/ (control)', async () => {
    expect(await rulesOf('export const x: any = 1\n', 'src/core/lint-control.ts')).toContain(
      '@typescript-eslint/no-explicit-any',
    )
    expect(
      await rulesOf("import {join} from 'node:path'\nexport const y = 1\n", 'test/lint-control.test.ts'),
    ).toContain('@typescript-eslint/no-unused-vars')
  })

  it('refuses a disable comment that silences nothing (control)', async () => {
    const [r] = await lint.lintText('export const y = 1 // eslint-disable-line no-control-regex\n', {
      filePath: join(REPO, 'src/core/lint-control.ts'),
    })
    expect(r.messages.map((m) => [m.severity, m.message])).toEqual([
      [2, expect.stringMatching(/^Unused eslint-disable directive/)],
    ])
  })

  it('reads bin/ as CommonJS and ignores build output and fixtures', async () => {
    expect(
      await rulesOf(
        "'use strict'\nconst {join} = require('node:path')\nconsole.log(join(__dirname, 'x'))\n",
        'bin/lint-control.js',
      ),
    ).toEqual([])
    expect(await lint.isPathIgnored(join(REPO, 'dist/index.js'))).toBe(true)
    expect(await lint.isPathIgnored(join(REPO, 'test/fixtures/x.js'))).toBe(true)
    expect(await lint.isPathIgnored(join(REPO, 'src/index.ts'))).toBe(false)
  })
})
