/**
 * Terminal injection (issue 17 item 14): external text quoted in human output never reaches
 * the terminal raw. One escaping function (src/core/escape.ts) writes ESC, BEL, C1 and bidi
 * controls as visible escapes in the race report (the server's last lines, its verdict line),
 * error messages (file names, pid-file content), handshake and inspect. On main the race report
 * and the error messages printed the server's ESC/OSC sequences and the file name's raw.
 */
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {escapeControl, escapeControlOnly, quoteExternal, redactPrivateKeys} from '../../src/core/escape.js'
import {REPO} from '../helpers/cli.js'
import {tmpDir} from '../helpers/tmp.js'
import {freePort} from '../handshake/harness.js'
import {nodeServerScript, serverCmdArgs, trustDomain} from '../race/setup.js'

/** Any control character but the newlines that end lines. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('escapeControl', () => {
  it.each([
    ['\u001b]0;pwned\u0007', '\\e]0;pwned\\x07'],
    ['a\nb\rc\td', 'a\\nb\\rc\\td'],
    ['\u009b31m', '\\x9b31m'],
    ['evil\u202etxt.pem', 'evil\\u202etxt.pem'],
    ['back\\slash', 'back\\\\slash'],
    ['plain text, ünïcode', 'plain text, ünïcode'],
  ])('%j -> %j', (input, want) => {
    expect(escapeControl(input)).toBe(want)
    expect(escapeControl(input)).not.toMatch(RAW_CONTROL)
  })

  it('escapeControlOnly leaves backslashes; quoteExternal quotes, escapes quotes and cuts long text', () => {
    expect(escapeControlOnly('a\\b\u001b')).toBe('a\\b\\e')
    expect(quoteExternal('say "hi"\u0007')).toBe('"say \\"hi\\"\\x07"')
    expect(quoteExternal('x'.repeat(10), 4)).toBe('"xxxx…"')
  })

  it('redactPrivateKeys removes whole and cut-short PEM private keys', () => {
    expect(redactPrivateKeys('a -----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY----- b')).toBe(
      'a [private key redacted] b',
    )
    expect(redactPrivateKeys('x -----BEGIN EC PRIVATE KEY-----\nMIG')).toBe('x [private key redacted]')
  })
})

function svidkit(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: {...process.env, NO_COLOR: '1', DEBUG: ''},
  })
  return {status: r.status, out: r.stdout + r.stderr}
}

describe('human output escapes external text', () => {
  it('an error message naming a file with ESC and OSC in its name (both paths)', () => {
    const dir = tmpDir()
    const name = 'cert\u001b]0;pwned\u0007\u001b[2J.pem'
    for (const lite of ['1', '0']) {
      const r = spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), 'verify', name], {
        cwd: dir,
        encoding: 'utf8',
        env: {...process.env, SVIDKIT_LITE: lite},
      })
      expect(r.status).toBe(3)
      expect(r.stderr).not.toMatch(RAW_CONTROL)
      expect(r.stderr).toContain('cert\\e]0;pwned\\x07\\e[2J.pem')
    }
  })

  it('the race report: a server whose output holds ESC/OSC sequences is quoted escaped', async () => {
    const base = tmpDir()
    const {ca, svid} = await trustDomain(base)
    const port = await freePort()
    const script = nodeServerScript(base)
    // The server prints an OSC title change and a screen clear, then dies on the reload signal.
    const noisy = join(base, 'noisy.sh')
    writeFileSync(
      noisy,
      `printf '\\033]0;pwned\\007\\033[2Jcleared\\n' >&2\nexec node ${script} ${svid} ${port} exit\n`,
    )
    const r = svidkit(
      [
        'race',
        ...serverCmdArgs(
          port,
          svid,
          ca,
          `sh ${noisy}`,
          '--reload',
          'signal:HUP',
          '--rotations',
          '1',
          '--interval',
          '300ms',
        ),
      ],
      base,
    )
    expect(r.status).toBe(5)
    expect(r.out).toContain('\\e]0;pwned\\x07\\e[2Jcleared')
    expect(r.out).not.toMatch(RAW_CONTROL)
  }, 60_000)
})
