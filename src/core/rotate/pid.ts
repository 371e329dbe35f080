import {closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats} from 'node:fs'
import {SvidkitError} from '../errors.js'
import {quoteExternal} from '../escape.js'

/**
 * The smallest pid svidkit signals: 0 is the caller's own process group, 1 is init, and
 * negative numbers are process groups (-1: every process the caller may signal).
 */
const MIN_PID = 2
/** Linux's PID_MAX_LIMIT (2^22): no pid is larger. */
export const MAX_PID = 4_194_304
/** A pid file holds at most a 7-digit pid and a newline; anything longer is not a pid file. */
const MAX_PID_FILE_BYTES = 16

const PID_TEXT = /^[1-9][0-9]{0,6}$/

/** Returns the pid written as plain decimal `text` (digits only, no sign, no leading zero), or undefined. */
function pidOfText(text: string): number | undefined {
  if (!PID_TEXT.test(text)) return undefined
  const pid = Number(text)
  return pid >= MIN_PID && pid <= MAX_PID ? pid : undefined
}

const PID_HINT = `a pid is a plain decimal integer from ${MIN_PID} to ${MAX_PID} (0, 1 and negative numbers would signal process groups, init or every process)`

/**
 * Returns the pid given as flag `flag` (text or a number from a typed caller). Anything but
 * a plain decimal integer from 2 to 2^22 is refused (exit 2, `pid-invalid`): `--pid -1`
 * would signal every process, `--pid 0` svidkit's own group.
 */
export function parsePid(value: string | number, flag = '--pid'): number {
  const pid =
    typeof value === 'number' ? (Number.isSafeInteger(value) ? pidOfText(String(value)) : undefined) : pidOfText(value)
  if (pid === undefined)
    throw new SvidkitError('pid-invalid', `${flag} ${quoteExternal(String(value), 40)} is not a pid`, {
      exit: 2,
      hint: PID_HINT,
    })
  return pid
}

/** Why a pid file was refused; `missing` alone may be retried (the workload may be restarting). */
type PidFileProblem = 'missing' | 'unsafe' | 'content'

/** The error for a pid file svidkit will not read or whose content is not a pid (exit 3, `pid-invalid`). */
class PidFileError extends SvidkitError {
  readonly problem: PidFileProblem
  constructor(problem: PidFileProblem, message: string, cause?: unknown) {
    super(problem === 'missing' ? 'file-not-found' : 'pid-invalid', message, {
      cause,
      hint:
        problem === 'content'
          ? `a pid file holds one plain decimal pid (${MIN_PID} to ${MAX_PID}), optionally followed by one newline`
          : 'give a regular file (not a link) owned by you or root that holds the pid',
    })
    this.problem = problem
  }
}

function invokingUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined
}

function checkSafe(path: string, st: Stats): void {
  const name = quoteExternal(path)
  if (st.isSymbolicLink()) throw new PidFileError('unsafe', `pid file ${name} is a symbolic link`)
  if (!st.isFile()) throw new PidFileError('unsafe', `pid file ${name} is not a regular file`)
  const uid = invokingUid()
  if (uid !== undefined && st.uid !== uid && st.uid !== 0)
    throw new PidFileError('unsafe', `pid file ${name} is owned by uid ${st.uid}, not by you (uid ${uid}) or root`)
  if (st.size > MAX_PID_FILE_BYTES)
    throw new PidFileError(
      'content',
      `pid file ${name} holds ${st.size} bytes, more than a pid (at most ${MAX_PID_FILE_BYTES})`,
    )
}

/**
 * Checks a pid file before anything is written: a file that exists must be one `readPidFile`
 * accepts (PidFileError otherwise); a missing one is allowed (a server started by `race
 * --server-cmd` writes it later, a workload may be restarting) and is read again, with
 * retries, when the signal is due.
 */
export function checkPidFile(path: string): void {
  try {
    readPidFile(path)
  } catch (err) {
    if (!(err instanceof PidFileError && err.problem === 'missing')) throw err
  }
}

/**
 * Returns the pid held by the file at `path`, read strictly: a regular file (checked with
 * `lstat`, opened `O_NOFOLLOW|O_NONBLOCK` and the same inode checked again with `fstat`) owned
 * by the invoking user or root, of at most 16 bytes, holding a plain decimal pid from 2 to 2^22
 * optionally followed by one newline (`0x1`, `1e0`, ` 1.0 `, `+1`, `0b1` are refused).
 * Throws a PidFileError: `file-not-found` when it is missing, else `pid-invalid` (exit 3).
 */
export function readPidFile(path: string): number {
  const name = quoteExternal(path)
  let before: Stats
  try {
    before = lstatSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new PidFileError(
      code === 'ENOENT' ? 'missing' : 'unsafe',
      `cannot read pid file ${name}: ${code ?? (err as Error).message}`,
      err,
    )
  }
  checkSafe(path, before)
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new PidFileError(
      code === 'ENOENT' ? 'missing' : 'unsafe',
      `cannot open pid file ${name}: ${code ?? (err as Error).message}`,
      err,
    )
  }
  const buf = Buffer.alloc(MAX_PID_FILE_BYTES + 1)
  let n = 0
  try {
    const st = fstatSync(fd)
    if (st.dev !== before.dev || st.ino !== before.ino)
      throw new PidFileError('unsafe', `pid file ${name} was replaced while it was opened`)
    checkSafe(path, st)
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, n)
  } finally {
    closeSync(fd)
  }
  const text = buf.subarray(0, n).toString('latin1')
  const pid = pidOfText(text.endsWith('\n') ? text.slice(0, -1) : text)
  if (pid === undefined || n > MAX_PID_FILE_BYTES)
    throw new PidFileError('content', `pid file ${name} holds ${quoteExternal(text, 20)}, not a pid`)
  return pid
}
