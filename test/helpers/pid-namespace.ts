/**
 * Runs a shell script as pid 1 of a new pid namespace (`unshare --pid --fork --mount-proc`),
 * for tests of code that could signal a computed pid: kill(-1) outside a namespace signals
 * every process on the machine, inside one only the script's own processes. The namespace
 * also runs in a session of its own, since kill(0) reaches a process group across namespaces.
 */
import {spawnSync} from 'node:child_process'

/** True when this machine lets the test suite create pid namespaces (root, or unprivileged user namespaces). */
export const PID_NAMESPACES =
  spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], {timeout: 10_000}).status === 0
if (!PID_NAMESPACES)
  console.log('skipped: pid-namespace tests (unshare --pid --fork --mount-proc is not permitted here)')

/** What the script printed and how it ended. */
export interface NamespaceRun {
  status: number | null
  stdout: string
  stderr: string
}

/**
 * Returns the result of `sh -c script` run as pid 1 of a fresh pid namespace, with `env`
 * added to the environment; killed (with the whole namespace) after `timeoutMs`.
 */
export function runInPidNamespace(
  script: string,
  o: {env?: Record<string, string>; cwd?: string; timeoutMs?: number} = {},
): NamespaceRun {
  if (!PID_NAMESPACES) throw new Error('pid namespaces are not available')
  // setsid: kill(0) signals the caller's process group, which a pid namespace does not
  // confine; in a session of its own the group holds only the namespace's processes.
  const r = spawnSync(
    'setsid',
    ['--wait', 'unshare', '--pid', '--fork', '--kill-child', '--mount-proc', 'setsid', 'sh', '-c', script],
    {
      cwd: o.cwd,
      env: {...process.env, ...o.env},
      encoding: 'utf8',
      timeout: o.timeoutMs ?? 60_000,
      killSignal: 'SIGKILL',
    },
  )
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}
