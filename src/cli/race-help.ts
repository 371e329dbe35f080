/**
 * Help groups of `race`'s flags, applied in one place so that a flag added to race-flags.ts
 * lands in its group by the way it is declared: `--target`-only flags (dependsOn target) under
 * --TARGET FLAGS, in-process-only flags (exclusive with target) under IN-PROCESS FLAGS, the
 * rotation knobs shared with `rotate` under WRITER KNOB FLAGS; the rest (mode, rotations,
 * clients, TLS) stay under FLAGS. GROUP_OVERRIDES moves a flag the rules place wrongly.
 */
import {RACE_KNOBS} from './rotate-flags.js'

const GROUP_OVERRIDES: Record<string, string | undefined> = {}

type Grouped = {dependsOn?: readonly string[]; exclusive?: readonly string[]; helpGroup?: string}

/** Returns the help group of flag `name` of `race`, or undefined for the main FLAGS. */
function raceHelpGroup(name: string, flag: Grouped): string | undefined {
  if (name in GROUP_OVERRIDES) return GROUP_OVERRIDES[name]
  if (flag.dependsOn?.includes('target')) return '--target'
  if (flag.exclusive?.includes('target')) return 'in-process'
  if (RACE_KNOBS.some((k) => k === name)) return 'writer knob'
  return undefined
}

/** Returns `race`'s flags with their help groups set (the declarations are not changed). */
export function withRaceHelpGroups<T extends Record<string, Grouped>>(flags: T): T {
  const out: Record<string, Grouped> = {}
  for (const [name, flag] of Object.entries(flags)) {
    const helpGroup = raceHelpGroup(name, flag)
    out[name] = helpGroup === undefined ? flag : {...flag, helpGroup}
  }
  return out as T
}
