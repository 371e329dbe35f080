/**
 * `svidkit defects`: the whole catalogue (X509-SVID and JWT-SVID defects) as an aligned
 * table and as JSON, one family with --family; `issue --list-defects` and `jwt issue
 * --list-defects` keep printing their own family as before (deprecated in help).
 */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {DEFECTS} from '../../src/core/defects/index.js'
import {JWT_DEFECTS} from '../../src/core/jwt/defects.js'
import {REPO, jsonOf, runCli} from '../helpers/cli.js'
import {run} from '../helpers/peers.js'

interface Entry {
  name: string
  family: string
  code: string
  description: string
  spec: string[]
  strictOnly: boolean
}

/** Runs bin/run.js as a user would (the lite path first, or oclif with SVIDKIT_LITE=0). */
function spawnCli(args: string[], lite: boolean) {
  const {NODE_ENV: _n, DEBUG: _d, SVIDKIT_LITE: _l, ...env} = process.env
  return run(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    cwd: REPO,
    env: {...env, NO_COLOR: '1', ...(lite ? {} : {SVIDKIT_LITE: '0'})},
  })
}

describe('svidkit defects', () => {
  it('--json lists every X509-SVID defect, then every JWT-SVID defect, with stable fields', async () => {
    const r = await runCli(['defects', '--json'])
    expect(r.exit).toBe(0)
    const list = jsonOf(r.stdout) as Entry[]
    expect(list.map((e) => `${e.family}:${e.name}`)).toEqual([
      ...DEFECTS.map((d) => `x509:${d.name}`),
      ...JWT_DEFECTS.map((d) => `jwt:${d.name}`),
    ])
    for (const e of list)
      expect(Object.keys(e)).toEqual(['name', 'family', 'code', 'description', 'spec', 'strictOnly'])
    expect(list.find((e) => e.name === 'leaf-is-ca')).toEqual({
      name: 'leaf-is-ca',
      family: 'x509',
      code: 'leaf-is-ca',
      description: 'a leaf has CA:FALSE (X509-SVID §4.1, §4.3)',
      spec: ['X509-SVID §4.1, §4.3'],
      strictOnly: false,
    })
    expect(list.find((e) => e.name === 'name-constraint-violation')?.spec).toEqual([
      'X509-SVID §4.2',
      'RFC 5280 §4.2.1.10',
    ])
    expect(list.filter((e) => e.strictOnly).map((e) => e.name)).toEqual(['eku-client-only'])
    expect(list.find((e) => e.family === 'jwt' && e.name === 'alg-none')).toMatchObject({
      code: 'jwt-alg-not-allowed',
      spec: ['JWT-SVID §2.1'],
    })
  })

  it('prints an aligned table: one header, one row per defect, columns at the same offsets', async () => {
    const r = await runCli(['defects'])
    expect(r.exit).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^FAMILY +DEFECT +REASON CODE +RULE BROKEN$/)
    expect(lines).toHaveLength(1 + DEFECTS.length + JWT_DEFECTS.length)
    const [code, rule] = [lines[0].indexOf('REASON CODE'), lines[0].indexOf('RULE BROKEN')]
    for (const [i, d] of DEFECTS.entries()) {
      const l = lines[1 + i]
      expect(l.startsWith('x509 ')).toBe(true)
      expect(l.slice(code, code + d.code.length)).toBe(d.code)
      expect(l.slice(rule)).toBe(`${d.rule}${d.strictOnly ? ' [verify --strict]' : ''}`)
    }
    expect(lines.at(-1)?.startsWith('jwt ')).toBe(true)
  })

  it.each([
    ['x509', DEFECTS.length],
    ['jwt', JWT_DEFECTS.length],
  ])('--family %s lists that family only', async (family, n) => {
    const list = jsonOf((await runCli(['defects', '--family', family, '--json'])).stdout) as Entry[]
    expect(list).toHaveLength(n)
    expect(new Set(list.map((e) => e.family))).toEqual(new Set([family]))
  })

  it('refuses an unknown family with a usage error (exit 2)', async () => {
    const r = await runCli(['defects', '--family', 'pgp'])
    expect(r.exit).toBe(2)
    expect(r.stderr).toContain('pgp')
  })

  it.each([true, false])('runs the same from bin/run.js (lite path tried first: %s)', (lite) => {
    const r = spawnCli(['defects', '--family', 'jwt', '--json'], lite)
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect((JSON.parse(r.stdout) as Entry[]).map((e) => e.name)).toEqual(JWT_DEFECTS.map((d) => d.name))
  })
})

describe('the deprecated --list-defects', () => {
  it.each([true, false])('issue --list-defects --json prints the X509-SVID catalogue as before (lite: %s)', (lite) => {
    const r = spawnCli(['issue', '--list-defects', '--json'], lite)
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(
      DEFECTS.map(({name, code, rule, aspect, strictOnly}) => ({
        name,
        code,
        rule,
        aspect,
        strictOnly: Boolean(strictOnly),
      })),
    )
  })

  it('issue and jwt issue say in help that svidkit defects replaces --list-defects', () => {
    for (const args of [
      ['issue', '--help'],
      ['jwt', 'issue', '--help'],
    ]) {
      const r = spawnCli(args, true)
      expect(r.status).toBe(0)
      expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/--list-defects +deprecated: use "svidkit defects/)
    }
  })
})
