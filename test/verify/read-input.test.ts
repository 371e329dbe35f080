/**
 * Inputs are regular files read with a hard limit (issue 8 item 5, issue 11): devices,
 * FIFOs and directories are `not-a-regular-file` (exit 3) without blocking or growing;
 * no permission is `permission-denied`, not a format error; `-` is standard input;
 * `verify --dir` names a missing directory or a file given as one.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {isSvidkitError} from '../../src/core/errors.js'
import {inputError, MAX_INPUT_BYTES, readInput} from '../../src/core/fs/read-input.js'
import {verifyFiles} from '../../src/core/verify/verify-files.js'
import {inspectFile} from '../../src/core/inspect/inspect.js'
import {jsonOf, REPO, runCli, STACK_LINE} from '../helpers/cli.js'
import {run} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {issueTo, makeCa, svidFiles, TD, type CaFixture} from './fixtures.js'

const dir = suiteTmpDir()
let ca: CaFixture
let svid: string
let fifo: string

function code(fn: () => unknown): {code: string; message: string; hint: string} {
  try {
    fn()
  } catch (err) {
    if (isSvidkitError(err)) return {code: err.code, message: err.message, hint: err.hint}
    throw err
  }
  return {code: 'ok', message: '', hint: ''}
}

beforeAll(async () => {
  ca = await makeCa(join(dir(), 'ca'), TD)
  svid = await issueTo(ca, join(dir(), 'svid'))
  fifo = join(dir(), 'a-fifo')
  execFileSync('mkfifo', [fifo])
})

describe('special files are refused, without blocking or reading them', () => {
  const rows: {name: string; path: () => string; what: RegExp}[] = [
    {name: '/dev/zero (endless device)', path: () => '/dev/zero', what: /is a character device, not a regular file/},
    {name: 'a FIFO with no writer', path: () => fifo, what: /is a FIFO, not a regular file/},
    {name: 'a directory', path: () => dir(), what: /is a directory, not a regular file/},
  ]
  it.each(rows.map((r) => [r.name, r] as const))('%s: not-a-regular-file in every role', (_n, row) => {
    const p = row.path()
    for (const kind of ['pem-invalid', 'key-invalid', 'bundle-invalid'] as const) {
      expect(code(() => readInput(p, kind))).toMatchObject({
        code: 'not-a-regular-file',
        message: expect.stringMatching(row.what),
      })
    }
    expect(code(() => verifyFiles({file: p, bundles: [`${TD}=${ca.bundlePem}`]})).code).toBe('not-a-regular-file')
    expect(code(() => verifyFiles({file: svidFiles(svid).cert, key: p, bundles: [`${TD}=${ca.bundlePem}`]})).code).toBe(
      'not-a-regular-file',
    )
    expect(code(() => verifyFiles({file: svidFiles(svid).cert, bundles: [`${TD}=${p}`]})).code).toBe(
      'not-a-regular-file',
    )
    expect(code(() => inspectFile(p, new Date())).code).toBe('not-a-regular-file')
  })

  it('inside --dir: a FIFO in place of the key or the bundle is refused, not waited on', () => {
    for (const name of ['svid_key.pem', 'svid_bundle.pem']) {
      const d = join(dir(), `fifo-in-${name}`)
      mkdirSync(d)
      for (const f of ['svid.pem', 'svid_key.pem', 'svid_bundle.pem'])
        if (f !== name) writeFileSync(join(d, f), readFileSync(join(svid, f)))
      execFileSync('mkfifo', [join(d, name)])
      expect(code(() => verifyFiles({dir: d}))).toMatchObject({
        code: 'not-a-regular-file',
        message: expect.stringContaining(name),
      })
    }
  })

  it('the CLI: verify /dev/zero and a FIFO exit 3 in both modes, no stack', async () => {
    for (const p of ['/dev/zero', fifo]) {
      const human = await runCli(['verify', p, '--bundle', `${TD}=${ca.bundlePem}`])
      expect({exit: human.exit, stack: STACK_LINE.test(human.stderr)}).toEqual({exit: 3, stack: false})
      expect(human.stderr).toMatch(/^error \[not-a-regular-file\]: /)
      const json = await runCli(['verify', p, '--bundle', `${TD}=${ca.bundlePem}`, '--json'])
      expect({exit: json.exit, code: (jsonOf(json.stdout) as {errors: {code: string}[]}).errors[0].code}).toEqual({
        exit: 3,
        code: 'not-a-regular-file',
      })
    }
  })

  it('inspect of a directory names the files to give instead (inspect has no --dir)', async () => {
    const r = await runCli(['inspect', svid])
    expect(r.exit).toBe(3)
    expect(r.stderr).toMatch(/^error \[not-a-regular-file\]: ".*" is a directory, not a regular file/)
    expect(r.stderr).toContain(
      `hint: inspect takes files, not a directory: svidkit inspect ${join(svid, 'svid.pem')} ${join(svid, 'svid_bundle.pem')} ${join(svid, 'svid_key.pem')}`,
    )
  })
})

describe('permission denied', () => {
  it('EACCES and EPERM map to permission-denied; ENOENT to file-not-found; others keep the role code', () => {
    const err = (c: string) => Object.assign(new Error(c), {code: c})
    expect(inputError(err('EACCES'), 'k.pem', 'key-invalid')).toMatchObject({
      code: 'permission-denied',
      message: 'permission denied reading "k.pem"',
      exit: 3,
    })
    expect(inputError(err('EPERM'), 'b.pem', 'bundle-invalid')).toMatchObject({code: 'permission-denied'})
    expect(inputError(err('ENOENT'), 'c.pem', 'pem-invalid')).toMatchObject({
      code: 'file-not-found',
      message: 'no such file "c.pem"',
    })
    expect(inputError(err('EIO'), 'c.pem', 'pem-invalid')).toMatchObject({
      code: 'pem-invalid',
      message: 'cannot read "c.pem": EIO',
    })
  })

  // As root every file is readable: run the real CLI as "nobody" (setpriv) on a 0600 file of root's.
  const canDrop = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv')
  it.skipIf(!canDrop)(
    'an unreadable cert, key and bundle: exit 3 permission-denied through the CLI (as nobody)',
    () => {
      if (!canDrop) return
      const d = join(dir(), 'locked')
      mkdirSync(d, {mode: 0o755})
      chmodSync(dir(), 0o755)
      const files = svidFiles(svid)
      for (const [n, src] of Object.entries({cert: files.cert, key: files.key, bundle: files.bundle})) {
        writeFileSync(join(d, `${n}.pem`), readFileSync(src), {mode: 0o600})
        writeFileSync(join(d, `${n}-open.pem`), readFileSync(src), {mode: 0o644})
      }
      const asNobody = (args: string[]) =>
        run(
          '/usr/bin/setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(REPO, 'bin/run.js'), ...args],
          {
            env: {PATH: process.env.PATH, NO_COLOR: '1', HOME: '/tmp'},
          },
        )
      const cases = [
        ['verify', join(d, 'cert.pem'), '--bundle', `${TD}=${join(d, 'bundle-open.pem')}`, '--json'],
        [
          'verify',
          join(d, 'cert-open.pem'),
          '--key',
          join(d, 'key.pem'),
          '--bundle',
          `${TD}=${join(d, 'bundle-open.pem')}`,
          '--json',
        ],
        ['verify', join(d, 'cert-open.pem'), '--bundle', `${TD}=${join(d, 'bundle.pem')}`, '--json'],
      ]
      for (const args of cases) {
        const r = asNobody(args)
        const doc = jsonOf(r.stdout) as {errors: {code: string; message: string}[]}
        expect({status: r.status, code: doc.errors[0].code, message: doc.errors[0].message}).toEqual({
          status: 3,
          code: 'permission-denied',
          message: expect.stringMatching(/^permission denied reading ".*\/(cert|key|bundle)\.pem"$/),
        })
      }
      // The readable set verifies as nobody: the failure above is the permission alone.
      const ok = asNobody([
        'verify',
        join(d, 'cert-open.pem'),
        '--key',
        join(d, 'key-open.pem'),
        '--bundle',
        `${TD}=${join(d, 'bundle-open.pem')}`,
      ])
      expect(ok.status, ok.stderr).toBe(0)
    },
  )
})

describe('"-" is standard input (one place: readInput)', () => {
  it('verify - --key - (a credential bundle on stdin), inspect -, bundle convert TD=- (the --bundle reader)', () => {
    const files = svidFiles(svid)
    const chain = readFileSync(files.cert)
    const key = readFileSync(files.key)
    const cli = (args: string[], input: Buffer) =>
      run(process.execPath, [join(REPO, 'bin/run.js'), ...args], {
        cwd: REPO,
        input,
        env: {...process.env, NO_COLOR: '1', DEBUG: ''},
      })
    expect(
      cli(['verify', '-', '--key', '-', '--bundle', `${TD}=${ca.bundlePem}`], Buffer.concat([key, chain])).status,
    ).toBe(0)
    const inspected = cli(['inspect', '-', '--json'], chain)
    expect((jsonOf(inspected.stdout) as {files: {path: string; kind: string}[]}).files[0]).toMatchObject({
      path: '<stdin>',
      kind: 'chain',
    })
    const converted = cli(['bundle', 'convert', `${TD}=-`, '--to', 'jwks'], readFileSync(ca.bundlePem))
    expect({status: converted.status, keys: (JSON.parse(converted.stdout) as {keys: unknown[]}).keys.length}).toEqual({
      status: 0,
      keys: 1,
    })
  })

  it('more than the input limit on stdin is refused while reading (a pipe has no size)', () => {
    const r = run(process.execPath, [join(REPO, 'bin/run.js'), 'inspect', '-'], {
      cwd: REPO,
      input: Buffer.alloc(MAX_INPUT_BYTES + 1024, 0x41),
      env: {...process.env, NO_COLOR: '1'},
    })
    expect(r.status).toBe(3)
    expect(r.stderr).toMatch(/^error \[pem-invalid\]: "<stdin>" is larger than the 8388608-byte limit for an input/)
  })
})

describe('verify --dir says what is wrong with the directory', () => {
  it.each([
    {
      name: 'a file given as --dir',
      dir: () => svidFiles(svid).cert,
      exit: 3,
      code: 'not-a-directory',
      message: /^".*svid\.pem" is a file, not a directory$/,
    },
    {
      name: 'a missing directory',
      dir: () => join(dir(), 'nope'),
      exit: 3,
      code: 'file-not-found',
      message: /^directory ".*nope" does not exist$/,
    },
  ])('$name', async (row) => {
    const r = await runCli(['verify', '--dir', row.dir(), '--json'])
    const doc = jsonOf(r.stdout) as {errors: {code: string; message: string}[]}
    expect({exit: r.exit, code: doc.errors[0].code}).toEqual({exit: row.exit, code: row.code})
    expect(doc.errors[0].message).toMatch(row.message)
  })

  it('a directory without its bundle file: exit 3 file-not-found naming the bundle (not 4)', async () => {
    const d = join(dir(), 'no-bundle')
    mkdirSync(d)
    for (const f of ['svid.pem', 'svid_key.pem']) writeFileSync(join(d, f), readFileSync(join(svid, f)))
    const r = await runCli(['verify', '--dir', d])
    expect(r.exit).toBe(3)
    expect(r.stderr).toMatch(/^error \[file-not-found\]: no such file ".*no-bundle\/svid_bundle\.pem"/)
    writeFileSync(join(d, 'svid_bundle.pem'), readFileSync(join(svid, 'svid_bundle.pem')))
    expect((await runCli(['verify', '--dir', d])).exit).toBe(0)
    unlinkSync(join(d, 'svid_bundle.pem'))
  })
})
