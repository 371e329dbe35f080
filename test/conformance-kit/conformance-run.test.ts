/**
 * The conformance kit end to end through bin/run.js: generate a suite, then score the reference
 * harnesses (svidkit 100 %, openssl verify on its path subset, PyJWT on the JWT family) and a
 * deliberately broken one that accepts everything.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import type {Scorecard} from '../../src/core/conformance/score.js'
import type {Suite} from '../../src/core/conformance/suite.js'
import {DEFECTS} from '../../src/core/defects/index.js'
import {JWT_DEFECTS} from '../../src/core/jwt/defects.js'

const BIN = join(REPO, 'bin/run.js')
const HARNESSES = join(REPO, 'test/conformance-kit/harnesses')
const PYTHON = '/usr/bin/python3'
const hasPython = existsSync(PYTHON)
const hasPyJwt = hasPython && spawnSync(PYTHON, ['-c', 'import jwt']).status === 0
const dir = suiteTmpDir()
let suite: Suite

function svidkit(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {cwd: dir(), encoding: 'utf8', timeout: 120_000})
  return {exit: r.status, stdout: r.stdout, stderr: r.stderr}
}

function run(harness: string, extra: string[] = []): {exit: number | null; card: Scorecard} {
  const r = svidkit([
    'conformance',
    'run',
    '--harness',
    harness,
    '--suite',
    'suite/spiffe-conformance.json',
    '--json',
    ...extra,
  ])
  return {exit: r.exit, card: JSON.parse(r.stdout) as Scorecard}
}

const fam = (c: Scorecard, f: string) => c.families.find((x) => x.family === f)

beforeAll(() => {
  const g = svidkit(['conformance', 'generate', '--out', 'suite', '--seed', '7'])
  expect(g.exit, g.stderr).toBe(0)
  suite = JSON.parse(readFileSync(join(dir(), 'suite/spiffe-conformance.json'), 'utf8')) as Suite
}, 120_000)

describe('conformance generate', () => {
  it('writes one limbo-shaped suite: every X.509 and JWT defect, every family, spec and reason code per case', () => {
    expect(suite.version).toBe(1)
    expect(suite.seed).toBe('7')
    const ids = suite.testcases.map((t) => t.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const d of DEFECTS) expect(ids).toContain(`x509-svid::${d.name}`)
    for (const d of JWT_DEFECTS) expect(ids).toContain(`jwt-svid::${d.name}`)
    expect(new Set(suite.testcases.map((t) => t.family))).toEqual(new Set(['x509-svid', 'path', 'jwt-svid', 'bundle']))
    for (const t of suite.testcases) {
      // limbo's required fields, and the SPIFFE extension
      for (const k of [
        'id',
        'description',
        'features',
        'validation_kind',
        'trusted_certs',
        'untrusted_intermediates',
        'peer_certificate',
        'validation_time',
        'expected_result',
        'expected_peer_names',
        'key_usage',
        'extended_key_usage',
        'signature_algorithms',
      ])
        expect(t, `${t.id} lacks ${k}`).toHaveProperty(k)
      expect(t.spec).toMatch(/§/)
      expect(t.reason_code === null).toBe(t.expected_result === 'SUCCESS')
    }
    const rollover = suite.testcases.filter((t) => t.features.includes('ca-rollover'))
    expect(rollover.map((t) => t.id)).toEqual(['path::rollover-new-with-old', 'path::rollover-old-with-new'])
    expect(rollover.every((t) => /h19/.test(t.note ?? ''))).toBe(true)
  })
})

describe('conformance run', () => {
  it("svidkit's own harness agrees on every case (100 %), exit 0, and writes JUnit", () => {
    const {exit, card} = run(`${process.execPath} ${BIN} conformance harness`, ['--junit', 'svidkit.xml'])
    expect(card.disagreements).toEqual([])
    expect(card.families.reduce((n, f) => n + f.agree, 0)).toBe(suite.testcases.length)
    expect([exit, card.passed]).toEqual([0, true])
    const xml = readFileSync(join(dir(), 'svidkit.xml'), 'utf8')
    expect(xml).toContain(`<testsuites name="SPIFFE conformance: svidkit-`)
    expect(xml).not.toContain('<failure')
  })

  it('a harness that accepts everything fails (exit 4) with every FAILURE case a wrong accept', () => {
    const {exit, card} = run(`${PYTHON} ${join(HARNESSES, 'accept-all.py')}`)
    expect([exit, card.passed]).toEqual([4, false])
    for (const f of card.families) {
      const cases = suite.testcases.filter((t) => t.family === f.family)
      expect({
        f: f.family,
        wrongAccept: f.wrongAccept,
        agree: f.agree,
        wrongReject: f.wrongReject,
        skipped: f.skipped,
      }).toEqual({
        f: f.family,
        wrongAccept: cases.filter((t) => t.expected_result === 'FAILURE').length,
        agree: cases.filter((t) => t.expected_result === 'SUCCESS').length,
        wrongReject: 0,
        skipped: 0,
      })
    }
    expect(card.mustDisagreements).toBe(
      suite.testcases.filter((t) => t.expected_result === 'FAILURE' && t.level === 'MUST').length,
    )
    const human = svidkit([
      'conformance',
      'run',
      '--harness',
      `${PYTHON} ${join(HARNESSES, 'accept-all.py')}`,
      '--suite',
      'suite/spiffe-conformance.json',
    ])
    expect(human.stdout).toMatch(/^FAIL {2}accept-all/)
    expect(human.stdout).toMatch(/MUST wrong-accept jwt-svid::alg-none: .*\n +spec JWT-SVID §2\.1/)
  })

  it.skipIf(!hasPython)('openssl verify agrees on the X.509 path subset it judges and skips the SPIFFE rules', () => {
    const {exit, card} = run(`${PYTHON} ${join(HARNESSES, 'openssl-verify.py')}`)
    expect(card.disagreements).toEqual([])
    expect(exit).toBe(0)
    expect(fam(card, 'path')?.agree).toBeGreaterThanOrEqual(8)
    expect(fam(card, 'x509-svid')?.agree).toBeGreaterThanOrEqual(10)
    expect(fam(card, 'jwt-svid')?.skipped).toBe(suite.testcases.filter((t) => t.family === 'jwt-svid').length)
  })

  it.skipIf(!hasPyJwt)('PyJWT judges the JWT family: one MUST gap, typ is not checked (JWT-SVID §2.3)', () => {
    const {exit, card} = run(`${PYTHON} ${join(HARNESSES, 'pyjwt.py')}`)
    expect(card.disagreements.map((d) => [d.id, d.verdict])).toEqual([['jwt-svid::typ-invalid', 'wrong-accept']])
    expect(exit).toBe(4)
    expect(fam(card, 'jwt-svid')?.agree).toBe(suite.testcases.filter((t) => t.family === 'jwt-svid').length - 1)
    expect(fam(card, 'x509-svid')?.skipped).toBe(suite.testcases.filter((t) => t.family === 'x509-svid').length)
  })

  it('a harness that prints no results, fails, or hangs is harness-failed (exit 5); one answering no case fails the run', () => {
    expect(
      svidkit([
        'conformance',
        'run',
        '--harness',
        'cat >/dev/null; echo not-json',
        '--suite',
        'suite/spiffe-conformance.json',
      ]).exit,
    ).toBe(5)
    expect(
      svidkit(['conformance', 'run', '--harness', 'exit 3', '--suite', 'suite/spiffe-conformance.json']).exit,
    ).toBe(5)
    const slow = svidkit([
      'conformance',
      'run',
      '--harness',
      'sleep 30',
      '--suite',
      'suite/spiffe-conformance.json',
      '--timeout',
      '1s',
      '--json',
    ])
    expect(slow.exit).toBe(5)
    expect(slow.stdout + slow.stderr).toMatch(/timed out/)
    const empty = run(`cat >/dev/null; echo '{"version":1,"harness":"mute","results":[]}'`)
    expect([empty.exit, empty.card.passed, empty.card.missing.length]).toEqual([4, false, suite.testcases.length])
  })
})
