/**
 * A few real processes (`node bin/run.js …`, about 0.6 s each): the exit codes the shell
 * sees, one JSON document on stdout with --json, no stack trace unless DEBUG=svidkit*.
 * The in-process tables (ca-init, issue) cover the rest; runCommand cannot see real exits.
 */
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {initCa} from '../../src/index.js'
import {REPO, STACK_LINE} from '../helpers/cli.js'
import {run} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'

const base = suiteTmpDir()
const ca = () => join(base(), 'ca')

/**
 * Returns the outcome of `node bin/run.js args` in a user's environment: no DEBUG, no
 * colour, and not vitest's NODE_ENV=test (with it oclif looks for TypeScript sources and
 * warns on stderr).
 */
function svidkit(args: string[], env: Record<string, string> = {}) {
  const {DEBUG: _debug, FORCE_COLOR: _color, NODE_ENV: _env, ...rest} = process.env
  return run(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    cwd: base(),
    env: {...rest, NO_COLOR: '1', ...env},
  })
}

beforeAll(async () => {
  await initCa({trustDomain: 'example.org', out: ca()})
})

describe('svidkit as a process', () => {
  it('ca init --json exits 0 with one JSON document', () => {
    const r = svidkit(['ca', 'init', '--trust-domain', 'example.org', '--out', join(base(), 'ca2'), '--json'])
    expect({status: r.status, stderr: r.stderr}).toEqual({status: 0, stderr: ''})
    expect(JSON.parse(r.stdout)).toMatchObject({
      trustDomain: 'example.org',
      files: {bundle: join(base(), 'ca2', 'bundle.pem')},
    })
  })

  it('issue exits 0 and prints what it wrote', () => {
    const r = svidkit(['issue', '--spiffe-id', 'spiffe://example.org/web', '--ca', ca(), '--out', join(base(), 'svid')])
    expect({status: r.status, stderr: r.stderr}).toEqual({status: 0, stderr: ''})
    expect(r.stdout).toMatch(/^issued spiffe:\/\/example\.org\/web\n/)
  })

  it('an invalid SPIFFE ID exits 2 with a one-line reason and a hint, no stack', () => {
    const r = svidkit(['issue', '--spiffe-id', 'spiffe://Example.org/x', '--ca', ca(), '--out', join(base(), 'bad')])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^error \[spiffe-id-invalid\]: trust domain characters are limited to .*\n {2}hint: .*\n$/)
    expect(r.stderr).not.toMatch(STACK_LINE)
  })

  it('a flag error exits 2 in --json mode too, with one JSON document', () => {
    const r = svidkit([
      'ca',
      'init',
      '--trust-domain',
      'example.org',
      '--out',
      join(base(), 'ca9'),
      '--intermediates',
      '9',
      '--json',
    ])
    expect(r.status).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({ok: false, error: {code: 'usage'}})
    expect(r.stderr).not.toMatch(STACK_LINE)
  })

  it('a missing CA directory exits 3 in --json mode, with one JSON document', () => {
    const r = svidkit(['issue', '--spiffe-id', 'spiffe://example.org/web', '--ca', join(base(), 'nope'), '--json'])
    expect(r.status).toBe(3)
    expect(JSON.parse(r.stdout)).toMatchObject({ok: false, error: {code: 'file-not-found'}})
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK_LINE)
  })

  it('DEBUG=svidkit* adds the stack trace to the same exit 3', () => {
    const r = svidkit(['issue', '--spiffe-id', 'spiffe://example.org/web', '--ca', join(base(), 'nope')], {
      DEBUG: 'svidkit*',
    })
    expect(r.status).toBe(3)
    expect(r.stderr).toMatch(/^error \[file-not-found\]: /)
    expect(r.stderr).toMatch(STACK_LINE)
  })
})
