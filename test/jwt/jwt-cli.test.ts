/**
 * `jwt issue` and `jwt verify` through bin/run.js: a valid token, every defect with its
 * reason code and exit 4, usage errors, and the CA directory's JWT authority.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {JWT_DEFECTS} from '../../src/core/jwt/defects.js'
import {REPO} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'

const BIN = join(REPO, 'bin/run.js')
const dir = suiteTmpDir()
const ID = 'spiffe://example.org/web'

function svidkit(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {cwd: dir(), encoding: 'utf8', input, timeout: 30_000})
  return {exit: r.status, stdout: r.stdout, stderr: r.stderr}
}

function verifyJson(token: string, extra: string[] = []) {
  const r = svidkit([
    'jwt',
    'verify',
    token,
    '--bundle',
    'example.org=ca/bundle.spiffe.json',
    '--audience',
    'db',
    '--json',
    ...extra,
  ])
  return {
    exit: r.exit,
    doc: JSON.parse(r.stdout) as {valid: boolean; errors: {code: string}[]; spiffeId: string | null},
  }
}

beforeAll(() => {
  expect(svidkit(['ca', 'init', '--trust-domain', 'example.org', '--out', 'ca']).exit).toBe(0)
  expect(svidkit(['ca', 'init', '--trust-domain', 'other.test', '--out', 'ca2']).exit).toBe(0)
})

describe('jwt issue / jwt verify', () => {
  it('ca init writes a JWT authority: jwt-key.pem (0600) and a jwt-svid entry with the kid in bundle.spiffe.json', () => {
    const meta = JSON.parse(readFileSync(join(dir(), 'ca/ca.json'), 'utf8')) as {jwt: {key: string; kid: string}}
    const jwks = JSON.parse(readFileSync(join(dir(), 'ca/bundle.spiffe.json'), 'utf8')) as {
      keys: {use: string; kid?: string}[]
    }
    expect(meta.jwt.key).toBe('jwt-key.pem')
    expect(jwks.keys.map((k) => k.use)).toEqual(['x509-svid', 'jwt-svid'])
    expect(jwks.keys[1].kid).toBe(meta.jwt.kid)
  })

  it('issues a token that verifies, with the step-by-step report and exit 0', () => {
    const issued = svidkit(['jwt', 'issue', '--spiffe-id', ID, '--audience', 'db', '--ca', 'ca'])
    expect(issued.exit).toBe(0)
    const token = issued.stdout.trim()
    expect(token.split('.')).toHaveLength(3)
    const human = svidkit(['jwt', 'verify', token, '--bundle', 'example.org=ca/bundle.spiffe.json', '--audience', 'db'])
    expect(human.exit).toBe(0)
    expect(human.stdout).toMatch(/^VALID {2}spiffe:\/\/example.org\/web/)
    expect(human.stdout).toMatch(/signature +ES256 signature verifies/)
    // the same token from standard input
    const piped = svidkit(
      ['jwt', 'verify', '-', '--bundle', 'example.org=ca/bundle.spiffe.json', '--audience', 'db', '--json'],
      `${token}\n`,
    )
    expect(piped.exit).toBe(0)
    expect(JSON.parse(piped.stdout)).toMatchObject({valid: true, spiffeId: ID, trustDomain: 'example.org'})
  })

  it('--expect-id, another audience, --at after exp and --skew', () => {
    const token = svidkit([
      'jwt',
      'issue',
      '--spiffe-id',
      ID,
      '--audience',
      'db',
      '--ca',
      'ca',
      '--now',
      '2026-01-01T00:00:00Z',
      '--ttl',
      '5m',
    ]).stdout.trim()
    const at = ['--at', '2026-01-01T00:01:00Z']
    expect(verifyJson(token, at).doc.valid).toBe(true)
    expect(verifyJson(token, [...at, '--expect-id', 'spiffe://example.org/other']).doc.errors[0].code).toBe(
      'id-mismatch',
    )
    const late = verifyJson(token, ['--at', '2026-01-01T00:05:00Z'])
    expect([late.exit, late.doc.errors[0].code]).toEqual([4, 'jwt-expired'])
    expect(verifyJson(token, ['--at', '2026-01-01T00:05:00Z', '--skew', '30s']).doc.valid).toBe(true)
    const r = svidkit([
      'jwt',
      'verify',
      token,
      '--bundle',
      'example.org=ca/bundle.spiffe.json',
      '--audience',
      'web',
      ...at,
      '--json',
    ])
    expect([r.exit, JSON.parse(r.stdout).errors[0].code]).toEqual([4, 'jwt-aud-mismatch'])
  })

  it.each(JWT_DEFECTS.map((d) => [d.name, d.code] as const))(
    '--defect %s is refused by jwt verify with %s (exit 4)',
    (name, code) => {
      const issued = svidkit(['jwt', 'issue', '--spiffe-id', ID, '--audience', 'db', '--ca', 'ca', '--defect', name])
      expect(issued.exit, issued.stderr).toBe(0)
      expect(issued.stderr).toMatch(/broken on purpose/)
      // sub-other-trust-domain needs the other trust domain's own bundle too, else its bundle is simply not found
      const other = name === 'sub-other-trust-domain' ? ['--bundle', 'other.test=ca2/bundle.spiffe.json'] : []
      const {exit, doc} = verifyJson(issued.stdout.trim(), other)
      expect(exit).toBe(4)
      expect(doc.valid).toBe(false)
      expect(doc.errors[0].code).toBe(code)
    },
  )

  it('usage errors exit 2: no audience, an ID outside the CA, an unknown defect; a CA without JWT authority is ca-invalid', () => {
    expect(svidkit(['jwt', 'issue', '--spiffe-id', ID, '--ca', 'ca']).exit).toBe(2)
    expect(
      svidkit(['jwt', 'issue', '--spiffe-id', 'spiffe://other.test/web', '--audience', 'db', '--ca', 'ca']).exit,
    ).toBe(2)
    expect(
      svidkit(['jwt', 'issue', '--spiffe-id', ID, '--audience', 'db', '--ca', 'ca', '--defect', 'nope']).exit,
    ).toBe(2)
    expect(svidkit(['jwt', 'verify', 'x.y.z', '--bundle', 'example.org=ca/bundle.spiffe.json']).exit).toBe(2)
    const malformed = svidkit([
      'jwt',
      'verify',
      'not-a-token',
      '--bundle',
      'example.org=ca/bundle.spiffe.json',
      '--audience',
      'db',
      '--json',
    ])
    expect([malformed.exit, JSON.parse(malformed.stdout).errors[0].code]).toEqual([4, 'jwt-malformed'])
  })

  it('lists the defects with --list-defects --json', () => {
    const r = svidkit(['jwt', 'issue', '--list-defects', '--json'])
    expect((JSON.parse(r.stdout) as {name: string}[]).map((d) => d.name)).toEqual(JWT_DEFECTS.map((d) => d.name))
  })
})
