/**
 * The usage errors every command shares (unknown command, oclif's parse errors), in human
 * and --json mode: exit 2, reason code `usage`, a one-line message naming the real problem
 * (the offending value in quotes, no oclif boilerplate) and a hint that helps. Then `-h` on
 * every command, and help text wrapped to the width asked for.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO, STACK_LINE, expectFailure, failureOf, jsonOf, runCli, type FailureDoc} from '../helpers/cli.js'
import {run} from '../helpers/peers.js'

interface Row {
  name: string
  args: string[]
  /** The whole message. */
  message: RegExp
  /** Something the hint must say. */
  hint: RegExp
}

const ROWS: Row[] = [
  {
    name: 'typo of a command',
    args: ['verfy'],
    message: /^unknown command "verfy"$/,
    hint: /^did you mean "svidkit verify"\?/,
  },
  {
    name: 'typo of a topic command',
    args: ['bundle', 'convrt'],
    message: /^unknown command "bundle convrt"$/,
    hint: /did you mean "svidkit bundle convert"\?/,
  },
  {
    name: 'swapped letters',
    args: ['isnpect', 'x.pem'],
    message: /^unknown command "isnpect"$/,
    hint: /did you mean "svidkit inspect"\?/,
  },
  {
    name: 'no command is close',
    args: ['xyzzy'],
    message: /^unknown command "xyzzy"$/,
    hint: /^"svidkit --help" lists the commands$/,
  },
  {
    name: 'unknown top-level flag',
    args: ['--verbose'],
    message: /^unknown flag "--verbose"$/,
    hint: /"svidkit --help" lists the commands/,
  },
  {
    name: 'missing required flag',
    args: ['ca', 'init'],
    message: /^missing required flag --trust-domain$/,
    hint: /"svidkit ca init --help"/,
  },
  {
    name: 'flag without its value',
    args: ['issue', '--spiffe-id'],
    message: /^flag --spiffe-id needs a value$/,
    hint: /"svidkit issue --help"/,
  },
  {
    name: 'unknown flag close to a real one',
    args: ['verify', '--dri', 'svid'],
    message: /^unknown flag "--dri"$/,
    hint: /^did you mean "--dir"\?/,
  },
  {
    name: 'unknown flag',
    args: ['inspect', 'x.pem', '--zzzzzzzz'],
    message: /^unknown flag "--zzzzzzzz"$/,
    hint: /^"svidkit inspect --help" lists the flags/,
  },
  {
    name: 'value not among the options',
    args: ['issue', '--key-type', 'dsa'],
    message: /^invalid --key-type "dsa"$/,
    hint: /^use one of: ec-p256, ec-p384, rsa-2048/,
  },
  {
    name: 'integer flag given text',
    args: ['issue', '--count', 'many'],
    message: /^invalid --count "many": expected an integer$/,
    hint: /"svidkit issue --help"/,
  },
  {
    name: 'extra arguments',
    args: ['verify', 'a.pem', 'b.pem', 'c.pem'],
    message: /^unexpected arguments "b\.pem", "c\.pem"$/,
    hint: /"svidkit verify --help"/,
  },
  {
    name: 'missing argument',
    args: ['inspect'],
    message: /^missing required argument FILE$/,
    hint: /"svidkit inspect --help"/,
  },
]

/** oclif's own wording, which must not reach the user. */
const BOILERPLATE = /See more help|The following error|Nonexistent flag|Expected an integer|Missing required|Error:/

describe('usage errors, human output', () => {
  it.each(ROWS)('$name', async ({args, message, hint}) => {
    const r = await runCli(args)
    expectFailure(r, {exit: 2, code: 'usage', json: false})
    const [first, second, ...rest] = r.stderr.split('\n')
    expect(first.replace(/^error \[usage\]: /, '')).toMatch(message)
    expect(second.replace(/^ {2}hint: /, '')).toMatch(hint)
    expect(rest).toEqual([''])
    expect(r.stderr).not.toMatch(BOILERPLATE)
  })
})

describe('usage errors, --json', () => {
  it.each(ROWS)('$name', async ({args, message, hint}) => {
    const r = await runCli([...args, '--json'])
    expectFailure(r, {exit: 2, code: 'usage', json: true})
    const {error} = failureOf(jsonOf(r.stdout) as FailureDoc)
    expect(error?.message).toMatch(message)
    expect(error?.hint).toMatch(hint)
  })
})

