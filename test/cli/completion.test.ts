/**
 * Shell completion (@oclif/plugin-autocomplete): `svidkit autocomplete bash` builds the
 * completion functions, and bash itself completes commands, topic commands and flags with
 * them. The cache goes to a temporary XDG_CACHE_HOME.
 */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {run} from '../helpers/peers.js'
import {tmpDir} from '../helpers/tmp.js'

describe('shell completion', () => {
  it('bash completes commands, topic commands and flags', () => {
    const cache = tmpDir()
    const {DEBUG: _d, NODE_ENV: _n, ...rest} = process.env
    const env = {...rest, XDG_CACHE_HOME: cache, NO_COLOR: '1'}
    const setup = run(process.execPath, [join(REPO, 'bin/run.js'), 'autocomplete', 'bash'], {env, timeout: 60_000})
    expect({
      status: setup.status,
      stderr: setup.stderr.replace(/Building the autocomplete cache\.\.\. done\n?/, ''),
    }).toEqual({status: 0, stderr: ''})
    expect(setup.stdout).toMatch(/svidkit autocomplete script bash/)

    const functions = join(cache, 'svidkit/autocomplete/functions/bash/svidkit.bash')
    const complete = (line: string) => {
      const words = line.split(' ')
      const script = `source '${functions}'; COMP_LINE='${line}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _svidkit_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`
      const r = run('bash', ['-c', script], {env})
      expect(r.stderr).toBe('')
      return r.stdout.split('\n').filter(Boolean).sort()
    }
    expect(complete('svidkit ver')).toEqual(['verify'])
    expect(complete('svidkit bundle con')).toEqual(['convert'])
    expect(complete('svidkit verify --expect')).toEqual(['--expect-id', '--expect-trust-domain'])
  })
})
