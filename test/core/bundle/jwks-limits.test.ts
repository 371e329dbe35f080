/**
 * Input limits give input errors (issue 17 item 9): a JWKS with 130,000 entries (4.4 MB, under
 * the 8 MiB input cap) ended in "error [internal]: Maximum call stack size exceeded" (its
 * warnings were spread into push). Now a JWKS holds at most MAX_JWKS_KEYS entries (more is
 * exit 3 `bundle-invalid`) and keeps at most MAX_JWKS_WARNINGS warnings. On main the first two
 * cases fail with exit 1 (internal).
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {MAX_JWKS_KEYS, MAX_JWKS_WARNINGS, parseJwks} from '../../../src/core/bundle/jwks.js'
import {expectFailure, runCli} from '../../helpers/cli.js'
import {suiteTmpDir} from '../../helpers/tmp.js'

const base = suiteTmpDir()
let big = ''
let svid = ''

function jwks(n: number, entry: object): string {
  const keys = Array.from({length: n}, () => entry)
  return JSON.stringify({keys})
}

beforeAll(async () => {
  big = join(base(), 'big.json')
  writeFileSync(big, jwks(130_000, {kty: 'x', use: 'x509-svid'}))
  const ca = join(base(), 'ca')
  expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', ca])).exit).toBe(0)
  expect(
    (await runCli(['issue', '--ca', ca, '--spiffe-id', 'spiffe://example.org/w', '--out', join(base(), 'svid')])).exit,
  ).toBe(0)
  svid = join(base(), 'svid', 'svid.pem')
})

describe('a JWKS of 130,000 entries', () => {
  it.each([false, true])('verify --bundle: exit 3 bundle-invalid, not internal (json %s)', async (json) => {
    const r = await runCli(['verify', svid, '--bundle', `example.org=${big}`, ...(json ? ['--json'] : [])])
    expectFailure(r, {exit: 3, code: 'bundle-invalid', json})
    expect(r.stderr + r.stdout).toContain('holds 130000 entries, more than the 10000 svidkit reads')
  })

  it('bundle convert: exit 3 bundle-invalid', async () => {
    const r = await runCli(['bundle', 'convert', `example.org=${big}`, '--to', 'pem'])
    expectFailure(r, {exit: 3, code: 'bundle-invalid', json: false})
  })

  it('jwt-svid entries without kid (a warning each) are refused the same way', () => {
    const doc = JSON.parse(jwks(130_000, {kty: 'EC', use: 'jwt-svid'})) as unknown
    expect(() => parseJwks(doc, 'many.json')).toThrow(expect.objectContaining({code: 'bundle-invalid', exit: 3}))
  })
})

describe('a JWKS at the limit', () => {
  it(`reads ${MAX_JWKS_KEYS} entries and keeps at most ${MAX_JWKS_WARNINGS} warnings plus a count of the rest`, () => {
    const doc = JSON.parse(jwks(MAX_JWKS_KEYS, {kty: 'x', use: 'x509-svid'})) as unknown
    const b = parseJwks(doc, 'limit.json')
    expect(b.warnings).toHaveLength(MAX_JWKS_WARNINGS + 2)
    expect(b.warnings.at(-1)).toBe(
      `bundle "limit.json": ${MAX_JWKS_KEYS - MAX_JWKS_WARNINGS} more warning(s) not shown`,
    )
  })
})
