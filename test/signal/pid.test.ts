/**
 * Signal targets are strict (issue 17 item 2): a pid is a plain decimal integer of at least
 * 2 on every command that takes one, and a pid file is a small regular file, not a link,
 * owned by the user or root, holding only such a pid. Everything else is refused before any
 * file is written: exit 2 (`--pid`) or 3 (`--pid-file`), reason code `pid-invalid`.
 *
 * On main, `rotate --signal HUP --pid -1` sent kill(-1): the CLI cases run as pid 1 of a new
 * pid namespace with a victim process beside them, which main killed.
 */
import {createHash} from 'node:crypto'
import {chownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {MAX_PID, parsePid, readPidFile} from '../../src/core/rotate/pid.js'
import {REPO, runCli} from '../helpers/cli.js'
import {PID_NAMESPACES, runInPidNamespace} from '../helpers/pid-namespace.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {makeCa} from '../rotate/harness.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

const BAD_PIDS = [
  '-1',
  '0',
  '1',
  '0x1',
  '1e0',
  ' 1.0 ',
  '+1',
  '0b1',
  '01',
  '2.0',
  '',
  '4194305',
  '99999999999999999999',
  '١٢',
]
const BAD_CONTENTS = [
  '0x1',
  '1e0',
  ' 1.0 ',
  '+1',
  '0b1',
  '1',
  '0',
  '-1',
  '',
  '\n',
  '2\n\n',
  '2\r\n',
  '02',
  ' 2',
  '2 ',
  '4194305',
  '123\nextra',
]

describe('parsePid', () => {
  it.each(BAD_PIDS)('refuses %j (exit 2, pid-invalid)', (text) => {
    expect(() => parsePid(text)).toThrow(expect.objectContaining({code: 'pid-invalid', exit: 2}))
  })

  it.each([-1, 0, 1, 1.5, Number.NaN, MAX_PID + 1, 2 ** 53])('refuses the number %d from a library caller', (n) => {
    expect(() => parsePid(n)).toThrow(expect.objectContaining({code: 'pid-invalid', exit: 2}))
  })

  it('accepts 2, 12345 and the largest Linux pid', () => {
    expect([parsePid('2'), parsePid('12345'), parsePid(String(MAX_PID)), parsePid(77)]).toEqual([2, 12345, MAX_PID, 77])
  })
})

describe('readPidFile', () => {
  it.each(BAD_CONTENTS)('refuses the content %j (exit 3, pid-invalid)', (content) => {
    const file = join(tmpDir(), 'app.pid')
    writeFileSync(file, content)
    expect(() => readPidFile(file)).toThrow(expect.objectContaining({code: 'pid-invalid', exit: 3, problem: 'content'}))
  })

  it('accepts a pid with or without one newline', () => {
    const file = join(tmpDir(), 'app.pid')
    writeFileSync(file, '4242\n')
    expect(readPidFile(file)).toBe(4242)
    writeFileSync(file, '4242')
    expect(readPidFile(file)).toBe(4242)
  })

  it('refuses a symlink (even to a good pid file), a directory, a FIFO and a long file; a missing file is file-not-found', () => {
    const dir = tmpDir()
    writeFileSync(join(dir, 'good.pid'), '4242\n')
    symlinkSync('good.pid', join(dir, 'link.pid'))
    mkdirSync(join(dir, 'dir.pid'))
    execFileSync('mkfifo', [join(dir, 'fifo.pid')])
    writeFileSync(join(dir, 'postmaster.pid'), '4242\n/var/lib/postgresql/data\n1700000000\n5432\n')
    for (const name of ['link.pid', 'dir.pid', 'fifo.pid', 'postmaster.pid'])
      expect(() => readPidFile(join(dir, name)), name).toThrow(expect.objectContaining({code: 'pid-invalid', exit: 3}))
    expect(() => readPidFile(join(dir, 'link.pid'))).toThrow(/is a symbolic link/)
    expect(() => readPidFile(join(dir, 'missing.pid'))).toThrow(
      expect.objectContaining({code: 'file-not-found', exit: 3, problem: 'missing'}),
    )
  })

  it.skipIf(process.getuid?.() !== 0)('refuses a pid file owned by another user; accepts one owned by root', () => {
    const file = join(tmpDir(), 'app.pid')
    writeFileSync(file, '4242\n')
    expect(readPidFile(file)).toBe(4242)
    chownSync(file, 65534, 65534)
    expect(() => readPidFile(file)).toThrow(
      expect.objectContaining({code: 'pid-invalid', message: expect.stringMatching(/owned by uid 65534/)}),
    )
  })

  it('escapes control characters of the content in the message', () => {
    const file = join(tmpDir(), 'app.pid')
    writeFileSync(file, '\u001b]0;x\u0007')
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f]/
    expect(() => readPidFile(file)).toThrow(expect.objectContaining({message: expect.not.stringMatching(control)}))
  })
})

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

