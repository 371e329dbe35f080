/**
 * Interrupts (SIGINT/SIGTERM sent to the svidkit process only, never to its group): `race`
 * stops its writer process and the server it started, removes the temp directory holding the
 * ephemeral CA's keys, prints the partial report (issue 20 item 6; on main it printed nothing)
 * and exits 130/143; `serve` stops and exits 130/143. Also `serve`'s own limits: a port in use
 * is exit 3, and an idle peer is cut off by the handshake timeout.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {SvidServer} from '../../src/core/handshake/server.js'
import {fileNames} from '../../src/index.js'
import {tmpDir} from '../helpers/tmp.js'
import {HOST, ensureDist, waitFor} from '../handshake/harness.js'
import {alive, raceDirs, start, startServerRace, trustDomain} from './setup.js'

/** Returns the pids of the direct children of `pid`. */
function children(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], {encoding: 'utf8'})
  return out.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0)
}

describe('race, in-process: an interrupt stops the writer and removes the temp CA', () => {
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${sig} to the parent only: exit ${code}, no child left, temp directory gone`, async () => {
      await ensureDist()
      const tmp = tmpDir()
      const run = start(['race', '--rotations', '1000', '--interval', '100ms', '--concurrency', '1'], tmp)
      // Running: the temp dir holds the CA keys and the writer process is up.
      await waitFor(
        () => raceDirs(tmp).some((d) => existsSync(join(d, 'ca'))) && children(run.child.pid as number).length > 0,
        40_000,
        'the race to start',
      )
      const kids = children(run.child.pid as number)
      const dirs = raceDirs(tmp)
      expect(dirs.length).toBe(1)
      run.child.kill(sig)
      const exit = await run.exited
      expect({exit: exit.code, out: run.out().includes('    at ')}).toEqual({exit: code, out: false})
      expect(existsSync(dirs[0])).toBe(false)
      // The partial report: what ran until the interrupt.
      expect(run.out()).toMatch(new RegExp(`^interrupted by ${sig}: partial report\\n(PASS|FAIL) `, 'm'))
      expect(run.out()).toMatch(/handshakes\s+\d+/)
      await waitFor(() => kids.every((k) => !alive(k)), 5000, 'the writer to be gone')
    }, 60_000)
  }
})

describe('race --target: an interrupt stops the writer and the server it started', () => {
  it('SIGTERM to the parent only: exit 143, the server and the writer are gone', async () => {
    const {run} = await startServerRace(tmpDir(), [
      '--reload',
      'signal:HUP',
      '--rotations',
      '1000',
      '--interval',
      '100ms',
      '--concurrency',
      '1',
      '--json',
    ])
    await waitFor(() => children(run.child.pid as number).length >= 2, 40_000, 'the server and the writer to start')
    const kids = children(run.child.pid as number)
    run.child.kill('SIGTERM')
    const exit = await run.exited
    expect(exit.code).toBe(143)
    await waitFor(() => kids.every((k) => !alive(k)), 5000, 'the server and the writer to be gone')
    // The partial report as the one --json document, marked interrupted.
    const doc = JSON.parse(run.out().slice(run.out().indexOf('{'))) as {
      interrupted?: boolean
      rotations?: number
      target?: {host: string}
    }
    expect(doc).toMatchObject({interrupted: true, target: {host: HOST}})
  }, 60_000)
})

describe('serve', () => {
  it('SIGINT: exit 130 after stopping', async () => {
    await ensureDist()
    const base = tmpDir()
    const {svid} = await trustDomain(base)
    const run = start(['serve', '0', '--dir', svid], base)
    await waitFor(() => /listening on /.test(run.out()), 30_000, 'serve to listen')
    run.child.kill('SIGINT')
    expect((await run.exited).code).toBe(130)
  }, 40_000)

  it('a port in use: exit 3 address-in-use with a hint (not an internal error)', async () => {
    await ensureDist()
    const base = tmpDir()
    const {svid} = await trustDomain(base)
    const taken = createServer()
    await new Promise<void>((r) => taken.listen(0, HOST, () => r()))
    const port = (taken.address() as {port: number}).port
    try {
      const run = start(['serve', `${HOST}:${port}`, '--dir', svid, '--json'], base)
      const exit = await run.exited
      expect(exit.code).toBe(3)
      const doc = JSON.parse(run.out()) as {error: {code: string; message: string; hint: string}}
      expect(doc.error).toMatchObject({
        code: 'address-in-use',
        message: `cannot listen on "${HOST}:${port}": the port is in use`,
      })
      expect(doc.error.hint).toMatch(/another process listens on that port/)
    } finally {
      taken.close()
    }
  }, 40_000)

  it('a peer that connects and sends nothing is cut off by the handshake timeout', async () => {
    const base = tmpDir()
    const {svid} = await trustDomain(base)
    const server = new SvidServer({
      host: HOST,
      port: 0,
      dir: svid,
      names: fileNames('spiffe-helper'),
      handshakeTimeoutMs: 300,
      sink: () => undefined,
    })
    const port = await server.start()
    try {
      const idle = connect({host: HOST, port})
      const closed = new Promise<boolean>((resolve) => {
        idle.once('close', () => resolve(true))
        setTimeout(() => resolve(false), 10_000)
      })
      idle.on('error', () => undefined)
      expect(await closed).toBe(true)
    } finally {
      await server.stop()
    }
  }, 20_000)
})
