import {closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats} from 'node:fs'
import {SvidkitError, type ReasonCode} from '../errors.js'

/**
 * Inputs larger than this are refused: no certificate, key or bundle comes close. The
 * limit is enforced while reading (never from `stat().size`, which is 0 for devices).
 */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024

/** The path that means standard input, for every file argument. */
export const STDIN_PATH = '-'

/** Returns the name to show for an input path (`-` is standard input). */
export function inputName(path: string): string {
  return path === STDIN_PATH ? '<stdin>' : path
}

/** Reads standard input once: a second `-` in the same command gets the same bytes. */
let stdinCache: Buffer | undefined

/** Returns the bytes read from `fd` until end of file; throws `kind` past `MAX_INPUT_BYTES`. */
function readBounded(fd: number, path: string, kind: ReasonCode): Buffer {
  const chunks: Buffer[] = []
  let total = 0
  const buf = Buffer.alloc(64 * 1024)
  for (;;) {
    let n: number
    try {
      n = readSync(fd, buf, 0, buf.length, null)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      // A non-blocking stdin pipe with no data yet: wait a little and try again.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5)
        continue
      }
      throw inputError(err, path, kind)
    }
    if (n === 0) break
    total += n
    if (total > MAX_INPUT_BYTES) throw tooLarge(path, kind, 'is larger than')
    chunks.push(Buffer.from(buf.subarray(0, n)))
  }
  return Buffer.concat(chunks)
}

function tooLarge(path: string, kind: ReasonCode, what: string): SvidkitError {
  return new SvidkitError(kind, `"${inputName(path)}" ${what} the ${MAX_INPUT_BYTES}-byte limit for an input`, {
    path,
    hint: 'this is not a certificate, key or bundle file; check the path',
  })
}

/**
 * Returns the SvidkitError for an OS error met while opening or reading `path`: a missing
 * path is `file-not-found`, no permission is `permission-denied`, anything else is
 * reported with `kind` (what the file should have held) and the OS code.
 */
export function inputError(err: unknown, path: string, kind: ReasonCode): SvidkitError {
  if (err instanceof SvidkitError) return err
  const code = (err as NodeJS.ErrnoException).code
  const name = inputName(path)
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new SvidkitError('file-not-found', `no such file "${name}"`, {path, cause: err})
  if (code === 'EACCES' || code === 'EPERM') {
    return new SvidkitError('permission-denied', `permission denied reading "${name}"`, {
      path,
      cause: err,
      hint: 'the file exists but this user may not read it: check its mode and owner (ls -l), or run as the user the file belongs to',
    })
  }
  if (code === 'EISDIR') return notRegular(path, 'a directory')
  // open(2) of a Unix socket fails with ENXIO (of some devices with ENXIO or ENODEV): say what the path is.
  if (code === 'ENXIO' || code === 'ENODEV' || code === 'EOPNOTSUPP') {
    try {
      const st = statSync(path)
      if (!st.isFile()) return notRegular(path, fileKind(st))
    } catch {
      // gone meanwhile: report the open error below
    }
  }
  return new SvidkitError(kind, `cannot read "${name}": ${code ?? String(err)}`, {path, cause: err})
}

function notRegular(path: string, what: string): SvidkitError {
  return new SvidkitError('not-a-regular-file', `"${path}" is ${what}, not a regular file`, {
    path,
    hint:
      what === 'a directory'
        ? 'name a file inside it (verify takes a directory with --dir)'
        : 'svidkit reads certificates, keys and bundles from regular files only (or "-" for standard input)',
  })
}

function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * Returns the bytes of an input file, or of standard input for `-`. The file is opened
 * non-blocking (a FIFO cannot stall the open), the opened descriptor is checked to be a
 * regular file (`not-a-regular-file` otherwise: directories, FIFOs, devices, sockets),
 * and it is read with a hard limit of `MAX_INPUT_BYTES`. A missing path is
 * `file-not-found`, an unreadable one `permission-denied`; other failures carry `kind`,
 * the reason code of what the file should have held (`pem-invalid`, `key-invalid`,
 * `bundle-invalid`).
 */
export function readInput(path: string, kind: ReasonCode): Buffer {
  if (path === STDIN_PATH) {
    stdinCache ??= readBounded(0, path, kind)
    return stdinCache
  }
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (err) {
    throw inputError(err, path, kind)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw notRegular(path, fileKind(st))
    if (st.size > MAX_INPUT_BYTES) throw tooLarge(path, kind, `is ${st.size} bytes, more than`)
    return readBounded(fd, path, kind)
  } finally {
    closeSync(fd)
  }
}
