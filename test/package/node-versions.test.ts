/**
 * The Node.js versions svidkit supports are the ones it is tested on: package.json "engines"
 * starts at 20.19, `.ci/run` runs the suite on the Node on PATH and on Node 24, and the README
 * names 20.19, 22 and 24 and says CI runs both.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {engines: {node: string}}

describe('supported Node.js versions', () => {
  it('package.json engines starts at 20.19', () => {
    expect(pkg.engines.node).toBe('>=20.19.0')
  })

  it('.ci/run runs the suite on Node 24 besides the Node on PATH', () => {
    const r = spawnSync(path.join(ROOT, '.ci/run'), ['--print-node-majors'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 10_000,
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const [onPath, extra] = r.stdout.trim().split(' ').map(Number)
    expect(onPath).toBe(Number(process.versions.node.split('.')[0]))
    expect(extra).toBe(24)
    // The second run installs the binary outside the checkout and runs npm test with it first on PATH.
    const ci = readFileSync(path.join(ROOT, '.ci/run'), 'utf8')
    expect(ci).toMatch(/npm i --prefix "\$prefix" .*"node-linux-\$node_arch@\$node_extra_major"/)
    expect(ci).toMatch(/PATH="\$node_bin:\$PATH" npm test/)
  })

  it('the README names the supported versions and the ones CI tests', () => {
    const section = readme.slice(readme.indexOf('### Node.js versions'))
    expect(section).toMatch(/Node\.js \*\*22 and 24\*\*/)
    expect(section).toMatch(/\*\*20\.19 or later\*\*/)
    expect(section).toMatch(/runs the test suite on both Node 20 and Node 24/)
    expect(readme).toMatch(/In a clone of this repository \(Node\.js 22 or 24, or 20\.19 and later/)
  })
})