describe('as a real process', () => {
  /** Returns the outcome of `node bin/run.js args` with no colour and not vitest's NODE_ENV. */
  function svidkit(args: string[], env: Record<string, string> = {}) {
    const {DEBUG: _d, FORCE_COLOR: _f, NODE_ENV: _n, COLUMNS: _c, OCLIF_COLUMNS: _o, ...rest} = process.env
    return run(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {env: {...rest, NO_COLOR: '1', ...env}})
  }

  it('a typo exits 2 with "did you mean", and one JSON document under --json', () => {
    const human = svidkit(['verfy'])
    expect({status: human.status, stdout: human.stdout}).toEqual({status: 2, stdout: ''})
    expect(human.stderr).toBe(
      'error [usage]: unknown command "verfy"\n  hint: did you mean "svidkit verify"? "svidkit --help" lists the commands\n',
    )
    const json = svidkit(['verfy', '--json'])
    expect({status: json.status, stderr: json.stderr}).toEqual({status: 2, stderr: ''})
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: {
        code: 'usage',
        message: 'unknown command "verfy"',
        hint: 'did you mean "svidkit verify"? "svidkit --help" lists the commands',
      },
    })
  })

  it('`help` with a typo fails like the typo itself', () => {
    const r = svidkit(['help', 'verfy'])
    expect({status: r.status, stdout: r.stdout}).toEqual({status: 2, stdout: ''})
    expect(r.stderr).toBe(
      'error [usage]: unknown command "verfy"\n  hint: did you mean "svidkit verify"? "svidkit --help" lists the commands\n',
    )
  })

  it('-v prints the version', () => {
    const r = svidkit(['-v'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^svidkit\/\d+\.\d+\.\d+ /)
  })

  it('help is wrapped to COLUMNS, and descriptions are reflowed to use the width', () => {
    const description = (out: string) =>
      out.slice(out.indexOf('\nDESCRIPTION\n'), out.indexOf('\n  EXIT CODES')).split('\n').slice(2)
    const narrow = svidkit(['verify', '--help'], {COLUMNS: '50'})
    expect(narrow.status).toBe(0)
    const narrowLines = description(narrow.stdout)
    expect(narrowLines.length).toBeGreaterThan(10)
    expect(narrowLines.filter((l) => l.length > 50)).toEqual([])
    // The sources break the description near 95 columns: at 110 the paragraphs are rejoined and fill the width.
    const wide = svidkit(['verify', '--help'], {COLUMNS: '110'})
    const wideLines = description(wide.stdout)
    expect(wideLines.filter((l) => l.length > 110)).toEqual([])
    expect(wideLines.filter((l) => l.length > 100).length).toBeGreaterThan(2)
    expect(wide.stdout).not.toMatch(STACK_LINE)
    // The summary above USAGE is wrapped too.
    const summary = svidkit(['handshake', '--help'], {COLUMNS: '50'}).stdout.split('\nUSAGE')[0].trim().split('\n')
    expect(summary.length).toBeGreaterThan(1)
    expect(summary.filter((l) => l.length > 50)).toEqual([])
  })
})

describe('-h is help on every command', () => {
  const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, unknown>
  }
  const ids = Object.keys(manifest.commands)

  it('the manifest lists the commands', () => {
    expect(ids).toEqual(expect.arrayContaining(['verify', 'issue', 'inspect', 'ca:init', 'bundle:convert']))
  })

  it.each(ids)('%s -h', async (id) => {
    const r = await runCli([...id.split(':'), '-h'])
    expect({exit: r.exit, stderr: r.stderr}).toEqual({exit: 0, stderr: ''})
    expect(r.stdout).toMatch(new RegExp(`\\nUSAGE\\n {2}\\$ svidkit ${id.replace(':', ' ')}`))
  })

  it('the bundle topic describes only what exists', async () => {
    const r = await runCli(['bundle', '--help'])
    expect(r.exit).toBe(0)
    expect(r.stdout).toMatch(/bundle convert/)
    expect(r.stdout).not.toMatch(/\binspect\b/)
  })
})
