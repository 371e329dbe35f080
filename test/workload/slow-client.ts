/**
 * A Workload API client that does not read: raw HTTP/2 with a zero initial flow-control
 * window (SETTINGS_INITIAL_WINDOW_SIZE 0), so the server cannot send a byte of DATA on its
 * streams until `open()` raises the window. Messages it does get are decoded.
 */
import {connect, type ClientHttp2Session} from 'node:http2'
import {createConnection} from 'node:net'
import protobuf from 'protobufjs'
import {SECURITY_HEADER, WORKLOAD_PROTO} from '../../src/core/workload/service.js'
import {serialOf, splitDer} from './fixtures.js'

const X509SVIDResponse = protobuf.loadSync(WORKLOAD_PROTO).lookupType('X509SVIDResponse')

/** One non-reading connection and its FetchX509SVID streams. */
export interface SlowClient {
  session: ClientHttp2Session
  /** Leaf serials of the messages received, per stream, in order. */
  serials: string[][]
  /** Raises the window of every stream: the server may send again. */
  open(): void
  /** Resolves when the connection is closed (by either side). */
  closed: Promise<void>
  close(): void
}

/** Opens `streams` FetchX509SVID streams on one connection with a zero window. */
export function slowClient(socketPath: string, streams: number): SlowClient {
  const session = connect('http://localhost', {
    createConnection: () => createConnection(socketPath),
    settings: {initialWindowSize: 0},
  })
  session.on('error', () => {})
  const closed = new Promise<void>((r) => session.once('close', () => r()))
  const serials: string[][] = []
  for (let i = 0; i < streams; i++) {
    const got: string[] = []
    serials.push(got)
    const req = session.request({
      ':method': 'POST',
      ':path': '/SpiffeWorkloadAPI/FetchX509SVID',
      'content-type': 'application/grpc',
      te: 'trailers',
      [SECURITY_HEADER]: 'true',
    })
    req.on('error', () => {})
    let buf = Buffer.alloc(0)
    req.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
        const len = buf.readUInt32BE(1)
        const m = X509SVIDResponse.toObject(X509SVIDResponse.decode(buf.subarray(5, 5 + len))) as {
          svids: {x509Svid: Uint8Array}[]
        }
        got.push(serialOf(splitDer(Buffer.from(m.svids[0].x509Svid))[0]))
        buf = buf.subarray(5 + len)
      }
    })
    req.end(Buffer.alloc(5)) // one empty X509SVIDRequest
  }
  return {
    session,
    serials,
    open: () => session.settings({initialWindowSize: 1 << 20}),
    closed,
    close: () => session.destroy(),
  }
}
