/**
 * A CA is replaced as one unit (issue 8 item 10, docs/security.md "Interrupted runs"): the
 * states a crash can leave are built by hand here (the kill -9 runs are in
 * test/robustness/fault-injection.test.ts) and the next command must find the old CA or
 * the new one, never a mix; foreign files are never swept away.
 */
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {initCa} from '../../src/core/ca/init.js'
import {loadAuthority, saveAuthority} from '../../src/core/ca/store.js'
import {isSvidkitError} from '../../src/core/errors.js'
import {tmpDir} from '../helpers/tmp.js'
import {fingerprint} from '../rotate/neighbourhood.js'

const root = (dir: string) => readFileSync(join(dir, 'root.pem'), 'utf8')

async function twoCas(base: string): Promise<{ca: string; other: string}> {
  const ca = join(base, 'ca')
  const other = join(base, 'other')
  await initCa({trustDomain: 'example.org', out: ca, intermediates: 2})
  await initCa({trustDomain: 'example.org', out: other, intermediates: 1})
  return {ca, other}
}

describe('CA swap', () => {
  it('a crash between the two renames (no CA at the path) is finished by the next load: the new CA, complete', async (ctx) => {
    const base = tmpDir(ctx)
    const {ca, other} = await twoCas(base)
    const newRoot = root(other)
    renameSync(ca, join(base, '.ca.old-0123abcd'))
    renameSync(other, join(base, '.ca.new-0123abcd'))
    const a = loadAuthority(ca)
    expect(a.intermediates).toHaveLength(1)
    expect(root(ca)).toBe(newRoot)
    expect(readdirSync(base).sort()).toEqual(['ca'])
  })

  it('a crash while the staging dir was written (no ca.json in it) leaves the old CA, and the leftover goes with the next save', async (ctx) => {
    const base = tmpDir(ctx)
    const {ca, other} = await twoCas(base)
    const oldRoot = root(ca)
    rmSync(join(other, 'ca.json'))
    renameSync(other, join(base, '.ca.new-89abcdef'))
    expect(root(ca)).toBe(oldRoot)
    expect(loadAuthority(ca).intermediates).toHaveLength(2)
    await initCa({trustDomain: 'example.org', out: ca, intermediates: 1, force: true})
    expect(readdirSync(base).sort()).toEqual(['ca'])
    expect(loadAuthority(ca).intermediates).toHaveLength(1)
  })

  it('--force replaces every file: no intermediate of the old chain survives beside the new root', async (ctx) => {
    const base = tmpDir(ctx)
    const {ca} = await twoCas(base)
    await initCa({trustDomain: 'example.org', out: ca, intermediates: 1, force: true})
    expect(readdirSync(ca).sort()).toEqual([
      'bundle.pem',
      'bundle.spiffe.json',
      'ca.json',
      'intermediate-1-key.pem',
      'intermediate-1.pem',
      'jwt-key.pem',
      'root-key.pem',
      'root.pem',
    ])
    expect(loadAuthority(ca).intermediates).toHaveLength(1)
  })

  it('--force refuses a directory holding a file that is not part of a CA (exit 3), and changes nothing', async (ctx) => {
    const base = tmpDir(ctx)
    const {ca} = await twoCas(base)
    writeFileSync(join(ca, 'notes.txt'), 'mine\n')
    const before = fingerprint(base)
    const err = await initCa({trustDomain: 'example.org', out: ca, force: true}).catch((e: unknown) => e)
    expect(isSvidkitError(err) && {code: err.code, exit: err.exit, message: err.message}).toEqual({
      code: 'output-exists',
      exit: 3,
      message: `refusing to replace "${ca}": "notes.txt" is not a CA file and would be lost`,
    })
    expect(fingerprint(base)).toEqual(before)
  })

  it('leftovers that are not the swap’s own (a link, a directory with other files) are left alone', async (ctx) => {
    const base = tmpDir(ctx)
    const {ca, other} = await twoCas(base)
    mkdirSync(join(base, '.ca.old-aaaaaaaa'))
    writeFileSync(join(base, '.ca.old-aaaaaaaa', 'notes.txt'), 'mine\n')
    cpSync(other, join(base, '.ca.new-bbbbbbbb'), {recursive: true})
    await initCa({trustDomain: 'example.org', out: ca, force: true})
    expect(existsSync(join(base, '.ca.old-aaaaaaaa', 'notes.txt'))).toBe(true)
    expect(existsSync(join(base, '.ca.new-bbbbbbbb'))).toBe(false)
  })

  it('--ca pointing at a file says so (exit 3, not-a-directory)', async (ctx) => {
    const base = tmpDir(ctx)
    const {ca} = await twoCas(base)
    const err = (() => {
      try {
        loadAuthority(join(ca, 'ca.json'))
      } catch (e) {
        return e
      }
    })()
    expect(isSvidkitError(err) && {code: err.code, exit: err.exit, message: err.message}).toEqual({
      code: 'not-a-directory',
      exit: 3,
      message: `--ca "${join(ca, 'ca.json')}" is a file, not a directory`,
    })
  })

  it('saveAuthority into a missing directory under a file fails with exit 3 and leaves no staging dir', async (ctx) => {
    const base = tmpDir(ctx)
    const {ca} = await twoCas(base)
    const a = loadAuthority(ca)
    writeFileSync(join(base, 'file'), 'x')
    const err = (() => {
      try {
        saveAuthority(join(base, 'file', 'ca'), a)
      } catch (e) {
        return e
      }
    })()
    expect(isSvidkitError(err) && err.exit).toBe(3)
    expect(readdirSync(base).sort()).toEqual(['ca', 'file', 'other'])
  })
})
