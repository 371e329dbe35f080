/**
 * Help as a user reads it (issue: garbled USAGE lines): every command's USAGE is its
 * arguments, required flags and [FLAGS] (or the ways of running it, for verify and race), with
 * balanced brackets and no empty alternative; no word is split across lines at any width; and
 * race's flags are grouped (FLAGS, WRITER KNOB FLAGS, --TARGET FLAGS, IN-PROCESS FLAGS).
 */
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {usageWords} from '../../src/cli/help.js'

const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<
    string,
    {flags: Record<string, {helpGroup?: string}>; examples?: (string | {description?: string; command: string})[]}
  >
}
const IDS = Object.keys(manifest.commands).filter((id) => id !== 'autocomplete')

function help(id: string, columns: number): string {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), ...id.split(':'), '--help'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {...process.env, COLUMNS: String(columns), NO_COLOR: '1'},
  })
  expect(r.status, r.stderr).toBe(0)
  return r.stdout
}

/** The body of a section (the lines after its heading, up to the next heading). */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n')
  const start = lines.indexOf(heading)
  if (start === -1) return []
  const end = lines.findIndex((l, i) => i > start && /^[A-Z-][A-Z -]*$/.test(l))
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((l) => l.trim() !== '')
}

/** The usage lines, each with its continuation lines joined. */
function usages(text: string): string[] {
  const out: string[] = []
  for (const l of section(text, 'USAGE')) {
    if (l.trimStart().startsWith('$ ')) out.push(l.trim())
    else out[out.length - 1] += ` ${l.trim()}`
  }
  return out
}

const words = (text: string) => text.split(/\s+/).filter(Boolean)

describe('help USAGE lines', () => {
  it.each(IDS)('%s: arguments, required flags and [FLAGS], brackets balanced, no empty alternative', (id) => {
    for (const u of usages(help(id, 80))) {
      expect(u).toMatch(new RegExp(`^\\$ svidkit ${id.replaceAll(':', ' ')}( |$)`))
      expect(u).not.toMatch(/\| ?\]|\[ ?\||\[ *\]|\|\s*\|/)
      let depth = 0
      for (const ch of u) {
        depth += ch === '[' ? 1 : ch === ']' ? -1 : 0
        expect(depth, u).toBeGreaterThanOrEqual(0)
      }
      expect(depth, u).toBe(0)
      // No option list of 50 flags: at most a handful of words.
      expect(usageWords(u).length, u).toBeLessThanOrEqual(12)
    }
  })

  it.each(IDS)(
    '%s: no word split across lines (the help at 50 columns has the words of the help at 200, EXAMPLES aside)',
    (id) => {
      const strip = (t: string) => t.slice(0, t.indexOf('\nEXAMPLES') === -1 ? undefined : t.indexOf('\nEXAMPLES'))
      expect(words(strip(help(id, 50)))).toEqual(words(strip(help(id, 200))))
    },
  )

  it('verify: one USAGE line per way of running it, none offering --dir or --key as an alternative to --connect', () => {
    const u = usages(help('verify', 100))
    expect(u).toEqual([
      '$ svidkit verify FILE [--key FILE] [--bundle TD=FILE...] [FLAGS]',
      '$ svidkit verify --dir DIR [--bundle TD=FILE...] [FLAGS]',
      '$ svidkit verify --connect HOST:PORT --bundle TD=FILE... [--servername NAME] [FLAGS]',
    ])
  })

  it('usageWords keeps bracketed groups whole', () => {
    expect(usageWords('$ x race [--pid N | --pid-file [F]] --dir DIR')).toEqual([
      '$',
      'x',
      'race',
      '[--pid N | --pid-file [F]]',
      '--dir',
      'DIR',
    ])
  })
})

describe("race's flags in help groups", () => {
  const text = help('race', 120)
  const flagsOf = (heading: string) =>
    section(text, heading).flatMap((l) => (/^ {2}--([a-z-]+)/.exec(l) ?? [])[1] ?? [])

  it('the in-process race, the --target race and the writer knobs each have their group; the rest are the common FLAGS', () => {
    expect(flagsOf('FLAGS')).toEqual(
      expect.arrayContaining(['mode', 'rotations', 'interval', 'target', 'concurrency', 'max-failures', 'timeline']),
    )
    expect(flagsOf('WRITER KNOB FLAGS')).toEqual(
      expect.arrayContaining(['order', 'gap', 'truncate-hold', 'kind', 'ca-overlap', 'not-after']),
    )
    expect(flagsOf('--TARGET FLAGS')).toEqual(
      expect.arrayContaining(['dir', 'ca', 'reload', 'pid-file', 'server-cmd', 'settle', 'probe', 'restore', 'repeat']),
    )
    expect(flagsOf('IN-PROCESS FLAGS')).toEqual(
      expect.arrayContaining(['handshakes', 'server-reload', 'strategy', 'debounce', 'poll']),
    )
    const all = ['FLAGS', 'WRITER KNOB FLAGS', '--TARGET FLAGS', 'IN-PROCESS FLAGS'].flatMap(flagsOf)
    expect(new Set(all).size).toBe(all.length)
    expect(all.sort()).toEqual(
      Object.keys(manifest.commands.race.flags)
        .filter((f) => f !== 'json')
        .sort(),
    )
  })

  it('every --target-only flag (dependsOn target) is in --TARGET FLAGS, every in-process-only one in IN-PROCESS FLAGS (the manifest)', () => {
    const flags = manifest.commands.race.flags as Record<
      string,
      {helpGroup?: string; dependsOn?: string[]; exclusive?: string[]}
    >
    for (const [name, f] of Object.entries(flags)) {
      if (f.dependsOn?.includes('target')) expect(f.helpGroup, name).toBe('--target')
      if (f.exclusive?.includes('target')) expect(f.helpGroup, name).toBe('in-process')
    }
  })
})

describe('help EXAMPLES', () => {
  it.each(IDS)('%s: every example has a sentence saying what it does, printed above it', (id) => {
    const examples = manifest.commands[id].examples ?? []
    expect(examples.length).toBeGreaterThan(0)
    for (const e of examples) {
      expect(typeof e, JSON.stringify(e)).toBe('object')
      const {description, command} = e as {description?: string; command: string}
      expect(description, command).toMatch(/^[A-Z].{15,}[^.]$/)
    }
    const text = help(id, 120)
    const first = examples[0] as {description: string}
    expect(section(text, 'EXAMPLES')[0].trim()).toBe(first.description)
  })
})
