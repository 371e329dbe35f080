/**
 * Issue 17 item 5 and issue 20 item 10: a single-file writer (`bundle convert --out`)
 * refuses anything at the output name that is not a regular file of the invoking user (a
 * device node, a FIFO, a socket, a symlink, another user's file, a hard link), and an
 * existing file without --force, like every other writer. The device node is made in a
 * temp dir with mknod (never the machine's /dev/null), on the lite and oclif paths.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, linkSync, lstatSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {jsonError, svidkit} from './spawn-cli.js'

const base = suiteTmpDir()
let bundle = ''
beforeAll(() => {
  expect(svidkit(['ca', 'init', '--trust-domain', 'example.org', '--out', join(base(), 'ca')], base()).status).toBe(0)
  bundle = join(base(), 'ca', 'bundle.pem')
})

const isRoot = process.geteuid?.() === 0
const canSetpriv = isRoot && spawnSync('setpriv', ['--version']).status === 0

const convert = (out: string, cwd: string, lite: boolean, ...extra: string[]) =>
  svidkit(['bundle', 'convert', bundle, '--to', 'jwks', '--out', out, '--json', ...extra], cwd, lite)

const SPECIAL: {
  name: string
  make: (p: string) => Promise<() => void> | (() => void)
  code: string
  still: (p: string) => boolean
  root?: boolean
}[] = [
  {
    name: 'a character device (mknod c 1 3, a /dev/null of its own)',
    make: (p) => (execFileSync('mknod', [p, 'c', '1', '3']), () => {}),
    code: 'unsafe-file',
    still: (p) => lstatSync(p).isCharacterDevice(),
    root: true,
  },
  {
    name: 'a FIFO',
    make: (p) => (execFileSync('mkfifo', [p]), () => {}),
    code: 'unsafe-file',
    still: (p) => lstatSync(p).isFIFO(),
  },
  {
    name: 'a listening socket',
    make: async (p) => {
      const server = createServer()
      await new Promise<void>((resolve) => server.listen(p, resolve))
      return () => void server.close()
    },
    code: 'unsafe-file',
    still: (p) => lstatSync(p).isSocket(),
  },
  {
    name: 'a symlink to a file elsewhere',
    make: (p) => (writeFileSync(`${p}.target`, 'elsewhere\n'), symlinkSync(`${p}.target`, p), () => {}),
    code: 'unsafe-link',
    still: (p) =>
      lstatSync(p).isSymbolicLink() &&
      readlinkSync(p) === `${p}.target` &&
      readFileSync(`${p}.target`, 'utf8') === 'elsewhere\n',
  },
  {
    name: 'a hard link to a file elsewhere',
    make: (p) => (writeFileSync(`${p}.other`, 'other\n'), linkSync(`${p}.other`, p), () => {}),
    code: 'unsafe-file',
    still: (p) => statSync(p).nlink === 2 && readFileSync(`${p}.other`, 'utf8') === 'other\n',
  },
]

describe('bundle convert --out refuses what is not a regular file of yours (item 5)', () => {
  for (const lite of [true, false]) {
    for (const force of [false, true]) {
      it.for(SPECIAL)(
        `$name → exit 3 $code${force ? ' (even with --force)' : ''}${lite ? '' : ' (oclif)'}`,
        async ({make, code, still, root}, ctx) => {
          if (root && !isRoot) return ctx.skip()
          const dir = tmpDir(ctx)
          const out = join(dir, 'out.json')
          const cleanup = await make(out)
          try {
            const r = convert(out, dir, lite, ...(force ? ['--force'] : []))
            expect(r.status).toBe(3)
            expect(jsonError(r).code).toBe(code)
            expect(still(out)).toBe(true)
          } finally {
            cleanup()
          }
        },
      )
    }
  }

  it.skipIf(!canSetpriv)("another user's file → exit 3 unsafe-file even with --force, its bytes kept", (ctx) => {
    const dir = tmpDir(ctx)
    chmodSync(dir, 0o1777)
    const out = join(dir, 'out.json')
    expect(
      spawnSync('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        'sh',
        '-c',
        'echo theirs > "$1"',
        'sh',
        out,
      ]).status,
    ).toBe(0)
    const r = convert(out, dir, true, '--force')
    expect(r.status).toBe(3)
    expect(jsonError(r)).toMatchObject({code: 'unsafe-file', message: expect.stringMatching(/belongs to uid 65534/)})
    expect(readFileSync(out, 'utf8')).toBe('theirs\n')
  })
})

describe('bundle convert --out never overwrites without --force (issue 20 item 10)', () => {
  for (const lite of [true, false]) {
    it(`an existing file of yours → exit 3 output-exists; --force replaces it${lite ? '' : ' (oclif)'}`, (ctx) => {
      const dir = tmpDir(ctx)
      const out = join(dir, 'out.json')
      writeFileSync(out, 'mine\n')
      const r = convert(out, dir, lite)
      expect(r.status).toBe(3)
      expect(jsonError(r)).toMatchObject({code: 'output-exists', hint: expect.stringContaining('--force')})
      expect(readFileSync(out, 'utf8')).toBe('mine\n')
      expect(convert(out, dir, lite, '--force').status).toBe(0)
      expect((JSON.parse(readFileSync(out, 'utf8')) as {keys: unknown[]}).keys.length).toBe(1)
    })
  }
})
