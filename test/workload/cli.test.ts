/**
 * `svidkit workload-api serve` as a process: the SPIFFE_ENDPOINT_SOCKET line, a client
 * served, SIGTERM and SIGINT (streams closed, socket removed, exit 143/130), --json events, exit 3 when
 * the socket is in use, and usage errors in-process.
 */
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {beforeAll, describe, expect, it} from 'vitest'
import {expectFailure, runCli} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {openStream, workloadClient, type X509SvidResponse} from './client.js'
import {WEB} from './fixtures.js'
import {startSvidkit} from './process.js'

const dir = suiteTmpDir()
const start = (args: string[]) => startSvidkit(args, dir())

describe('workload-api serve (process)', () => {
  beforeAll(async () => {
    const init = await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', join(dir(), 'ca')])
    expect(init.exit).toBe(0)
  })

  it('prints the endpoint line, serves, stops on SIGTERM with exit 143 and removes the socket; a second server on it exits 3', async () => {
    const sock = join(dir(), 'agent.sock')
    const p = start(['workload-api', 'serve', '--ca', 'ca', '--spiffe-id', `${WEB}#internal`, '--socket', 'agent.sock'])
    expect(await p.line(/^SPIFFE_ENDPOINT_SOCKET=/)).toBe(`SPIFFE_ENDPOINT_SOCKET=unix://${sock}`)
    const client = workloadClient(sock)
    const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    await s.until(1)
    expect(s.messages[0].svids[0]).toMatchObject({spiffe_id: WEB, hint: 'internal'})

    const second = start(['workload-api', 'serve', '--ca', 'ca', '--spiffe-id', WEB, '--socket', 'agent.sock'])
    expect(await second.exit).toBe(3)
    expect(second.stderr).toMatch(
      /^error \[output-exists\]: socket ".*agent\.sock" is in use by another server\n {2}hint: /,
    )

    p.child.kill('SIGTERM')
    expect(await p.exit).toBe(143)
    expect(await s.ended()).toMatchObject({code: grpc.status.OK})
    expect(existsSync(sock)).toBe(false)
    expect(p.stdout).toContainEqual(
      expect.stringMatching(
        /^client-1: FetchX509SVID x1; 1 messages, 1 distinct SVID serials, 0 refused; streams ended OK$/,
      ),
    )
    expect(p.stderr).toBe('')
    client.close()
  })

  it('--json prints NDJSON events and stops at a plan stop step with exit 0', async () => {
    const plan = join(dir(), 'plan.json')
    writeFileSync(
      plan,
      JSON.stringify([
        {at: '200ms', do: 'rotate'},
        {at: '400ms', do: 'stop'},
      ]),
    )
    const p = start([
      'workload-api',
      'serve',
      '--ca',
      'ca',
      '--spiffe-id',
      WEB,
      '--socket',
      'json.sock',
      '--plan',
      'plan.json',
      '--json',
    ])
    expect(await p.exit).toBe(0)
    const events = p.stdout.map((l) => JSON.parse(l) as {type: string})
    expect(events.map((e) => e.type)).toEqual(['listening', 'rotation', 'summary', 'stopped'])
    expect(events[0]).toMatchObject({socket: join(dir(), 'json.sock'), endpoint: `unix://${join(dir(), 'json.sock')}`})
    expect(existsSync(join(dir(), 'json.sock'))).toBe(false)
  })

  it('SIGINT: the summary, a stopped event naming the signal, the socket removed, exit 130 (as every long-running command)', async () => {
    const sock = join(dir(), 'int.sock')
    const p = start(['workload-api', 'serve', '--ca', 'ca', '--spiffe-id', WEB, '--socket', sock, '--json'])
    await p.line(/"type":"listening"/)
    p.child.kill('SIGINT')
    expect(await p.exit).toBe(130)
    const events = p.stdout.map((l) => JSON.parse(l) as {type: string; reason?: string})
    expect(events.map((e) => e.type)).toEqual(['listening', 'summary', 'stopped'])
    expect(events.at(-1)).toMatchObject({reason: 'SIGINT'})
    expect(existsSync(sock)).toBe(false)
    expect(p.stderr).toBe('')
  })

  const usage = [
    {name: '--kind without a timeline', args: ['--kind', 'root'], code: 'usage', exit: 2},
    {
      name: '--ca-overlap without --kind root',
      args: ['--rotate-every', '1s', '--ca-overlap', 'none'],
      code: 'usage',
      exit: 2,
    },
    {
      name: '--bundle-delay with leaf rotations',
      args: ['--rotate-every', '1s', '--bundle-delay', '1s'],
      code: 'usage',
      exit: 2,
    },
    {name: 'unknown defect', args: ['--defect', 'nope'], code: 'usage', exit: 2},
    {name: 'bad duration', args: ['--rotate-every', 'soon'], code: 'usage', exit: 2},
    {name: 'a zero --max-blocked', args: ['--max-blocked', '0s'], code: 'usage', exit: 2},
    {name: 'invalid SPIFFE ID', args: ['--spiffe-id', 'spiffe://Bad/x'], code: 'spiffe-id-invalid', exit: 2},
    {name: 'missing plan file', args: ['--plan', 'nope.json'], code: 'file-not-found', exit: 3},
    {name: 'missing CA', args: ['--ca', 'nope'], code: 'file-not-found', exit: 3},
  ]
  for (const row of usage) {
    for (const json of [false, true]) {
      it(`${row.name}: exit ${row.exit}${json ? ' (--json)' : ''}`, async () => {
        const base = {'--ca': join(dir(), 'ca'), '--spiffe-id': WEB, '--socket': join(dir(), 'u.sock')}
        const given = new Set(row.args.filter((a) => a.startsWith('--')))
        const args = [
          'workload-api',
          'serve',
          ...Object.entries(base).flatMap(([k, v]) => (given.has(k) ? [] : [k, v])),
          ...row.args,
        ]
        const r = await runCli(json ? [...args, '--json'] : args)
        expectFailure(r, {exit: row.exit, code: row.code, json})
      })
    }
  }
})
