/**
 * How acceptance is decided from a reply (docs/race.md "How acceptance is decided"), how drops
 * during a reload are told from refusals, and that stopping a started server leaves no timer.
 */
import {describe, expect, it} from 'vitest'
import {judgeReply, parseStatusSet, replyComplete, type ProbeSpec} from '../../src/core/handshake/client-probe.js'
import {classifyDrops} from '../../src/core/race/drops.js'
import {cleanMessage} from '../../src/core/handshake/alerts.js'
import type {Attempt} from '../../src/core/race/attempt.js'
import {startServerProcess} from '../../src/core/race/server-process.js'

const http: ProbeSpec = {kind: 'http'}
const page = (status: string, body: string) =>
  `HTTP/1.1 ${status}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`

describe('judgeReply (http)', () => {
  const cases: [string, string, string | undefined][] = [
    [
      'nginx 495 page',
      page('400 Bad Request', '<title>400 The SSL certificate error</title>'),
      'rejected-by-server-reply',
    ],
    [
      'nginx 496 page',
      page('400 Bad Request', '<center>No required SSL certificate was sent</center>'),
      'rejected-by-server-reply',
    ],
    [
      'Apache SSLRequire 403',
      page('403 Forbidden', "<p>You don't have permission to access this resource.</p>"),
      'rejected-by-server-reply',
    ],
    [
      'HAProxy deny 403',
      page(
        '403 Forbidden',
        '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>',
      ),
      'rejected-by-server-reply',
    ],
    ['401', page('401 Unauthorized', ''), 'rejected-by-server-reply'],
    ['200', page('200 OK', 'ok'), undefined],
    ['404 (routed: accepted)', page('404 Not Found', 'nope'), undefined],
    ['500', page('500 Internal Server Error', ''), 'unexpected-reply'],
    ['not HTTP', '+OK ready\r\n', 'unexpected-reply'],
  ]
  for (const [name, reply, code] of cases) it(name, () => expect(judgeReply(http, reply)?.code).toBe(code))

  it('--expect-status and --expect-reply say what acceptance is', () => {
    expect(judgeReply({kind: 'http', expectStatus: parseStatusSet('204')}, page('200 OK', ''))?.code).toBe(
      'unexpected-reply',
    )
    expect(judgeReply({kind: 'http', expectStatus: parseStatusSet('2xx')}, page('204 No Content', ''))).toBeUndefined()
    expect(judgeReply({kind: 'http', expectReply: /hello/}, page('200 OK', 'bye'))?.code).toBe('unexpected-reply')
    expect(judgeReply({kind: 'line', expectReply: /^\+OK/}, '+OK ready\r\n')).toBeUndefined()
    expect(() => parseStatusSet('2x')).toThrow(/invalid --expect-status/)
  })

  it('a 4xx reply is judged only once its body arrived (the rejection page is in the body)', () => {
    const full = page('400 Bad Request', '<title>400 The SSL certificate error</title>')
    expect(replyComplete(http, full.slice(0, full.indexOf('\r\n\r\n') + 4))).toBe(false)
    expect(replyComplete(http, full)).toBe(true)
  })
})

describe('classifyDrops', () => {
  const a = (start: number, code: string | undefined, root = 'r1'): Attempt => ({
    start,
    end: start + 5,
    ok: code === undefined,
    servedSerial: 's',
    handshakeMs: 1,
    resumed: false,
    clientRoot: root,
    ...(code ? {code, side: 'peer' as const, message: 'connect ECONNRESET'} : {}),
  })

  it('a reset inside a reload window is dropped-during-reload; an alert is not; outside the window a close stays a refusal', () => {
    const attempts = [
      a(100, 'ERR_TLS_PEER_CLOSED'),
      a(120, 'ERR_TLS_BAD_CERTIFICATE'),
      a(5000, 'ERR_TLS_PEER_CLOSED', 'r2'),
    ]
    classifyDrops(attempts, [{rotation: 1, from: 90, to: 1100}])
    expect(attempts.map((x) => x.code)).toEqual([
      'dropped-during-reload',
      'ERR_TLS_BAD_CERTIFICATE',
      'ERR_TLS_PEER_CLOSED',
    ])
    expect(attempts[0].secondary).toBe('ERR_TLS_PEER_CLOSED')
  })

  it('closes that go on after the reload for the same root are refusals, not drops', () => {
    const attempts = [a(100, 'ERR_TLS_PEER_CLOSED', 'new'), a(3000, 'ERR_TLS_PEER_CLOSED', 'new')]
    classifyDrops(attempts, [{rotation: 1, from: 90, to: 1100}])
    expect(attempts.map((x) => x.code)).toEqual(['ERR_TLS_PEER_CLOSED', 'ERR_TLS_PEER_CLOSED'])
  })
})

describe('startServerProcess', () => {
  it('stop() leaves no timer behind (a PASS with --server-cmd used to idle 5 s before exiting)', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const p = startServerProcess('sleep 30')
    await p.stop()
    expect(p.exit).toBeDefined()
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(before)
  })
})

describe('cleanMessage', () => {
  it("drops OpenSSL's source position (issue 18: the first line showed rec_layer_s3.c)", () => {
    expect(
      cleanMessage(
        'tlsv1 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42',
      ),
    ).toBe('tlsv1 alert bad certificate:SSL alert number 42')
  })
})
