/** Summary statistics of measured times, shared by the race reports and the watch consumers. */

/** Returns the percentile `p` (0–100) of sorted numbers (nearest rank), or 0 when there is none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, i)]
}

/** The p50, p99 and maximum of a list of ms values; null when the list was empty. */
export type Spread = {p50Ms: number; p99Ms: number; maxMs: number} | null

/** Returns p50/p99/max of a list of ms values, or null when empty. */
export function spread(values: number[]): Spread {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  return {p50Ms: percentile(s, 50), p99Ms: percentile(s, 99), maxMs: s.at(-1) as number}
}