async function issued(): Promise<string> {
  const dir = join(tmpDir(), 'svid')
  const r = await runCli(['issue', '--ca', ca, '--spiffe-id', 'spiffe://example.org/web', '--out', dir])
  expect(r.exit, r.stderr).toBe(0)
  return dir
}

/** Runs `svidkit args` as pid 1's child in a fresh pid namespace beside a victim `sleep`; says whether the victim survived. */
function svidkitBesideVictim(args: string[]): {status: number; stderr: string; victimAlive: boolean} {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  const r = runInPidNamespace(
    `sleep 60 & v=$!; node ${REPO}/bin/run.js ${quoted}; rc=$?; if kill -0 $v 2>/dev/null; then echo alive; else echo dead; fi; kill $v 2>/dev/null; echo "rc=$rc"`,
  )
  const rc = /rc=(\d+)/.exec(r.stdout)?.[1]
  return {status: Number(rc), stderr: r.stderr, victimAlive: r.stdout.includes('alive')}
}

describe.skipIf(!PID_NAMESPACES)('rotate and race through the CLI (inside a pid namespace)', () => {
  it.each(['-1', '0', '1', '0x1', '+1'])(
    'rotate --signal HUP --pid %s: exit 2 pid-invalid, nothing written, nothing signalled',
    async (pid) => {
      const dir = await issued()
      const before = sha(join(dir, 'svid.pem'))
      const r = svidkitBesideVictim(['rotate', '--dir', dir, '--ca', ca, '--signal', 'HUP', `--pid=${pid}`])
      expect(r).toMatchObject({status: 2, victimAlive: true})
      expect(r.stderr).toMatch(/^error \[pid-invalid\]: --pid ".*" is not a pid\n {2}hint: /)
      expect(sha(join(dir, 'svid.pem'))).toBe(before)
    },
  )

  it('rotate --signal HUP --pid -1 (separate argument) is refused the same way', async () => {
    const dir = await issued()
    const r = svidkitBesideVictim(['rotate', '--dir', dir, '--ca', ca, '--signal', 'HUP', '--pid', '-1'])
    expect(r).toMatchObject({status: 2, victimAlive: true})
    expect(r.stderr).toMatch(/^error \[pid-invalid\]/)
  })

  it.each(['0x1', '1e0', ' 1.0 ', '+1', '0b1', '-1'])(
    'rotate --pid-file holding %j: exit 3 pid-invalid before any file is written',
    async (content) => {
      const dir = await issued()
      const before = sha(join(dir, 'svid.pem'))
      const pidFile = join(tmpDir(), 'app.pid')
      writeFileSync(pidFile, content)
      const r = svidkitBesideVictim(['rotate', '--dir', dir, '--ca', ca, '--signal', 'HUP', '--pid-file', pidFile])
      expect(r).toMatchObject({status: 3, victimAlive: true})
      expect(r.stderr).toMatch(/^error \[pid-invalid\]: pid file ".*app\.pid" holds ".*", not a pid\n/)
      expect(sha(join(dir, 'svid.pem'))).toBe(before)
    },
  )

  it('rotate --pid-file that is a symlink to a good pid file: exit 3 before any file is written', async () => {
    const dir = await issued()
    const before = sha(join(dir, 'svid.pem'))
    const t = tmpDir()
    writeFileSync(join(t, 'real.pid'), '4242\n')
    symlinkSync(join(t, 'real.pid'), join(t, 'app.pid'))
    const r = svidkitBesideVictim([
      'rotate',
      '--dir',
      dir,
      '--ca',
      ca,
      '--signal',
      'HUP',
      '--pid-file',
      join(t, 'app.pid'),
    ])
    expect(r).toMatchObject({status: 3, victimAlive: true})
    expect(r.stderr).toMatch(/^error \[pid-invalid\]: pid file ".*" is a symbolic link/)
    expect(sha(join(dir, 'svid.pem'))).toBe(before)
  })

  it.each([
    {args: ['--pid', '-1'], status: 2},
    {args: ['--pid=0'], status: 2},
    {args: ['--pid-file', 'PIDFILE'], status: 3},
  ])(
    'race --target --reload signal:HUP $args: refused (exit $status, pid-invalid) before any file is written',
    async ({args, status}) => {
      const dir = await issued()
      const before = sha(join(dir, 'svid.pem'))
      const pidFile = join(tmpDir(), 'app.pid')
      writeFileSync(pidFile, '0x1')
      const argv = args.map((a) => (a === 'PIDFILE' ? pidFile : a))
      const r = svidkitBesideVictim([
        'race',
        '--target',
        '127.0.0.1:1',
        '--dir',
        dir,
        '--ca',
        ca,
        '--reload',
        'signal:HUP',
        ...argv,
      ])
      expect(r).toMatchObject({status, victimAlive: true})
      expect(r.stderr).toMatch(/^error \[pid-invalid\]/)
      expect(sha(join(dir, 'svid.pem'))).toBe(before)
    },
  )
})
