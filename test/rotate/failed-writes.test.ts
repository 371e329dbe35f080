/**
 * Failed writes (issue 8 item 11): a full disk, an output name that is a directory, a path
 * that cannot exist. `issue`, `ca init`, `bundle convert` and `rotate` exit 3 with the
 * path and the OS reason and leave no temporary file (key temporaries included).
 * ENOSPC is real where a small tmpfs can be mounted (root with CAP_SYS_ADMIN), and
 * injected into writeFilesAtomic otherwise.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isSvidkitError} from '../../src/core/errors.js'
import {
  writeFilesAtomic,
  writeFilesAtomicAsync,
  type FileToWrite,
  type WriteOps,
} from '../../src/core/fs/atomic-write.js'
import {jsonOf, runCli} from '../helpers/cli.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'
import {makeCa} from './harness.js'
import {leftovers} from './neighbourhood.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

interface Failure {
  exit: number
  code: string
  message: string
}

async function fail(args: string[]): Promise<Failure> {
  const r = await runCli([...args, '--json'])
  // rotate streams NDJSON events before the error document: the error is the last line.
  const start = r.stdout.startsWith('{\n') ? 0 : r.stdout.lastIndexOf('\n{\n') + 1
  const doc = jsonOf(r.stdout.slice(start)) as {error: {code: string; message: string}}
  return {exit: r.exit, code: doc.error.code, message: doc.error.message}
}

describe('injected ENOSPC in writeFilesAtomic', () => {
  const writers: {name: string; write: (files: FileToWrite[], ops: WriteOps) => Promise<void>}[] = [
    {name: 'writeFilesAtomic', write: async (files, ops) => writeFilesAtomic(files, ops)},
    {name: 'writeFilesAtomicAsync (fsyncs at once)', write: (files, ops) => writeFilesAtomicAsync(files, ops)},
  ]
  it.for(writers)(
    '$name: the second file fails: every temporary goes, the old files stay, exit 3 names the path and the reason',
    async ({write}, ctx) => {
      const dir = tmpDir(ctx)
      writeFileSync(join(dir, 'a.pem'), 'old a')
      writeFileSync(join(dir, 'b-key.pem'), 'old b', {mode: 0o600})
      let writes = 0
      const full = (fd: number, buf: Uint8Array, off: number, len: number) => {
        if (++writes === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
        return len
      }
      let err: unknown
      try {
        await write(
          [
            {path: join(dir, 'a.pem'), data: 'new a', mode: 0o644},
            {path: join(dir, 'b-key.pem'), data: 'new b', mode: 0o600},
          ],
          {writeSync: full},
        )
      } catch (e) {
        err = e
      }
      expect(isSvidkitError(err) && {code: err.code, exit: err.exit, message: err.message}).toEqual({
        code: 'output-not-writable',
        exit: 3,
        message: `cannot write "${join(dir, 'b-key.pem')}": no space left on device (ENOSPC)`,
      })
      expect(readdirSync(dir).sort()).toEqual(['a.pem', 'b-key.pem'])
      expect(readFileSync(join(dir, 'a.pem'), 'utf8')).toBe('old a')
    },
  )

  it('writeFilesAtomicAsync: every file replaced, modes from the start, no temporary left', async (ctx) => {
    const dir = tmpDir(ctx)
    writeFileSync(join(dir, 'a.pem'), 'old a')
    await writeFilesAtomicAsync([
      {path: join(dir, 'a.pem'), data: 'new a', mode: 0o644},
      {path: join(dir, 'b-key.pem'), data: 'new b', mode: 0o600},
      {path: join(dir, 'c.pem'), data: new Uint8Array([99]), mode: 0o644},
    ])
    expect(readdirSync(dir).sort()).toEqual(['a.pem', 'b-key.pem', 'c.pem'])
    expect(['a.pem', 'b-key.pem', 'c.pem'].map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual([
      'new a',
      'new b',
      'c',
    ])
    expect(statSync(join(dir, 'b-key.pem')).mode & 0o777).toBe(0o600)
  })
})

describe('an output name that is a directory', () => {
  it('bundle convert --out DIR → exit 3, "is a directory", no temporary', async (ctx) => {
    const dir = tmpDir(ctx)
    mkdirSync(join(dir, 'out.json'))
    writeFileSync(join(dir, 'out.json', 'x'), 'x')
    const f = await fail(['bundle', 'convert', join(ca, 'bundle.pem'), '--to', 'jwks', '--out', join(dir, 'out.json')])
    expect(f).toEqual({
      exit: 3,
      code: 'output-not-writable',
      message: `cannot write "${join(dir, 'out.json')}": is a directory (EISDIR)`,
    })
    expect(leftovers(dir)).toEqual([])
  })

  it('issue --out DIR whose key name is a directory → exit 3, no key temporary', async (ctx) => {
    const dir = join(tmpDir(ctx), 'svid')
    mkdirSync(join(dir, 'svid_key.pem'), {recursive: true})
    writeFileSync(join(dir, 'svid_key.pem', 'x'), 'x')
    const f = await fail(['issue', '--ca', ca, '--spiffe-id', 'spiffe://example.org/web', '--out', dir])
    expect(f.exit).toBe(3)
    expect(['output-not-writable', 'output-exists']).toContain(f.code)
    expect(f.message).toContain(dir)
    expect(leftovers(dir)).toEqual([])
  })
})

/** A 64 KiB tmpfs, filled up, or undefined when this machine cannot mount one. */
function fullTmpfs(): string | undefined {
  const mnt = join(base(), 'full')
  mkdirSync(mnt)
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], {stdio: 'ignore'})
  } catch {
    return undefined
  }
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(mnt, 'filler')}`, 'bs=4k'], {stdio: 'ignore'})
  } catch {
    // dd ends with ENOSPC: the disk is full
  }
  return mnt
}

describe('a full disk (ENOSPC on a real tmpfs)', () => {
  let mnt: string | undefined
  beforeAll(() => {
    mnt = fullTmpfs()
    if (!mnt)
      console.log(
        'skipping the tmpfs ENOSPC tests: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the injected test above still runs',
      )
  })
  afterAll(() => {
    if (mnt) execFileSync('umount', [mnt], {stdio: 'ignore'})
  })

  const cmds: {name: string; args: (m: string) => string[]}[] = [
    {name: 'ca init', args: (m) => ['ca', 'init', '--trust-domain', 'example.org', '--out', join(m, 'ca')]},
    {
      name: 'issue',
      args: (m) => ['issue', '--ca', ca, '--spiffe-id', 'spiffe://example.org/web', '--out', join(m, 'svid')],
    },
    {
      name: 'bundle convert',
      args: (m) => ['bundle', 'convert', join(ca, 'bundle.pem'), '--to', 'jwks', '--out', join(m, 'bundle.json')],
    },
    {
      name: 'rotate',
      args: (m) => ['rotate', '--dir', join(m, 'rot'), '--ca', ca, '--spiffe-id', 'spiffe://example.org/web'],
    },
  ]
  it.for(cmds)('$name → exit 3 output-not-writable (ENOSPC), no temporary left', async ({args}, ctx) => {
    if (!mnt) return ctx.skip()
    const f = await fail(args(mnt))
    expect(f.exit).toBe(3)
    expect(f.code).toBe('output-not-writable')
    expect(f.message).toMatch(/^cannot write ".+": no space left on device \(ENOSPC\)$/)
    expect(leftovers(mnt)).toEqual([])
    expect(readdirSync(mnt).filter((e) => e.startsWith('.'))).toEqual([])
  })
})
