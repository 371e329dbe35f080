/**
 * Hostile clients of `workload-api serve` (issue 17 item 6, docs/security.md "Hostile
 * peers"): garbage HTTP/2 never leaks a server socket, whether the client closes its side
 * or keeps it open, and a real client is served afterwards.
 */
import {readFileSync} from 'node:fs'
import {createConnection, type Socket} from 'node:net'
import {join} from 'node:path'
import {beforeAll, describe, expect, it, onTestFinished} from 'vitest'
import {DEFAULT_BACKPRESSURE, messageBytes} from '../../src/core/workload/backpressure.js'
import {runCli} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {openStream, workloadClient, type X509SvidResponse} from './client.js'
import {serialOf, serve, splitDer, WEB} from './fixtures.js'
import {slowClient} from './slow-client.js'
import {summaryCollector} from '../../src/core/workload/events.js'
import {eventually, openFds, startSvidkit} from './process.js'

const dir = suiteTmpDir()
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')

/** Returns one HTTP/2 frame. */
function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(stream, 5)
  return Buffer.concat([head, payload])
}

// After the preface: malformed SETTINGS, DATA and RST_STREAM frames, and plain garbage.
// A SETTINGS frame whose length is not a multiple of 6 is the one Node never reported.
const GARBAGE = [
  frame(4, 0, 0, Buffer.from([1, 2, 3])),
  frame(4, 0, 1, Buffer.alloc(6)),
  frame(0, 0, 0, Buffer.from('xx')),
  frame(0, 0, 1, Buffer.from('xx')),
  frame(3, 0, 0, Buffer.alloc(4)),
  frame(3, 0, 1, Buffer.alloc(3)),
  Buffer.alloc(40, 0xff),
]

/** Connects, sends the preface and one garbage frame; resolves with the socket once written. */
function garbageClient(path: string, i: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path)
    c.once('error', reject)
    c.once('connect', () => c.write(Buffer.concat([PREFACE, GARBAGE[i % GARBAGE.length]]), () => resolve(c)))
  })
}

/** Resolves with the first FetchX509SVID message a reading client gets, and its leaf serial. */
async function fetchMessage(path: string): Promise<{message: X509SvidResponse; serial: string}> {
  const client = workloadClient(path)
  const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
  await s.until(1)
  s.cancel()
  client.close()
  return {message: s.messages[0], serial: serialOf(splitDer(s.messages[0].svids[0].x509_svid)[0])}
}

/** Resolves with the SVID's SPIFFE ID a real client fetches from the socket. */
async function fetchSvid(path: string): Promise<string> {
  const client = workloadClient(path)
  const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
  await s.until(1)
  s.cancel()
  client.close()
  return s.messages[0].svids[0].spiffe_id
}

describe('workload-api serve against hostile clients', () => {
  beforeAll(async () => {
    expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', join(dir(), 'ca')])).exit).toBe(0)
  })

  it('garbage HTTP/2 after the preface: every server socket is released (client closed or not); a real client still gets an SVID', async () => {
    const sock = join(dir(), 'garbage.sock')
    const p = startSvidkit(['workload-api', 'serve', '--ca', 'ca', '--spiffe-id', WEB, '--socket', sock], dir())
    onTestFinished(() => void p.child.kill('SIGKILL')) // a no-op once it exited
    await p.line(/^SPIFFE_ENDPOINT_SOCKET=/)
    const pid = p.child.pid!
    expect(await fetchSvid(sock)).toBe(WEB)
    const connected = () => p.stdout.filter((l) => / connected$/.test(l)).length
    const disconnected = () => p.stdout.filter((l) => / disconnected$/.test(l)).length
    expect(await eventually(() => disconnected() === connected())).toBe(true)
    const baseline = openFds(pid)

    // 1. Clients that send garbage and close their side at once, 50 at a time.
    const N = 400
    for (let i = 0; i < N; i += 50) {
      const batch = await Promise.all(Array.from({length: 50}, (_, j) => garbageClient(sock, i + j)))
      for (const c of batch) c.destroy()
    }
    expect(
      await eventually(() => connected() === N + 1 && disconnected() === N + 1),
      `${disconnected()} of ${connected()} connections released`,
    ).toBe(true)
    expect(openFds(pid)).toBeLessThanOrEqual(baseline)

    // 2. Clients that send a malformed SETTINGS frame and keep their side open: the server closes them.
    const open = await Promise.all(Array.from({length: 50}, () => garbageClient(sock, 0)))
    const closedByServer = open.map((c) => new Promise<void>((r) => (c.destroyed ? r() : c.once('close', () => r()))))
    for (const c of open) c.resume()
    let closed = 0
    for (const w of closedByServer) void w.then(() => closed++)
    expect(await eventually(() => closed === open.length), `${closed} of ${open.length} closed by the server`).toBe(
      true,
    )
    expect(await eventually(() => openFds(pid) <= baseline), `fds ${openFds(pid)}, baseline ${baseline}`).toBe(true)

    expect(await fetchSvid(sock)).toBe(WEB)
    p.child.kill('SIGTERM')
    await p.exit
    expect(p.stderr).toBe('')
  }, 60_000)
})

