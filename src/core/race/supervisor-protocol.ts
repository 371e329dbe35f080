/** Messages between svidkit and the supervisor of a `--server-cmd` server (supervisor.ts). */

/** svidkit to the supervisor. */
export type SupervisorRequest =
  | {type: 'start'; command: string; cwd?: string}
  /** TERM to the group, KILL after `graceMs`, then the supervisor exits. */
  | {type: 'stop'; graceMs: number}

/** The supervisor to svidkit. */
export type SupervisorMessage =
  | {type: 'started'; pid: number}
  | {type: 'exit'; status: number | null; signal: NodeJS.Signals | null}
  | {type: 'error'; message: string}
