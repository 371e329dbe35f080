/**
 * Validate first, create nothing on failure: every command that writes files or directories,
 * given flags it refuses (exit 2) or an input it cannot read (exit 3), leaves the working
 * directory as it was: no output directory, no parent of one, no file. `rotate` used to create
 * --dir with its parents before finding that the CA, the SPIFFE ID or the first rotation
 * was unusable. One-shot commands run through both the lite path and oclif (SVIDKIT_LITE=0).
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'

const base = suiteTmpDir()
const BIN = join(REPO, 'bin', 'run.js')
/** A CA made once, outside the directories the cases run in. */
let ca = ''

function svidkit(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: {...process.env, NO_COLOR: '1', ...env},
  })
}

/** Every path under `dir`, relative to it. */
function tree(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'}).sort()
}

beforeAll(() => {
  ca = join(base(), 'ca')
  const r = svidkit(base(), ['ca', 'init', '--trust-domain', 'example.org', '--out', ca])
  expect(r.status, r.stderr).toBe(0)
})

/** [name, argv (CA as $CA), exit]: each writes under out/deep/ when it succeeds. */
const CASES: [string, string[], number][] = [
  ['rotate: invalid --spiffe-id', ['rotate', '--dir', 'out/deep/svid', '--ca', '$CA', '--spiffe-id', 'web'], 2],
  ['rotate: first rotation without --spiffe-id', ['rotate', '--dir', 'out/deep/svid', '--ca', '$CA'], 2],
  [
    'rotate: SPIFFE ID of another trust domain',
    ['rotate', '--dir', 'out/deep/svid', '--ca', '$CA', '--spiffe-id', 'spiffe://other.org/web'],
    2,
  ],
  [
    'rotate: no such CA',
    ['rotate', '--dir', 'out/deep/svid', '--ca', 'no-ca', '--spiffe-id', 'spiffe://example.org/web'],
    3,
  ],
  [
    'rotate: --signal without a pid',
    ['rotate', '--dir', 'out/deep/svid', '--ca', '$CA', '--spiffe-id', 'spiffe://example.org/web', '--signal', 'HUP'],
    2,
  ],
  [
    'rotate: bad --order',
    ['rotate', '--dir', 'out/deep/svid', '--ca', '$CA', '--spiffe-id', 'spiffe://example.org/web', '--order', 'cert'],
    2,
  ],
  [
    'rotate dir-symlink: invalid --spiffe-id',
    ['rotate', '--mode', 'dir-symlink', '--dir', 'out/deep/current', '--ca', '$CA', '--spiffe-id', 'web'],
    2,
  ],
  [
    'rotate kubelet: bad --fail-after',
    [
      'rotate',
      '--mode',
      'kubelet',
      '--dir',
      'out/deep/svid',
      '--ca',
      '$CA',
      '--spiffe-id',
      'spiffe://example.org/web',
      '--fail-after',
      'nope',
    ],
    2,
  ],
  ['ca init: invalid trust domain', ['ca', 'init', '--trust-domain', 'Example Org', '--out', 'out/deep/ca'], 2],
  [
    'ca init: bad --key-type',
    ['ca', 'init', '--trust-domain', 'example.org', '--out', 'out/deep/ca', '--key-type', 'dsa'],
    2,
  ],
  [
    'issue: negative --ttl',
    ['issue', '--ca', '$CA', '--spiffe-id', 'spiffe://example.org/web', '--out', 'out/deep/svid', '--ttl', '-1h'],
    2,
  ],
  [
    'issue: another trust domain',
    ['issue', '--ca', '$CA', '--spiffe-id', 'spiffe://other.org/web', '--out', 'out/deep/svid'],
    2,
  ],
  [
    'issue: no such CA',
    ['issue', '--ca', 'no-ca', '--spiffe-id', 'spiffe://example.org/web', '--out', 'out/deep/svid'],
    3,
  ],
  [
    'issue --count: unknown defect',
    [
      'issue',
      '--ca',
      '$CA',
      '--spiffe-id',
      'spiffe://example.org/web',
      '--out',
      'out/deep/svid',
      '--count',
      '3',
      '--defect',
      'nope',
    ],
    2,
  ],
  [
    'bundle convert: no bundle for --trust-domain',
    [
      'bundle',
      'convert',
      'example.org=$CA/bundle.pem',
      '--to',
      'jwks',
      '--trust-domain',
      'other.org',
      '--out',
      'out/deep/b.json',
    ],
    2,
  ],
  [
    'bundle convert: no such input',
    ['bundle', 'convert', 'example.org=nope.pem', '--to', 'jwks', '--out', 'out/deep/b.json'],
    3,
  ],
  [
    'race --target: --reload signal without a pid',
    ['race', '--target', '127.0.0.1:1', '--dir', 'out/deep/svid', '--ca', '$CA', '--reload', 'signal:HUP'],
    2,
  ],
  ['race --target: no such CA', ['race', '--target', '127.0.0.1:1', '--dir', 'out/deep/svid', '--ca', 'no-ca'], 3],
]

/** The commands with a lite path (bin/run.js): run both ways. */
const LITE = /^(ca init|issue|bundle convert)\b/

describe('a refused command creates nothing', () => {
  for (const lite of ['default', '0'])
    it.each(lite === '0' ? CASES.filter(([name]) => LITE.test(name)) : CASES)(
      `%s (SVIDKIT_LITE=${lite})`,
      (name, argv, exit) => {
        const cwd = join(base(), `${lite}-${name.replace(/[^a-z0-9]+/gi, '-')}`)
        mkdirSync(cwd)
        const r = svidkit(
          cwd,
          argv.map((a) => a.replace('$CA', ca)),
          lite === '0' ? {SVIDKIT_LITE: '0'} : {},
        )
        expect(r.status, r.stderr).toBe(exit)
        expect(r.stderr).toMatch(/^error \[/)
        expect(tree(cwd)).toEqual([])
      },
    )
})
