/**
 * Issue 17 item 13, small truths: a socket given as an input file is `not-a-regular-file`;
 * a missing socket directory is reported as missing; an empty --trust-domain is called
 * empty; a CA directory (it holds private keys) is created 0700 whatever the umask; the
 * Postgres recipe of docs/race.md gives a pid file the strict pid-file rule accepts.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {jsonError, svidkit} from './spawn-cli.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(() => {
  ca = join(base(), 'ca')
  expect(svidkit(['ca', 'init', '--trust-domain', 'example.org', '--out', ca], base()).status).toBe(0)
})

describe('a socket given as an input file', () => {
  for (const lite of [true, false]) {
    it.for([
      ['verify', 'S', '--bundle', 'B'],
      ['inspect', 'S'],
      ['bundle', 'convert', 'S', '--to', 'pem'],
      ['verify', 'C', '--bundle', 'S'],
    ])(`%s … → exit 3 not-a-regular-file, "is a socket"${lite ? '' : ' (oclif)'}`, async (args, ctx) => {
      const dir = tmpDir(ctx)
      const sock = join(dir, 'api.sock')
      const server = createServer()
      await new Promise<void>((resolve) => server.listen(sock, resolve))
      try {
        const argv = args.map((a) =>
          a === 'S' ? sock : a === 'B' ? join(ca, 'bundle.pem') : a === 'C' ? join(ca, 'root.pem') : a,
        )
        const r = svidkit([...argv, '--json'], dir, lite)
        expect(r.status).toBe(3)
        // verify reports its findings in its result document; the others print one error.
        const doc = JSON.parse(r.stdout) as {errors?: {code: string; message: string}[]}
        const err = args[0] === 'verify' ? doc.errors?.[0] : jsonError(r)
        expect(err).toMatchObject({code: 'not-a-regular-file', message: expect.stringContaining('is a socket')})
      } finally {
        await new Promise((resolve) => server.close(resolve))
      }
    })
  }
})

describe('workload-api serve --socket in a missing directory', () => {
  it('→ exit 3 file-not-found naming the directory (not EACCES)', (ctx) => {
    const dir = tmpDir(ctx)
    const r = svidkit(
      [
        'workload-api',
        'serve',
        '--spiffe-id',
        'spiffe://example.org/w',
        '--ca',
        ca,
        '--socket',
        join(dir, 'missing', 'api.sock'),
        '--json',
      ],
      dir,
    )
    expect(r.status).toBe(3)
    const e = jsonError(r)
    expect(e.code).toBe('file-not-found')
    expect(e.message).toContain(`"${join(dir, 'missing')}" does not exist`)
    expect(e.message).not.toContain('EACCES')
  })
})

describe('an empty --trust-domain', () => {
  for (const lite of [true, false]) {
    it(`bundle convert --trust-domain= → exit 2, "is empty" (not "several trust domains")${lite ? '' : ' (oclif)'}`, (ctx) => {
      const r = svidkit(
        ['bundle', 'convert', join(ca, 'bundle.pem'), '--to', 'pem', '--trust-domain=', '--json'],
        tmpDir(ctx),
        lite,
      )
      expect(r.status).toBe(2)
      expect(jsonError(r).message).toBe('--trust-domain "" is empty')
    })
  }
})

describe('a CA directory is created 0700 whatever the umask', () => {
  it.for(['022', '077', '000'])('umask %s → ca/ is 0700', (umask, ctx) => {
    const dir = tmpDir(ctx)
    const out = join(dir, 'ca')
    const r = spawnSync(
      'sh',
      [
        '-c',
        `umask ${umask}; exec "$0" "$@"`,
        process.execPath,
        join(REPO, 'bin', 'run.js'),
        'ca',
        'init',
        '--trust-domain',
        'example.org',
        '--out',
        out,
      ],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    )
    expect(r.status).toBe(0)
    expect((statSync(out).mode & 0o777).toString(8)).toBe('700')
  })
})

describe('docs/race.md: the Postgres recipe satisfies the strict pid-file rule', () => {
  it('postmaster.pid is never given to --pid-file; the recipe makes a file holding only the pid', (ctx) => {
    const doc = readFileSync(join(REPO, 'docs', 'race.md'), 'utf8')
    const section = doc.slice(doc.indexOf('### Postgres'), doc.indexOf('\n### ', doc.indexOf('### Postgres') + 1))
    expect(section).not.toMatch(/--pid-file\s+\S*postmaster\.pid/)
    const recipe = /^head -n 1 "\$PGDATA\/postmaster\.pid" > (.+)$/m.exec(section)
    expect(recipe).not.toBeNull()
    // Run the recipe on a postmaster.pid as Postgres writes it (pid, data dir, start time, port, socket dir, ...).
    const pgdata = tmpDir(ctx)
    writeFileSync(
      join(pgdata, 'postmaster.pid'),
      '4242\n/var/lib/postgresql/16/main\n1733600000\n5432\n/var/run/postgresql\n*\n  5432001    327680\nready   \n',
    )
    const pidFile = join(pgdata, 'postgres.pid')
    expect(
      spawnSync('sh', ['-c', `head -n 1 "$PGDATA/postmaster.pid" > "${pidFile}"`], {
        env: {...process.env, PGDATA: pgdata},
      }).status,
    ).toBe(0)
    expect(readFileSync(pidFile, 'utf8')).toMatch(/^[1-9][0-9]*\n$/)
  })
})
