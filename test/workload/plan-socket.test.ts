/** The plan format, the timeline it drives, the Unix socket rules and the per-client summary. */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs'
import {Server} from 'node:net'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {describe, expect, it, onTestFinished, vi} from 'vitest'
import {parsePlan} from '../../src/core/workload/plan.js'
import {parseFederate, parseIdentity} from '../../src/core/workload/options.js'
import {startWorkloadApi} from '../../src/core/workload/start.js'
import {isSvidkitError} from '../../src/core/errors.js'
import {createAuthority} from '../../src/core/ca/create.js'
import {openStream, workloadClient, type X509SvidResponse} from './client.js'
import {serve, sharedAuthority, WEB} from './fixtures.js'
import {tmpDir} from '../helpers/tmp.js'

async function failure(p: Promise<unknown>): Promise<{code: string; exit: number; message: string}> {
  try {
    await p
  } catch (err) {
    if (isSvidkitError(err)) return {code: err.code, exit: err.exit, message: err.message}
    throw err
  }
  throw new Error('expected a failure')
}

describe('plan format', () => {
  it('parses steps in time order, from an array or {"steps": [...]}', () => {
    const steps = parsePlan(
      JSON.stringify({
        steps: [
          {at: '2s', do: 'close-streams'},
          {at: '500ms', do: 'rotate', kind: 'root', overlap: 'add', bundleDelay: '1s'},
          {at: '1s', do: 'unavailable', for: '3s'},
        ],
      }),
      'p.json',
    )
    expect(steps).toEqual([
      {atMs: 500, do: 'rotate', kind: 'root', overlap: 'add', reissue: undefined, bundleDelayMs: 1000},
      {atMs: 1000, do: 'unavailable', forMs: 3000},
      {atMs: 2000, do: 'close-streams'},
    ])
    expect(parsePlan('[{"at": "0", "do": "defect", "name": "expired"}]', 'p')).toEqual([
      {atMs: 0, do: 'defect', name: 'expired'},
    ])
  })

  const bad = [
    {name: 'not JSON', input: '{', message: /^plan "p" is not valid JSON/},
    {name: 'no list', input: '{"x": 1}', message: /^plan "p" holds no step list$/},
    {
      name: 'unknown action',
      input: '[{"at": "1s", "do": "explode"}]',
      message: /^plan "p" step 1: unknown action "explode"/,
    },
    {
      name: 'bad duration',
      input: '[{"at": "soon", "do": "push"}]',
      message: /^plan "p" step 1: invalid duration "soon" in "at"$/,
    },
    {
      name: 'missing for',
      input: '[{"at": "1s", "do": "unavailable"}]',
      message: /^plan "p" step 1: "for" must be a Go duration/,
    },
    {
      name: 'unknown field',
      input: '[{"at": "1s", "do": "push", "kind": "root"}]',
      message: /^plan "p" step 1: unknown field "kind" for "push"$/,
    },
    {
      name: 'unknown defect',
      input: '[{"at": "1s", "do": "defect", "name": "nope"}]',
      message: /^plan "p" step 1: unknown defect "nope"$/,
    },
    {
      name: 'bad kind',
      input: '[{"at": "1s", "do": "rotate", "kind": "branch"}]',
      message: /^plan "p" step 1: invalid kind "branch"$/,
    },
  ]
  for (const row of bad) {
    it(`rejects a plan: ${row.name}`, () => {
      let err: unknown
      try {
        parsePlan(row.input, 'p')
      } catch (e) {
        err = e
      }
      expect(isSvidkitError(err) && {code: err.code, exit: err.exit}).toEqual({code: 'usage', exit: 2})
      expect((err as Error).message).toMatch(row.message)
    })
  }

  it('identity and federate values', () => {
    expect(parseIdentity('spiffe://example.org/web#internal')).toEqual({
      spiffeId: 'spiffe://example.org/web',
      hint: 'internal',
    })
    expect(parseIdentity('spiffe://example.org/web')).toEqual({spiffeId: 'spiffe://example.org/web', hint: ''})
    expect(parseFederate('partner.org=b.pem')).toEqual({trustDomain: 'partner.org', path: 'b.pem'})
    expect(() => parseFederate('b.pem')).toThrow('invalid --federate "b.pem"')
    expect(() => parseIdentity('spiffe://Example.org/web#x')).toThrow()
  })
})

describe('rotations that could only fail later are refused at start', () => {
  const rows = [
    {
      name: 'intermediate rotations of a CA without intermediates',
      opts: {rotateEveryMs: 1000, kind: 'intermediate' as const},
      noIntermediate: true,
      message: 'intermediate rotations need a CA with at least one intermediate',
    },
    {
      name: 'a plan leaf rotation with a bundle delay',
      opts: {plan: parsePlan('[{"at": "1s", "do": "rotate", "bundleDelay": "1s"}]', 'p')},
      noIntermediate: false,
      message:
        'a bundle delay needs a CA rotation (kind intermediate or root): a leaf rotation does not change the bundle',
    },
  ]
  for (const row of rows) {
    it(row.name, async () => {
      const ca = row.noIntermediate
        ? (await createAuthority({trustDomain: 'example.org', intermediates: 0})).authority
        : await sharedAuthority()
      const f = await failure(
        startWorkloadApi({ca, identities: [WEB], socketPath: join(tmpDir(), 'a.sock'), ...row.opts}),
      )
      expect(f).toEqual({code: 'usage', exit: 2, message: row.message})
    })
  }
})

