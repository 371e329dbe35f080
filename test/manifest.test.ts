import {execFileSync, spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

// `npm test` rebuilds first (pretest), which regenerates oclif.manifest.json. oclif loads
// commands from the manifest whenever it exists, so a stale committed manifest would ship
// old flags: the freshly built file must equal the committed one.
const inGit = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], {encoding: 'utf8'}).stdout.trim() === 'true'
const tracked = inGit && spawnSync('git', ['ls-files', '--error-unmatch', 'oclif.manifest.json']).status === 0

describe('oclif.manifest.json', () => {
  it.skipIf(!tracked)('the committed manifest matches the one the build generates', () => {
    const committed = execFileSync('git', ['show', 'HEAD:oclif.manifest.json'], {encoding: 'utf8'})
    const fresh = readFileSync('oclif.manifest.json', 'utf8')
    expect(JSON.parse(fresh), 'run `npm run build` and commit oclif.manifest.json').toEqual(JSON.parse(committed))
  })

  it('lists every command with --json', () => {
    const m = JSON.parse(readFileSync('oclif.manifest.json', 'utf8')) as {
      commands: Record<string, {flags: Record<string, unknown>}>
    }
    for (const id of ['ca:init', 'issue', 'verify', 'inspect', 'bundle:convert']) {
      expect(m.commands[id], id).toBeDefined()
      expect(m.commands[id].flags.json, `${id} --json`).toBeDefined()
    }
  })
})

describe('docs/commands.md', () => {
  it('documents every command and every flag of the manifest (regenerate with `npm run docs`)', () => {
    const m = JSON.parse(readFileSync('oclif.manifest.json', 'utf8')) as {
      commands: Record<string, {flags: Record<string, unknown>}>
    }
    const doc = readFileSync('docs/commands.md', 'utf8')
    for (const [id, c] of Object.entries(m.commands)) {
      expect(doc, id).toContain(`## \`svidkit ${id.replaceAll(':', ' ')}`)
      // A negatable boolean is listed as --[no-]NAME under FLAGS.
      for (const flag of Object.keys(c.flags))
        expect(doc.includes(`--${flag}`) || doc.includes(`--[no-]${flag}`), `${id} --${flag}`).toBe(true)
    }
  })
})
