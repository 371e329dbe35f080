/**
 * `verify --profile x509` and `verify --at T` through the CLI, on both start-up paths (the
 * lite bundle and oclif, SVIDKIT_LITE=0): the same documents and exit codes. Issue 19
 * (X.509 profile) and issue 20 item 12 (with --at, nothing is said relative to now).
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {certificatePem} from '../../src/core/x509/certificate.js'
import {PATH_STEPS} from '../../src/core/verify/path-checks.js'
import {run} from '../helpers/peers.js'
import {REPO} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {issueTo, makeCa, plain, svidFiles, TD, type CaFixture} from './fixtures.js'
import {baseChain, X509_AT} from './x509-kit.js'

const base = suiteTmpDir()
let chainFile: string
let rootFile: string
let badRootFile: string
let ca: CaFixture
let web: string

/** Runs `svidkit ARGS` through bin/run.js with the lite path on or off. */
function svidkit(args: string[], lite: boolean) {
  return run(process.execPath, [join(REPO, 'bin/run.js'), ...args], {
    env: {...process.env, SVIDKIT_LITE: lite ? '1' : '0', NO_COLOR: '1', DEBUG: ''},
  })
}

beforeAll(async () => {
  const c = await baseChain()
  chainFile = join(base(), 'chain.pem')
  rootFile = join(base(), 'root.pem')
  writeFileSync(chainFile, certificatePem(c.leaf) + certificatePem(c.inter))
  writeFileSync(rootFile, certificatePem(c.root))
  const bad = await baseChain({root: {bcCritical: null, ku: null}})
  badRootFile = join(base(), 'bad-root.pem')
  writeFileSync(join(base(), 'bad-chain.pem'), certificatePem(bad.leaf) + certificatePem(bad.inter))
  writeFileSync(badRootFile, certificatePem(bad.root))
  ca = await makeCa(join(base(), 'ca'), TD)
  web = await issueTo(ca, join(base(), 'web'))
})

describe.each([true, false])('verify --profile x509 (lite path %s)', (lite) => {
  const at = ['--at', X509_AT.toISOString()]
  it('a valid chain: exit 0, the verify document with profile x509 and no SPIFFE ID', () => {
    const r = svidkit(['verify', '--profile', 'x509', chainFile, '--bundle', rootFile, ...at, '--json'], lite)
    expect(r.status).toBe(0)
    const doc = JSON.parse(r.stdout) as {valid: boolean; profile: string; spiffeId: null; checks: {name: string}[]}
    expect(doc).toMatchObject({valid: true, profile: 'x509', spiffeId: null})
    expect(doc.checks.map((c) => c.name)).toEqual(['read', 'path', ...PATH_STEPS])
    const human = svidkit(['verify', '--profile', 'x509', chainFile, '--bundle', rootFile, ...at], lite)
    expect(human.status).toBe(0)
    expect(plain(human.stdout)).toMatch(/^VALID {2}"CN=leaf, O=kit" {2}\(X\.509 profile/m)
  })

  it('a trust anchor that is not a CA: exit 4, signing-cert-not-ca', () => {
    const r = svidkit(
      ['verify', '--profile', 'x509', join(base(), 'bad-chain.pem'), '--bundle', badRootFile, ...at, '--json'],
      lite,
    )
    expect(r.status).toBe(4)
    expect((JSON.parse(r.stdout) as {errors: {code: string}[]}).errors[0].code).toBe('signing-cert-not-ca')
  })

  it('SPIFFE-only flags and missing roots are usage errors (exit 2)', () => {
    expect(
      svidkit(
        ['verify', '--profile', 'x509', chainFile, '--bundle', rootFile, '--expect-id', 'spiffe://example.org/x'],
        lite,
      ).status,
    ).toBe(2)
    expect(svidkit(['verify', '--profile', 'x509', chainFile], lite).status).toBe(2)
    expect(
      svidkit(['verify', '--profile', 'x509', chainFile, '--bundle', `example.org=${rootFile}`], lite).status,
    ).toBe(2)
  })

  it('--max-depth 1 leaves no room for the intermediate: untrusted-chain', () => {
    const r = svidkit(
      ['verify', '--profile', 'x509', chainFile, '--bundle', rootFile, ...at, '--max-depth', '1', '--json'],
      lite,
    )
    expect(r.status).toBe(4)
    expect((JSON.parse(r.stdout) as {errors: {code: string}[]}).errors[0].code).toBe('untrusted-chain')
  })
})

describe.each([true, false])('verify --at speaks of the evaluation time (lite path %s)', (lite) => {
  it('an SVID judged at a time after its expiry: "evaluation time", "before the evaluation time", never "ago"', () => {
    const files = svidFiles(web)
    const r = svidkit(['verify', files.cert, '--bundle', `${TD}=${files.bundle}`, '--at', '2100-01-01T00:00:00Z'], lite)
    expect(r.status).toBe(4)
    const out = plain(r.stdout)
    expect(out).toMatch(
      /\[cert-expired\] certificate has expired or is not yet valid: evaluation time 2100-01-01T00:00:00Z is after /,
    )
    expect(out).toMatch(/before the evaluation time/)
    expect(out).toMatch(/expired .* before 2100-01-01T00:00:00Z/)
    expect(out).not.toMatch(/current time| ago\b/)
  })

  it('without --at the words stay relative to now', () => {
    const files = svidFiles(web)
    const r = svidkit(['verify', files.cert, '--bundle', `${TD}=${files.bundle}`], lite)
    expect(r.status).toBe(0)
    expect(plain(r.stdout)).toMatch(/ left\)/)
    expect(plain(r.stdout)).not.toMatch(/evaluation time/)
  })
})
