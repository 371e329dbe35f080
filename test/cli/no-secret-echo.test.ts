/**
 * No secret is echoed (issue 17 item 8). oclif read a missing positional argument from piped
 * standard input, so `cat svid_key.pem | svidkit verify` on the oclif path (SVIDKIT_LITE=0,
 * and serve, watch, handshake always) printed the private key inside "no such file". Now
 * positional arguments come from the command line only, the lite and oclif paths give the
 * same exit code for the same argv and stdin, and an error message never carries a PEM
 * private key, whatever path led it there. On main the oclif rows fail (exit 3, key printed).
 */
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REPO, runCli} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'

const base = suiteTmpDir()
let key = ''
let keyBody = ''

beforeAll(async () => {
  const ca = join(base(), 'ca')
  expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', ca])).exit).toBe(0)
  expect(
    (await runCli(['issue', '--ca', ca, '--spiffe-id', 'spiffe://example.org/w', '--out', join(base(), 'svid')])).exit,
  ).toBe(0)
  key = readFileSync(join(base(), 'svid', 'svid_key.pem'), 'utf8')
  keyBody = key.split('\n')[1]
})

function run(args: string[], lite: '0' | '1', input: string) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    cwd: base(),
    input,
    encoding: 'utf8',
    timeout: 20_000,
    env: {...process.env, SVIDKIT_LITE: lite, DEBUG: ''},
  })
  return {status: r.status, out: r.stdout + r.stderr}
}

const LITE_COMMANDS = [['verify'], ['inspect'], ['bundle', 'convert'], ['verify', '--json'], ['inspect', '--json']]
const OCLIF_ONLY = [['watch'], ['serve'], ['handshake'], ['watch', '--json']]

describe('a private key piped to a command without its positional argument', () => {
  it.each(LITE_COMMANDS)('%s %s: same exit code on the lite and oclif paths, the key never printed', (...args) => {
    const lite = run(args, '1', key)
    const oclif = run(args, '0', key)
    for (const r of [lite, oclif]) {
      expect(r.out).not.toContain('PRIVATE KEY')
      expect(r.out).not.toContain(keyBody)
    }
    expect(oclif.status).toBe(lite.status)
    expect(lite.status).toBe(2)
  })

  it.each(OCLIF_ONLY)('%s %s: a usage error (exit 2), the key never printed', (...args) => {
    const r = run(args, '0', key)
    expect(r.out).not.toContain('PRIVATE KEY')
    expect(r.out).not.toContain(keyBody)
    expect(r.status).toBe(2)
  })

  it('an explicit "-" still reads standard input (verify - with the chain piped)', () => {
    const chain = readFileSync(join(base(), 'svid', 'svid.pem'), 'utf8')
    for (const lite of ['1', '0'] as const) {
      const r = run(['verify', '-', '--bundle', `example.org=${join(base(), 'svid', 'svid_bundle.pem')}`], lite, chain)
      expect(r.status, r.out).toBe(0)
    }
  })
})

describe('error messages never carry a private key', () => {
  it.each([[[]], [['--json']]])('a key given as the file argument is redacted on both paths (%j)', (json) => {
    const [lite, oclif] = (['1', '0'] as const).map((path) => run(['verify', key, ...json], path, ''))
    for (const r of [lite, oclif]) {
      expect(r.out).toContain('[private key redacted]')
      expect(r.out).not.toContain(keyBody)
    }
    expect(lite.status).toBe(2)
    expect(oclif.status).toBe(lite.status)
  })
})
