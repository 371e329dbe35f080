import {readFileSync, statSync} from 'node:fs'
import {SvidkitError, type ReasonCode} from '../errors.js'

/** Inputs larger than this are refused: no certificate, key or bundle comes close. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024

/**
 * Returns the bytes of an input file. A missing path is `file-not-found`; a directory,
 * an unreadable or an oversized file is reported with `kind`, the reason code of what
 * the file should have held (`pem-invalid`, `key-invalid`, `bundle-invalid`).
 */
export function readInput(path: string, kind: ReasonCode): Buffer {
  let size: number
  try {
    const st = statSync(path)
    if (st.isDirectory()) {
      throw new SvidkitError(kind, `"${path}" is a directory, not a file`, {path, hint: 'name the file inside it, or use --dir for an SVID directory'})
    }
    size = st.size
  } catch (err) {
    if (err instanceof SvidkitError) throw err
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new SvidkitError('file-not-found', `no such file "${path}"`, {path, cause: err})
    }
    throw new SvidkitError(kind, `cannot read "${path}": ${code ?? String(err)}`, {path, cause: err})
  }
  if (size > MAX_INPUT_BYTES) {
    throw new SvidkitError(kind, `"${path}" is ${size} bytes, more than the ${MAX_INPUT_BYTES}-byte limit for an input`, {
      path,
      hint: 'this is not a certificate, key or bundle file; check the path',
    })
  }
  try {
    return readFileSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new SvidkitError(kind, `cannot read "${path}": ${code ?? String(err)}`, {path, cause: err})
  }
}
