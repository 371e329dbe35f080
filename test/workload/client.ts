/**
 * A grpc-js Workload API client for tests: a stream reader that records every message
 * and the final status, bounded in count and time.
 */
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {WORKLOAD_PROTO, SECURITY_HEADER} from '../../src/core/workload/service.js'
import type {X509BundlesResponse, X509SvidMessage, X509SvidResponse} from '../../src/core/workload/material.js'

export type {X509BundlesResponse, X509SvidResponse}
/** One X509SVID message, as the server declares it. */
export type X509Svid = X509SvidMessage

type Ctor = grpc.ServiceClientConstructor
const def = protoLoader.loadSync(WORKLOAD_PROTO, {keepCase: true, defaults: true, longs: String})
const Service = (grpc.loadPackageDefinition(def) as unknown as {SpiffeWorkloadAPI: Ctor}).SpiffeWorkloadAPI

/** Returns a client on the socket (no retries: each call shows exactly what the server did). */
export function workloadClient(socketPath: string): grpc.Client & Record<string, (...a: unknown[]) => unknown> {
  return new Service(`unix://${socketPath}`, grpc.credentials.createInsecure(), {'grpc.enable_retries': 0}) as never
}

/** Returns metadata with the security header (`value` to send a wrong one, `null` for none). */
export function header(value: string | null = 'true'): grpc.Metadata {
  const md = new grpc.Metadata()
  if (value !== null) md.set(SECURITY_HEADER, value)
  return md
}

/** What a stream delivered. */
export interface Received<T> {
  messages: T[]
  /** Set once the stream ended. */
  status?: {code: grpc.status; details: string}
  /** Resolves when `count` messages arrived or the stream ended (rejects after `ms`). */
  until(count: number, ms?: number): Promise<void>
  /** Resolves when the stream ended (rejects after `ms`). */
  ended(ms?: number): Promise<{code: grpc.status; details: string}>
  cancel(): void
}

/** Opens a server stream and records it. */
export function openStream<T>(
  client: grpc.Client,
  rpc: 'FetchX509SVID' | 'FetchX509Bundles' | 'FetchJWTBundles',
  md = header(),
): Received<T> {
  const call = (client as unknown as Record<string, (req: object, md: grpc.Metadata) => grpc.ClientReadableStream<T>>)[
    rpc
  ]({}, md)
  const r: Received<T> = {
    messages: [],
    until: () => Promise.resolve(),
    ended: () => Promise.resolve({code: 0, details: ''}),
    cancel: () => call.cancel(),
  }
  const waiters: (() => void)[] = []
  const wake = () => waiters.splice(0).forEach((w) => w())
  call.on('data', (m: T) => {
    r.messages.push(m)
    wake()
  })
  call.on('status', (s: grpc.StatusObject) => {
    r.status = {code: s.code, details: s.details}
    wake()
  })
  call.on('error', () => {}) // the status event carries it
  const wait = (done: () => boolean, ms: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) {
          clearTimeout(timer)
          resolve()
        } else waiters.push(check)
      }
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out after ${ms}ms waiting for ${what} (got ${r.messages.length} messages, status ${JSON.stringify(r.status)})`,
            ),
          ),
        ms,
      )
      check()
    })
  r.until = (count, ms = 5000) =>
    wait(() => r.messages.length >= count || r.status !== undefined, ms, `${count} messages`)
  r.ended = async (ms = 5000) => {
    await wait(() => r.status !== undefined, ms, 'the end of the stream')
    return r.status!
  }
  return r
}

/** Makes a unary call and returns its status (OK and the response, or the error status). */
export function unary(
  client: grpc.Client,
  rpc: string,
  req: object,
  md = header(),
): Promise<{code: grpc.status; details: string; response?: unknown}> {
  return new Promise((resolve) => {
    ;(client as unknown as Record<string, (...args: unknown[]) => void>)[rpc](
      req,
      md,
      (err: grpc.ServiceError | null, response: unknown) => {
        resolve(err ? {code: err.code, details: err.details} : {code: grpc.status.OK, details: '', response})
      },
    )
  })
}
