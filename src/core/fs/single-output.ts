import {lstatSync, readlinkSync} from 'node:fs'
import {SvidkitError, usageError} from '../errors.js'
import {outputError, writeFilesAtomic} from './atomic-write.js'

/** Options of `writeSingleOutput`. */
interface SingleOutputOptions {
  /** Replace an existing regular file of the invoking user (`--force`). Default false. */
  force?: boolean
  /** The flag that names the path, for messages. Default `--out`. */
  flag?: string
}

/**
 * Checks what is at the output name `path` of a single-file writer (`bundle convert
 * --out`): absent, or (with `force`) a regular file of the invoking user with one link.
 * Anything else is refused before a byte is written (docs/security.md): a symlink
 * (`unsafe-link`: the rename would replace the link, and a reader may follow it
 * elsewhere), a device such as /dev/null, a FIFO, a socket or a directory, another user's
 * file or a hard link (`unsafe-file`), and an existing file without `force`
 * (`output-exists`, as every writer does).
 */
export function checkSingleOutput(path: string, o: SingleOutputOptions = {}): void {
  const flag = o.flag ?? '--out'
  if (path === '')
    throw usageError(
      `${flag} "" is empty: it must name a path`,
      'give a file path; an unset shell variable ("$OUT") expands to an empty value',
    )
  let st
  try {
    st = lstatSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return
    throw outputError(path, err)
  }
  if (st.isSymbolicLink()) {
    throw new SvidkitError('unsafe-link', `refusing to replace "${path}": it is a symlink to "${readlinkSync(path)}"`, {
      path,
      hint: `give the real file path to ${flag}, or remove the link`,
    })
  }
  if (st.isDirectory())
    throw new SvidkitError('output-not-writable', `cannot write "${path}": is a directory (EISDIR)`, {path})
  const uid = process.geteuid?.() ?? 0
  const why = !st.isFile()
    ? `it is ${st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'not a regular file'}`
    : st.uid !== uid
      ? `it belongs to uid ${st.uid}, not to you (uid ${uid})`
      : st.nlink > 1
        ? `it has ${st.nlink - 1} other hard link(s)`
        : undefined
  if (why) {
    throw new SvidkitError('unsafe-file', `refusing to write "${path}": ${why}`, {
      path,
      hint: `${flag} must name a new file or a regular file of yours; leave ${flag} out to write to standard output`,
    })
  }
  if (!o.force) {
    throw new SvidkitError('output-exists', `"${path}" already exists`, {
      path,
      hint: `use --force to replace it, or choose another ${flag} file`,
    })
  }
}

/** Writes one output file atomically (a temporary file renamed into place) after `checkSingleOutput`. */
export function writeSingleOutput(
  path: string,
  data: string | Uint8Array,
  mode: number,
  o: SingleOutputOptions = {},
): void {
  checkSingleOutput(path, o)
  writeFilesAtomic([{path, data, mode}])
}
