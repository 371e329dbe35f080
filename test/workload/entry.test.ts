/**
 * The `svidkit/workload-api` entry point, resolved through package.json "exports" from
 * dist/ as a user's import would be: it exports startWorkloadApi, and importing the main
 * `svidkit` entry does not load gRPC.
 */
import {spawnSync} from 'node:child_process'
import {expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'

const SCRIPT = `
import {createRequire} from 'node:module'
const cjs = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@grpc'))
const main = await import('svidkit')
const afterMain = cjs()
const wl = await import('svidkit/workload-api')
console.log(JSON.stringify({main: typeof main.issueSvid, afterMain, start: typeof wl.startWorkloadApi, header: wl.SECURITY_HEADER, afterWl: cjs()}))
`

it('svidkit/workload-api exports the server; svidkit alone does not load gRPC', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 30_000,
  })
  expect(r.stderr).toBe('')
  expect(JSON.parse(r.stdout)).toEqual({
    main: 'function',
    afterMain: false,
    start: 'function',
    header: 'workload.spiffe.io',
    afterWl: true,
  })
})
