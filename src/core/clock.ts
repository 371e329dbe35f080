/**
 * Time is injected: the core never calls `new Date()` deep inside. A Clock gives
 * wall time for certificates and a monotonic millisecond clock for event logs
 * (docs/rotation.md "Event log": CLOCK_MONOTONIC, the same in every process on the host).
 */
export interface Clock {
  /** Returns the current wall-clock time. */
  now(): Date
  /** Returns CLOCK_MONOTONIC in milliseconds (fractional). */
  monotonicMs(): number
}

/** Returns the real clock of the machine. */
export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => Number(process.hrtime.bigint()) / 1e6,
}

/** Returns a clock frozen at `at` (tests), whose monotonic time still advances. */
export function fixedClock(at: Date): Clock {
  return {now: () => new Date(at.getTime()), monotonicMs: systemClock.monotonicMs}
}
