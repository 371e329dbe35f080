import {join} from 'node:path'
import {afterFile} from './pacing.js'
import type {Writer} from './types.js'
import {writeVisible} from './visible.js'

/**
 * spiffe/spiffe-helper `pkg/disk/x509.go` (Go `os.WriteFile`): for each file in order,
 * open with O_TRUNC (the file is 0 bytes from here), write, close. No temp file, fsync,
 * chmod or rename; the mode only applies when the file is created (docs/rotation.md "Writer modes").
 */
export const spiffeHelper: Writer = async (w) => {
  for (const [i, f] of w.files.entries()) {
    await writeVisible(w, f, join(w.dir, f.name), false)
    if (!(await afterFile(w, i))) return 'aborted'
  }
  return 'written'
}
