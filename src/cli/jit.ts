/**
 * V8's tiers for a short bulk run. V8 runs hot functions first in its interpreter, then as
 * Sparkplug baseline code, and optimizes the hottest with TurboFan on background threads.
 * `issue --count 1000` calls about 130 functions hot enough for TurboFan, and on two cores
 * those compilations take CPU from the issuing threads for longer than the optimized code
 * then saves. Capped at Sparkplug (median wall, 2 cores, tmpfs, 2026-11-30): `--count 1000`
 * 0.59 s instead of 0.72 s, 3000 1.15 s instead of 1.37 s, 6000 1.99 s instead of 2.28 s,
 * 10000 about 3.0 s instead of 3.2 s; but 20000 5.3 s instead of 4.55 s and 100000 29.1 s
 * instead of 18.1 s. The cap cannot be lifted halfway: V8 does not tier up again the
 * functions that reached the cap (measured), so a run is capped or not from its start,
 * by its count (docs/design.md).
 */
import {createRequire} from 'node:module'

/** V8's setFlagsFromString, from node:v8 loaded only when a run caps (a one-SVID `issue` never loads it). */
const v8Flags = (flags: string) => (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(flags)

/** The largest bulk run that is capped at V8's baseline tier. */
export const JIT_CAP_MAX_COUNT = 10_000

/** True when the user chose V8's tiers themselves (node --max-opt=…, --no-opt, in argv or NODE_OPTIONS). */
function userChoseTiers(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  return given.some((a) => /^--(max[-_]opt|no[-_]opt|opt|maglev|no[-_]maglev)\b/.test(a))
}

/**
 * Caps V8 at its baseline tier for every thread of the process (V8 flags are per process, so
 * worker threads follow) for a run of `count` SVIDs up to JIT_CAP_MAX_COUNT, until the
 * returned function is called; does nothing for a larger run or when the user set V8's
 * tiers. The function restores V8's default (any tier) for what is compiled afterwards, for
 * a caller that goes on in the same process; it may be called more than once. `setFlags` is
 * V8's setFlagsFromString (a test records the calls instead).
 */
export function capJitForBulk(count: number, setFlags: (flags: string) => void = v8Flags): () => void {
  if (count > JIT_CAP_MAX_COUNT || userChoseTiers()) return () => {}
  setFlags('--max-opt=1')
  let capped = true
  return () => {
    if (!capped) return
    capped = false
    // 999 is V8's default: any tier.
    setFlags('--max-opt=999')
  }
}
