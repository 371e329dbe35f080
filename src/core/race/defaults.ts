/**
 * The defaults of `race`, declared once: `runLocalRace` and `runTargetRace` fall back to them,
 * and the flags of `race` (src/cli/race-flags.ts) take their `default:` and the "(default …)" of
 * their help text from them, so the CLI and the library cannot drift apart
 * (test/race/defaults.test.ts holds them together). Durations are in ms.
 */
export const RACE_DEFAULTS = {
  /** Writer mode of the rotations (`--mode`). */
  mode: 'atomic-rename',
  /** Rotations; a root rollover counts as one (`--rotations`). */
  rotations: 5,
  /** Pause between rotations (`--interval`). */
  intervalMs: 500,
  /** Lifetime of the new leaves (`--ttl`). */
  ttlMs: 3_600_000,
  /** What each rotation replaces (`--kind`). */
  kind: 'leaf',
  /** With kind root: how the roots overlap (`--ca-overlap`). */
  caOverlap: 'add',
  /** Client loops (`--concurrency`). */
  concurrency: 4,
  /** Failed handshakes allowed before the race fails, exit 5 (`--max-failures`). */
  maxFailures: 0,
  /** In-process: how svidkit's server adopts rotated SVIDs (`--server-reload`). */
  serverReload: 'reference',
  /** In-process: how svidkit's server watches its directory (`--strategy`). */
  strategy: 'reference',
  /** In-process: reload debounce of svidkit's server (`--debounce`). */
  debounceMs: 50,
  /** In-process: reload poll backstop of svidkit's server (`--poll`). */
  pollMs: 2000,
  /** In-process: per-handshake timeout of the clients (no flag). */
  localTimeoutMs: 10_000,
  /** --target: how long to wait for the server to accept connections (`--start-timeout`). */
  startTimeoutMs: 10_000,
  /** --target: how long a rotation may take to be served (`--settle`). */
  settleMs: 5000,
  /** --target: per-handshake timeout of the clients (`--timeout`). */
  timeoutMs: 5000,
  /** --target: handshakes an inconsistent window is held open for; 0 is the writer's own timing (`--window-handshakes`). */
  windowHandshakes: 0,
} as const
