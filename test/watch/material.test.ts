import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readSet} from '../../src/core/watch/material.js'
import {fileNames} from '../../src/core/fs/layout.js'
import {isSvidkitError} from '../../src/core/errors.js'
import {tmpDir} from '../helpers/tmp.js'

// A hostile directory: the consumer (watch, serve) reads only regular files, bounded, and a FIFO
// planted at a watched name must fail at once instead of blocking the event loop forever.
describe('readSet reads regular files only', () => {
  it.each([
    {name: 'a FIFO at the cert name', plant: (p: string) => execFileSync('mkfifo', [p]), what: 'FIFO'},
    {
      name: 'a device at the cert name',
      plant: (p: string) => execFileSync('ln', ['-s', '/dev/zero', p]),
      what: 'character device',
    },
  ])('$name is not-a-regular-file', async ({plant, what}) => {
    const dir = tmpDir()
    const names = fileNames('spiffe-helper')
    plant(join(dir, names.cert))
    writeFileSync(join(dir, names.key), 'x')
    writeFileSync(join(dir, names.bundle), 'x')
    const err = await readSet(dir, names).catch((e: unknown) => e)
    expect(isSvidkitError(err) && err.code).toBe('not-a-regular-file')
    expect(String((err as Error).message)).toContain(what)
  })

  it('a missing file still says a writer may be replacing it', async () => {
    const dir = tmpDir()
    const err = await readSet(dir, fileNames('spiffe-helper')).catch((e: unknown) => e)
    expect(isSvidkitError(err) && err.code).toBe('file-not-found')
    expect(String((err as Error).message)).toContain('a writer may be replacing it')
  })
})
