import {Flags} from '@oclif/core'
import {fixedClock, type Clock} from '../core/clock.js'
import {parseInstant} from '../core/time/instant.js'

/** `--seed` and `--now`: byte-stable fixtures (docs/fixtures.md). */
export const seedFlags = {
  seed: Flags.string({
    description:
      'derive keys (EC, Ed25519, RSA), serials and signatures from this seed: same arguments, same bytes (test fixtures only)',
  }),
  now: Flags.string({
    description: 'the time to issue at, RFC 3339 (with --seed: byte-stable output); default the real clock',
  }),
}

/** Returns the clock of `--now` (a frozen one), or undefined for the real clock. */
export function clockOf(now: string | undefined): Clock | undefined {
  return now === undefined ? undefined : fixedClock(parseInstant(now, new Date()))
}
