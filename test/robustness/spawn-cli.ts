/** Runs the built CLI (bin/run.js) as a real process, through the lite path or oclif (SVIDKIT_LITE=0). */
import {join} from 'node:path'
import {REPO} from '../helpers/cli.js'
import {run, type RunResult} from '../helpers/peers.js'

/** Returns the outcome of `svidkit args` run in `cwd`. */
export function svidkit(args: string[], cwd: string, lite = true, input?: string): RunResult {
  const {NODE_ENV: _n, DEBUG: _d, SVIDKIT_LITE: _l, ...env} = process.env
  return run(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    cwd,
    input,
    env: {...env, NO_COLOR: '1', ...(lite ? {} : {SVIDKIT_LITE: '0'})},
  })
}

/** Returns the `{code, message}` of the JSON error document a failed `--json` run printed. */
export function jsonError(r: RunResult): {code: string; message: string; hint: string} {
  return (JSON.parse(r.stdout || r.stderr) as {error: {code: string; message: string; hint: string}}).error
}
