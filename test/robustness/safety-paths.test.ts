/**
 * Issue 17 item 1: an empty or dotted output path never deletes anything. Each command runs
 * as a real process (bin/run.js, lite and oclif paths) inside a throwaway working directory
 * holding a file; the directory and the file must survive every run.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {tmpDir} from '../helpers/tmp.js'
import {svidkit} from './spawn-cli.js'

/** A working directory with one file in it, inside a temporary directory. */
function workdir(ctx: Parameters<typeof tmpDir>[0]): {base: string; cwd: string} {
  const base = tmpDir(ctx)
  const cwd = join(base, 'work')
  mkdirSync(cwd)
  writeFileSync(join(cwd, 'keep.txt'), 'precious\n')
  return {base, cwd}
}

function expectIntact(base: string, cwd: string): void {
  expect(existsSync(join(cwd, 'keep.txt'))).toBe(true)
  // Nothing renamed aside or staged next to the working directory.
  expect(readdirSync(base)).toEqual(['work'])
}

const TD = ['--trust-domain', 'example.org']

/** Every path flag and argument of every command, given "" (exit 2, usage, before anything is touched). */
const EMPTY: {name: string; args: string[]; flag: string}[] = [
  {name: 'ca init --out', args: ['ca', 'init', ...TD, '--out', ''], flag: '--out'},
  {name: 'ca init --out --force', args: ['ca', 'init', ...TD, '--out', '', '--force'], flag: '--out'},
  {name: 'issue --out', args: ['issue', '--spiffe-id', 'spiffe://example.org/w', '--out', ''], flag: '--out'},
  {name: 'issue --ca', args: ['issue', '--spiffe-id', 'spiffe://example.org/w', '--ca', ''], flag: '--ca'},
  {name: 'bundle convert --out', args: ['bundle', 'convert', 'keep.txt', '--to', 'pem', '--out', ''], flag: '--out'},
  {name: 'rotate --dir', args: ['rotate', '--dir', ''], flag: '--dir'},
  {name: 'rotate --ca', args: ['rotate', '--dir', 'svid', '--ca', ''], flag: '--ca'},
  {
    name: 'rotate --pid-file',
    args: ['rotate', '--dir', 'svid', '--signal', 'HUP', '--pid-file', ''],
    flag: '--pid-file',
  },
  {name: 'verify --dir', args: ['verify', '--dir', ''], flag: '--dir'},
  {name: 'handshake --dir', args: ['handshake', '127.0.0.1:1', '--dir', ''], flag: '--dir'},
  {name: 'serve --dir', args: ['serve', '127.0.0.1:0', '--dir', ''], flag: '--dir'},
  {name: 'race --dir', args: ['race', '--target', '127.0.0.1:1', '--dir', ''], flag: '--dir'},
  {
    name: 'race --timeline',
    args: ['race', '--target', '127.0.0.1:1', '--dir', 'svid', '--timeline', ''],
    flag: '--timeline',
  },
  {
    name: 'workload-api serve --socket',
    args: ['workload-api', 'serve', '--spiffe-id', 'spiffe://example.org/w', '--socket', ''],
    flag: '--socket',
  },
  {name: 'watch DIR', args: ['watch', ''], flag: 'DIR'},
]

describe('an empty path is a usage error on every command (item 1)', () => {
  for (const lite of [true, false]) {
    it.for(EMPTY)(`$name "" → exit 2${lite ? '' : ' (oclif)'}`, ({args, flag}, ctx) => {
      const {base, cwd} = workdir(ctx)
      const r = svidkit([...args, '--json'], cwd, lite)
      expect({status: r.status, stderr: r.stderr}).toMatchObject({status: 2})
      const err = JSON.parse(r.stdout || r.stderr) as {error: {code: string; message: string}}
      expect(err.error.code).toBe('usage')
      expect(err.error.message).toContain(flag)
      expect(err.error.message).toContain('empty')
      expectIntact(base, cwd)
    })
  }
})