describe('a plan drives the server', () => {
  it('rotate, close streams, stop: the client sees two messages and an OK end; summary and stop follow', async () => {
    let stopped = 0
    const {api, events} = await serve({
      plan: parsePlan(
        '[{"at":"1500ms","do":"rotate"},{"at":"1700ms","do":"close-streams"},{"at":"1800ms","do":"stop"}]',
        'p',
      ),
      onStop: () => stopped++,
    })
    const client = workloadClient(api.socketPath)
    const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    expect((await s.ended()).code).toBe(grpc.status.OK)
    expect(s.messages).toHaveLength(2)
    await api.closed
    expect(existsSync(api.socketPath)).toBe(false)
    expect(stopped).toBe(1)
    const summary = events.find((e) => e.type === 'summary')
    expect(summary?.type === 'summary' && summary.clients).toEqual([
      expect.objectContaining({
        client: 'client-1',
        requests: {FetchX509SVID: 1},
        rejected: 0,
        messages: 2,
        endings: ['OK'],
      }),
    ])
    expect(summary?.type === 'summary' && summary.clients[0].serials).toHaveLength(2)
    expect(events.at(-1)).toMatchObject({type: 'stopped', reason: 'plan stop step'})
    client.close()
  })
})

describe('the Unix socket', () => {
  it('is created mode 0600 and removed on close', async () => {
    const {api} = await serve()
    expect(lstatSync(api.socketPath).mode & 0o777).toBe(0o600)
    expect(api.endpoint).toBe(`unix://${api.socketPath}`)
    await api.close()
    expect(existsSync(api.socketPath)).toBe(false)
  })

  it('its mode is never set through the path: a link swapped in after bind is not followed, and the server refuses (exit 3)', async () => {
    const dir = tmpDir()
    const path = join(dir, 'agent.sock')
    const victim = join(dir, 'victim')
    writeFileSync(victim, 'x', {mode: 0o644})
    chmodSync(victim, 0o644)
    // Another user who can write the directory renames the fresh socket away and puts a link in its place.
    const listen = Server.prototype.listen
    const swap = vi.spyOn(Server.prototype, 'listen').mockImplementation(function (this: Server, ...args: unknown[]) {
      const r = (listen as (...a: unknown[]) => Server).apply(this, args)
      if (args[0] === path) {
        renameSync(path, `${path}.moved`)
        symlinkSync(victim, path)
      }
      return r
    })
    onTestFinished(() => swap.mockRestore())
    const f = await failure(startWorkloadApi({ca: await sharedAuthority(), identities: [WEB], socketPath: path}))
    expect(f).toEqual({code: 'output-exists', exit: 3, message: `socket "${path}" was replaced after bind`})
    expect(lstatSync(victim).mode & 0o777).toBe(0o644)
    expect(readFileSync(victim, 'utf8')).toBe('x')
  })

  it('is created 0600 whatever the umask', async () => {
    const old = process.umask(0)
    try {
      const {api} = await serve()
      expect(lstatSync(api.socketPath).mode & 0o777).toBe(0o600)
    } finally {
      process.umask(old)
    }
  })

  it('a stale socket (nobody listening) is replaced', async () => {
    const dir = tmpDir()
    const path = join(dir, 'agent.sock')
    // A socket file nobody listens on, as a killed server leaves it (Node unlinks its own on close).
    execFileSync('/usr/bin/python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path])
    expect(lstatSync(path).isSocket()).toBe(true)
    const api = await startWorkloadApi({ca: await sharedAuthority(), identities: [WEB], socketPath: path})
    expect(lstatSync(path).isSocket()).toBe(true)
    await api.close()
  })

  const refusals = [
    {
      name: 'a regular file',
      make: (p: string) => writeFileSync(p, 'x'),
      message: /^refusing to replace ".*": it exists and is not a socket$/,
    },
    {
      name: 'a directory',
      make: (p: string) => mkdirSync(p),
      message: /^refusing to replace ".*": it exists and is not a socket$/,
    },
  ]
  for (const row of refusals) {
    it(`refuses to replace ${row.name} (exit 3)`, async () => {
      const path = join(tmpDir(), 'agent.sock')
      row.make(path)
      const f = await failure(startWorkloadApi({ca: await sharedAuthority(), identities: [WEB], socketPath: path}))
      expect(f).toMatchObject({code: 'output-exists', exit: 3})
      expect(f.message).toMatch(row.message)
      expect(existsSync(path)).toBe(true)
    })
  }

  it('refuses a socket another server answers on (exit 3)', async () => {
    const {api} = await serve()
    const f = await failure(
      startWorkloadApi({ca: await sharedAuthority(), identities: [WEB], socketPath: api.socketPath}),
    )
    expect(f).toEqual({
      code: 'output-exists',
      exit: 3,
      message: `socket "${api.socketPath}" is in use by another server`,
    })
  })

  it('refuses a path longer than a socket address holds (exit 3)', async () => {
    const f = await failure(
      startWorkloadApi({ca: await sharedAuthority(), identities: [WEB], socketPath: join(tmpDir(), 'x'.repeat(120))}),
    )
    expect(f).toMatchObject({code: 'output-not-writable', exit: 3})
  })
})
