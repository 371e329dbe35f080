import {basename} from 'node:path'
import {sleep} from '../../time/sleep.js'
import type {WriterInput} from './types.js'

/**
 * Runs after file `i` of a multi-file writer: `--fail-after` aborts the set (returns
 * false), otherwise `--gap` before the next file and `--bundle-delay` before the bundle.
 */
export async function afterFile(w: WriterInput, i: number): Promise<boolean> {
  const f = w.files[i]
  if (w.knobs.failAfter && basename(w.knobs.failAfter) === f.name) {
    w.ops.emit('error', {
      file: f.name,
      code: 'fail-after',
      message: `set aborted after ${f.name} (--fail-after): later files stay old, no signal`,
    })
    return false
  }
  const next = w.files[i + 1]
  if (!next) return true
  if (w.knobs.gapMs > 0) await sleep(w.knobs.gapMs)
  if (next.roles.includes('bundle') && w.knobs.bundleDelayMs > 0) await sleep(w.knobs.bundleDelayMs)
  return true
}