describe('ca init never replaces the directory it runs in (item 1)', () => {
  const DOTTED = ['.', './', 'missing/..', 'a/b/../..', '..', '/']
  for (const out of DOTTED) {
    for (const force of [false, true]) {
      it(`--out "${out}"${force ? ' --force' : ''} → exit 2, nothing removed`, (ctx) => {
        const {base, cwd} = workdir(ctx)
        const r = svidkit(['ca', 'init', ...TD, '--out', out, ...(force ? ['--force'] : []), '--json'], cwd)
        expect(r.status).toBe(2)
        expect((JSON.parse(r.stdout) as {error: {message: string}}).error.message).toMatch(/current directory/)
        expectIntact(base, cwd)
      })
    }
  }

  it('--out /x/missing/.. is /x: checked and replaced as /x, refused when it holds other files', (ctx) => {
    const {base, cwd} = workdir(ctx)
    const other = join(base, 'other')
    mkdirSync(other)
    writeFileSync(join(other, 'notes.txt'), 'mine\n')
    for (const force of [false, true]) {
      const r = svidkit(
        ['ca', 'init', ...TD, '--out', join(other, 'missing', '..'), ...(force ? ['--force'] : []), '--json'],
        cwd,
      )
      expect(r.status).toBe(3)
      expect((JSON.parse(r.stdout) as {error: {code: string}}).error.code).toBe('output-exists')
      expect(readdirSync(other)).toEqual(['notes.txt'])
    }
    expect(readdirSync(base).sort()).toEqual(['other', 'work'])
    expect(existsSync(join(cwd, 'keep.txt'))).toBe(true)
  })

  it('--out x/.. from a sibling is the working directory: refused the same way', (ctx) => {
    const {base, cwd} = workdir(ctx)
    const r = svidkit(['ca', 'init', ...TD, '--out', join('..', 'work', 'missing', '..'), '--force'], cwd)
    expect(r.status).toBe(2)
    expectIntact(base, cwd)
  })
})

describe('ca init on a non-empty directory: the hint is a command that works (issue 20 item 8)', () => {
  it('a directory holding a file that is not a CA file: the hint never suggests --force, and --force is refused', (ctx) => {
    const {base, cwd} = workdir(ctx)
    const r = svidkit(['ca', 'init', ...TD, '--out', 'work', '--json'], base)
    expect(r.status).toBe(3)
    const e = (JSON.parse(r.stdout) as {error: {code: string; message: string; hint: string}}).error
    expect(e.code).toBe('output-exists')
    expect(e.message).toContain('"keep.txt" is not a CA file')
    expect(e.hint).not.toContain('--force')
    expect(svidkit(['ca', 'init', ...TD, '--out', 'work', '--force'], base).status).toBe(3)
    expectIntact(base, cwd)
  })

  it('a directory holding a CA: the hint suggests --force, and --force replaces it', (ctx) => {
    const dir = tmpDir(ctx)
    expect(svidkit(['ca', 'init', ...TD, '--out', 'ca'], dir).status).toBe(0)
    const r = svidkit(['ca', 'init', ...TD, '--out', 'ca', '--json'], dir)
    expect(r.status).toBe(3)
    expect((JSON.parse(r.stdout) as {error: {hint: string}}).error.hint).toContain('--force')
    expect(svidkit(['ca', 'init', ...TD, '--out', 'ca', '--force'], dir).status).toBe(0)
  })
})

describe('issue --out checks the directory it writes into (the same split, audited)', () => {
  it('--out missing/.. where the working directory holds an SVID → exit 3 output-exists, nothing replaced', (ctx) => {
    const {base, cwd} = workdir(ctx)
    expect(svidkit(['ca', 'init', ...TD, '--out', join(base, 'ca')], base).status).toBe(0)
    const issue = (out: string) =>
      svidkit(['issue', '--ca', join(base, 'ca'), '--spiffe-id', 'spiffe://example.org/w', '--out', out, '--json'], cwd)
    expect(issue('.').status).toBe(0)
    const before = readFileSync(join(cwd, 'svid.pem'), 'utf8')
    const r = issue('missing/..')
    expect(r.status).toBe(3)
    expect((JSON.parse(r.stdout) as {error: {code: string}}).error.code).toBe('output-exists')
    expect(readFileSync(join(cwd, 'svid.pem'), 'utf8')).toBe(before)
  })
})

describe('rotate --dir checks and changes one spelling of the directory', () => {
  it('kubelet --dir missing/.. is checked as the working directory it names (no internal error), keeping its files', (ctx) => {
    const {base, cwd} = workdir(ctx)
    expect(svidkit(['ca', 'init', ...TD, '--out', join(base, 'ca')], base).status).toBe(0)
    const args = [
      'rotate',
      '--dir',
      'missing/..',
      '--ca',
      join(base, 'ca'),
      '--mode',
      'kubelet',
      '--spiffe-id',
      'spiffe://example.org/w',
    ]
    // The working directory holds keep.txt: not an SVID directory, refused as such.
    const r = svidkit([...args, '--json'], cwd)
    expect(r.status).toBe(3)
    expect((JSON.parse(r.stdout) as {error: {code: string; message: string}}).error).toMatchObject({
      code: 'output-exists',
      message: expect.stringContaining('"."'),
    })
    expect(svidkit([...args, '--force'], cwd).status).toBe(0)
    expect(readdirSync(cwd)).toEqual(expect.arrayContaining(['..data', 'tls.crt', 'keep.txt']))
    expect(existsSync(join(cwd, 'missing'))).toBe(false)
  })
})