describe('slow readers (zero flow-control window)', () => {
  it('a blocked stream queues a bounded number of bytes, later updates are coalesced, and the newest SVID is sent when it drains', async () => {
    const {api, events} = await serve()
    const slow = slowClient(api.socketPath, 4)
    onTestFinished(() => slow.close())
    expect(await eventually(() => api.stats().streams === 4)).toBe(true)
    const ROTATIONS = 60
    for (let i = 0; i < ROTATIONS; i++) await api.rotate()
    const stats = api.stats()
    const size = messageBytes((await fetchMessage(api.socketPath)).message)
    // Each stream stops taking messages once 64 KiB or grpc-js's 16 buffered messages are queued.
    expect(stats.peakQueuedBytes).toBeLessThanOrEqual(DEFAULT_BACKPRESSURE.maxQueuedBytes + size)
    expect(stats.blockedStreams).toBe(4)
    const sent = events.filter((e) => e.type === 'message' && e.client === 'client-1').length
    expect(sent).toBeLessThanOrEqual(4 * 17)
    expect(stats.coalescedUpdates).toBe(4 * (ROTATIONS + 1) - sent)

    // The client reads again: what was queued arrives, then one message with the newest SVID.
    const newest = (await fetchMessage(api.socketPath)).serial
    slow.open()
    expect(
      await eventually(() => slow.serials.every((s) => s.at(-1) === newest)),
      JSON.stringify(slow.serials.map((s) => s.length)),
    ).toBe(true)
    expect(api.stats()).toMatchObject({blockedStreams: 0, queuedBytes: 0})
    for (const s of slow.serials) expect(s.length).toBeLessThanOrEqual(18)
  })

  it('streams blocked past the limit are closed with their connection; memory is released and healthy clients go on', async () => {
    const {api, events} = await serve({rotateEveryMs: 20, backpressure: {maxBlockedMs: 300}})
    const slow = [slowClient(api.socketPath, 10), slowClient(api.socketPath, 10)]
    onTestFinished(() => slow.forEach((c) => c.close()))
    const healthy = workloadClient(api.socketPath)
    const reading = openStream<X509SvidResponse>(healthy, 'FetchX509SVID')
    onTestFinished(() => healthy.close())
    await Promise.all(slow.map((c) => c.closed))
    const stats = api.stats()
    expect(stats).toMatchObject({closedBlockedStreams: expect.any(Number), blockedStreams: 0, queuedBytes: 0})
    expect(stats.closedBlockedStreams).toBeGreaterThanOrEqual(2)
    const ends = events.filter((e) => e.type === 'stream-end' && e.client !== 'client-3')
    expect(ends).toHaveLength(20)
    expect(ends.filter((e) => e.type === 'stream-end' && e.code === 'RESOURCE_EXHAUSTED')).not.toHaveLength(0)
    // The reading client was never blocked: it got a message per rotation.
    const rotations = events.filter((e) => e.type === 'rotation').length
    await reading.until(rotations)
    expect(reading.status).toBeUndefined()
    await api.close()
    const summary = events.find((e) => e.type === 'summary')
    expect(summary?.type === 'summary' && summary.slowReaders.closedBlockedStreams).toBe(
      api.stats().closedBlockedStreams,
    )
  })
})

