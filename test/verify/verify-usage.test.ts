/**
 * verify's own usage checks (src/cli/verify-options.ts) through the CLI on both start-up paths:
 * the exact message, hint and exit of each, and the JSON document of a read failure. The
 * expected text was taken from main before commands/verify.ts was slimmed (the move must not
 * change a word); the SPIFFE-only flag named is the first of a fixed list, not of argv.
 */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {run} from '../helpers/peers.js'
import {REPO} from '../helpers/cli.js'

function svidkit(args: string[], lite: boolean) {
  return run(process.execPath, [join(REPO, 'bin/run.js'), ...args], {
    env: {...process.env, SVIDKIT_LITE: lite ? '1' : '0', NO_COLOR: '1', DEBUG: ''},
  })
}

const X509_HINT = 'svidkit verify --profile x509 CHAIN --bundle ROOTS [--at T] [--strict] [--max-depth N]'
const cases: {name: string; args: string[]; message: string; hint: string}[] = [
  {
    name: 'a chain file and --connect',
    args: ['x.pem', '--connect', '127.0.0.1:1'],
    message: 'give a chain file or --connect HOST:PORT, not both',
    hint: 'see --help for the flags and their values',
  },
  {
    name: 'a chain file and --connect, with --profile x509 (checked first)',
    args: ['--profile', 'x509', 'x.pem', '--connect', '127.0.0.1:1'],
    message: 'give a chain file or --connect HOST:PORT, not both',
    hint: 'see --help for the flags and their values',
  },
  {
    name: '--key with --profile x509',
    args: ['--profile', 'x509', 'x.pem', '--key', 'k.pem'],
    message: '--key applies to --profile spiffe only',
    hint: X509_HINT,
  },
  {
    name: 'two SPIFFE-only flags: the first of the list is named',
    args: ['--profile', 'x509', 'x.pem', '--bundle-file', 'b', '--expect-id', 'spiffe://a/b'],
    message: '--expect-id applies to --profile spiffe only',
    hint: X509_HINT,
  },
  {
    name: '--profile x509 without a chain file',
    args: ['--profile', 'x509', '--bundle', 'r.pem'],
    message: '--profile x509 needs a chain file',
    hint: 'svidkit verify --profile x509 chain.pem --bundle roots.pem',
  },
]

describe.each([true, false])('verify usage errors (lite path %s)', (lite) => {
  it.each(cases)('$name', ({args, message, hint}) => {
    const r = svidkit(['verify', ...args], lite)
    expect({status: r.status, stdout: r.stdout, stderr: r.stderr}).toEqual({
      status: 2,
      stdout: '',
      stderr: `error [usage]: ${message}\n  hint: ${hint}\n`,
    })
  })

  it('an unreadable chain file with --json: the verify document, errors[0] the reason, exit 3', () => {
    const r = svidkit(['verify', '/nonexistent/x.pem', '--json'], lite)
    expect(r.status).toBe(3)
    const doc = JSON.parse(r.stdout) as {
      valid: boolean
      errors: {code: string; message: string}[]
      checks: {name: string; status: string}[]
    }
    expect(doc.valid).toBe(false)
    expect(doc.errors[0]).toMatchObject({code: 'file-not-found', message: 'no such file "/nonexistent/x.pem"'})
    expect(doc.checks).toEqual([expect.objectContaining({name: 'read', status: 'fail'})])
  })
})
