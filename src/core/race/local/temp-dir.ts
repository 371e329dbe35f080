import {lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** A run's directory inside the per-user race directory: its owner's pid, then mkdtemp's six characters. */
const RUN_DIR = /^local-([1-9][0-9]{0,6})-[A-Za-z0-9]{6}$/

/** Returns true when a process with this pid exists (EPERM: it exists, and is someone else's). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Returns `$TMPDIR/svidkit-race-<uid>` when it is (or could be made) a directory of this
 * user's that nobody else can enter (mode 0700, not a link); undefined otherwise.
 */
function userRaceDir(): string | undefined {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined
  if (uid === undefined) return undefined
  const dir = join(tmpdir(), `svidkit-race-${uid}`)
  try {
    mkdirSync(dir, {mode: 0o700})
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined
  }
  try {
    const st = lstatSync(dir)
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0 ? dir : undefined
  } catch {
    return undefined
  }
}

/**
 * Returns a new private directory for the in-process race's ephemeral CA and SVIDs (their
 * keys). It lives in `$TMPDIR/svidkit-race-<uid>/local-<pid>-<random>`, and every call first
 * removes the directories there whose pid no longer runs: what a race killed with SIGKILL
 * left behind is removed by the next race (docs/security.md). When that per-user directory
 * cannot be trusted (another user made it, or it is a link), a plain `mkdtemp` directory is
 * used, which only the run itself removes.
 */
export function raceTempDir(): string {
  const root = userRaceDir()
  if (!root) return mkdtempSync(join(tmpdir(), 'svidkit-local-'))
  for (const name of readdirSync(root)) {
    const m = RUN_DIR.exec(name)
    if (!m || Number(m[1]) === process.pid || running(Number(m[1]))) continue
    const path = join(root, name)
    // Only a real directory of the run form; the root is 0700 and ours, so nothing else can be planted.
    if (lstatSync(path, {throwIfNoEntry: false})?.isDirectory()) rmSync(path, {recursive: true, force: true})
  }
  return mkdtempSync(join(root, `local-${process.pid}-`))
}