describe('slow readers, the process', () => {
  beforeAll(async () => {
    expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', join(dir(), 'ca2')])).exit).toBe(0)
  })

  it('300 non-reading streams and --rotate-every 50ms: resident memory stops growing (main grew by about 1.7 KB per stream and rotation)', async () => {
    const sock = join(dir(), 'rss.sock')
    const p = startSvidkit(
      ['workload-api', 'serve', '--ca', 'ca2', '--spiffe-id', WEB, '--socket', sock, '--rotate-every', '50ms'],
      dir(),
    )
    onTestFinished(() => void p.child.kill('SIGKILL'))
    await p.line(/^SPIFFE_ENDPOINT_SOCKET=/)
    const slow = [0, 1, 2].map(() => slowClient(sock, 100))
    onTestFinished(() => slow.forEach((c) => c.close()))
    const rotations = () => p.stdout.filter((l) => / rotation \d+ /.test(l)).length
    const rssMb = () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'))?.[1]) / 1024
    // The heap settles during the first rotations (about 11 MB); measure after that.
    expect(await eventually(() => rotations() >= 80, 800)).toBe(true)
    const before = rssMb()
    const from = rotations()
    expect(await eventually(() => rotations() >= from + 120, 800)).toBe(true)
    const growth = rssMb() - before
    // Unbounded queues would add 300 streams x 120 rotations x 1.7 KB = 61 MB; allow a third of it for GC noise.
    expect(
      growth,
      `rss ${before.toFixed(1)} MB, +${growth.toFixed(1)} MB over ${rotations() - from} rotations`,
    ).toBeLessThan(20)
  }, 90_000)
})

describe('slow readers, streams ended by the server', () => {
  it('a blocked stream the server ended (close-streams) still has its connection closed when its client never reads', async () => {
    const {api} = await serve({backpressure: {maxBlockedMs: 300}})
    const slow = slowClient(api.socketPath, 1)
    onTestFinished(() => slow.close())
    expect(await eventually(() => api.stats().streams === 1)).toBe(true)
    for (let i = 0; i < 20 && api.stats().blockedStreams === 0; i++) await api.rotate()
    expect(api.stats().blockedStreams).toBe(1)
    await api.apply({do: 'close-streams'})
    expect(api.stats()).toMatchObject({streams: 0, blockedStreams: 0, queuedBytes: 0})
    let closed = false
    void slow.closed.then(() => (closed = true))
    expect(await eventually(() => closed), 'the connection of the stream that never read').toBe(true)
    expect(api.stats()).toMatchObject({closedBlockedStreams: 1, connections: 0})
  })
})

describe('the per-client summary is bounded', () => {
  it('keeps the latest disconnected clients and every connected one; counts the dropped ones exactly', () => {
    const c = summaryCollector(10)
    c.add({t: 0, type: 'connection', client: 'held'})
    for (let i = 1; i <= 100; i++) {
      const client = `client-${i}`
      c.add({t: i, type: 'connection', client})
      c.add({t: i, type: 'request', client, stream: i, rpc: 'FetchX509SVID', accepted: false, code: 'INVALID_ARGUMENT'})
      c.add({t: i, type: 'disconnect', client})
    }
    c.add({t: 101, type: 'request', client: 'held', stream: 101, rpc: 'FetchX509SVID', accepted: true})
    expect(c.clients().map((s) => s.client)).toEqual(['held', ...Array.from({length: 9}, (_, i) => `client-${92 + i}`)])
    expect(c.dropped()).toBe(91)
    expect(c.clients()[0]).toMatchObject({requests: {FetchX509SVID: 1}, rejected: 0})
    expect(c.clients()[1]).toMatchObject({requests: {FetchX509SVID: 1}, rejected: 1})
  })
})
