/**
 * Every fault of the Workload API test server, each asserting exactly what a grpc-js
 * client observes (docs/workload-api.md "Faults").
 */
import * as grpc from '@grpc/grpc-js'
import {describe, expect, it} from 'vitest'
import {MESSAGES} from '../../src/core/workload/service.js'
import {openStream, workloadClient, type X509BundlesResponse, type X509SvidResponse} from './client.js'
import {keyBelongs, serialOf, serve, splitDer, TD} from './fixtures.js'

const OWN = `spiffe://${TD}`

/** Retries opening a stream until it is accepted (bounded: 60 tries, 100 ms apart). */
async function firstAccepted(client: grpc.Client): Promise<X509SvidResponse> {
  for (let i = 0; i < 60; i++) {
    const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    await s.until(1)
    if (s.messages.length > 0) {
      s.cancel()
      return s.messages[0]
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('never accepted')
}

describe('stream faults', () => {
  it('close-streams: open streams end with OK after the message they had', async () => {
    const {api} = await serve()
    const client = workloadClient(api.socketPath)
    const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    const b = openStream<X509BundlesResponse>(client, 'FetchX509Bundles')
    await s.until(1)
    await b.until(1)
    await api.apply({do: 'close-streams'})
    expect(await s.ended()).toEqual({code: grpc.status.OK, details: 'OK'})
    expect(await b.ended()).toEqual({code: grpc.status.OK, details: 'OK'})
    expect(s.messages).toHaveLength(1)
    // a new stream is served again
    expect((await firstAccepted(client)).svids).toHaveLength(1)
    client.close()
  })

  it('unavailable: open streams end Unavailable, new ones are refused until the time is up', async () => {
    const {api, events} = await serve()
    const client = workloadClient(api.socketPath)
    const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    await s.until(1)
    await api.apply({do: 'unavailable', forMs: 1500})
    expect(await s.ended()).toEqual({code: grpc.status.UNAVAILABLE, details: MESSAGES.unavailable})
    const refused = openStream(client, 'FetchX509Bundles')
    expect(await refused.ended()).toEqual({code: grpc.status.UNAVAILABLE, details: MESSAGES.unavailable})
    expect((await firstAccepted(client)).svids).toHaveLength(1)
    expect(
      events.filter((e) => e.type === 'fault' && e.fault === 'unavailable').map((e) => e.type === 'fault' && e.active),
    ).toEqual([true, false])
    client.close()
  })

  it('unavailable from the start (unavailableMs)', async () => {
    const {api} = await serve({faults: {unavailableMs: 1500}})
    const client = workloadClient(api.socketPath)
    expect(await openStream(client, 'FetchX509SVID').ended()).toEqual({
      code: grpc.status.UNAVAILABLE,
      details: MESSAGES.unavailable,
    })
    expect((await firstAccepted(client)).svids).toHaveLength(1)
    client.close()
  })

  it('permission-denied: "no identity issued" on both X.509 RPCs until cleared', async () => {
    const {api} = await serve({faults: {permissionDenied: true}})
    const client = workloadClient(api.socketPath)
    for (const rpc of ['FetchX509SVID', 'FetchX509Bundles'] as const) {
      const s = openStream(client, rpc)
      expect(await s.ended()).toEqual({code: grpc.status.PERMISSION_DENIED, details: 'no identity issued'})
      expect(s.messages).toHaveLength(0)
    }
    await api.apply({do: 'clear'})
    expect((await firstAccepted(client)).svids).toHaveLength(1)
    const open = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    await open.until(1)
    await api.apply({do: 'permission-denied'})
    expect(await open.ended()).toEqual({code: grpc.status.PERMISSION_DENIED, details: 'no identity issued'})
    client.close()
  })

  it('slow-first: the first message waits; the server answered other calls meanwhile', async () => {
    const {api, events} = await serve({faults: {slowFirstMs: 1000}})
    const client = workloadClient(api.socketPath)
    const slow = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    const other = openStream<X509BundlesResponse>(client, 'FetchX509Bundles')
    // Both requests were accepted; the bundle stream's first message waits as well.
    await new Promise<void>((resolve) => {
      const check = () => (events.filter((e) => e.type === 'request').length === 2 ? resolve() : setTimeout(check, 10))
      check()
    })
    expect(slow.messages).toHaveLength(0)
    await slow.until(1)
    await other.until(1)
    const req = events.find((e) => e.type === 'request' && e.rpc === 'FetchX509SVID')!
    const msg = events.find((e) => e.type === 'message' && e.rpc === 'FetchX509SVID')!
    expect(msg.t - req.t).toBeGreaterThanOrEqual(990)
    client.close()
  })
})

describe('material faults', () => {
  it('defect key-mismatch: the key does not belong to the leaf', async () => {
    const {api} = await serve({faults: {defect: 'key-mismatch'}})
    const client = workloadClient(api.socketPath)
    const m = await firstAccepted(client)
    const chain = splitDer(m.svids[0].x509_svid)
    expect(keyBelongs(m.svids[0].x509_svid_key, chain[0])).toBe(false)
    client.close()
  })

  it('defect missing-intermediate: the chain is the leaf alone, which the bundle does not sign', async () => {
    const {api} = await serve({faults: {defect: 'missing-intermediate'}})
    const client = workloadClient(api.socketPath)
    const m = await firstAccepted(client)
    const chain = splitDer(m.svids[0].x509_svid)
    expect(chain).toHaveLength(1)
    expect(chain[0].verify(splitDer(m.svids[0].bundle)[0].publicKey)).toBe(false)
    client.close()
  })

  it('defect expired (plan step): the next message carries a leaf past its notAfter', async () => {
    const {api} = await serve()
    const client = workloadClient(api.socketPath)
    const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    await s.until(1)
    await api.apply({do: 'defect', name: 'expired'})
    await s.until(2)
    const leaf = splitDer(s.messages[1].svids[0].x509_svid)[0]
    expect(new Date(leaf.validTo).getTime()).toBeLessThan(Date.now())
    expect(new Date(splitDer(s.messages[0].svids[0].x509_svid)[0].validTo).getTime()).toBeGreaterThan(Date.now())
    client.close()
  })

  it('defect from the catalogue (no-uri-san): the leaf has no URI SAN while spiffe_id still names the identity', async () => {
    const {api} = await serve({faults: {defect: 'no-uri-san'}})
    const client = workloadClient(api.socketPath)
    const m = await firstAccepted(client)
    expect(m.svids[0].spiffe_id).toBe(`${OWN}/web`)
    expect(splitDer(m.svids[0].x509_svid)[0].subjectAltName).toBeUndefined()
    client.close()
  })

  it('empty-bundle: the SVID bundle and the bundle stream are empty', async () => {
    const {api} = await serve()
    const client = workloadClient(api.socketPath)
    const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    const b = openStream<X509BundlesResponse>(client, 'FetchX509Bundles')
    await s.until(1)
    await b.until(1)
    await api.apply({do: 'empty-bundle'})
    await s.until(2)
    await b.until(2)
    expect(s.messages[1].svids[0].bundle).toHaveLength(0)
    expect(s.messages[1].svids[0].x509_svid.equals(s.messages[0].svids[0].x509_svid)).toBe(true)
    expect(b.messages[1].bundles[OWN]).toHaveLength(0)
    client.close()
  })

  it('bundle-late: after a root rotation the new-CA SVID arrives with the old bundle, the new bundle follows', async () => {
    const {api, events} = await serve({faults: {bundleDelayMs: 1500}})
    const client = workloadClient(api.socketPath)
    const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    const b = openStream<X509BundlesResponse>(client, 'FetchX509Bundles')
    await s.until(1)
    await b.until(1)
    await api.rotate({kind: 'root', overlap: 'none'})
    await s.until(2)
    const trusted = (m: X509SvidResponse) => {
      const chain = splitDer(m.svids[0].x509_svid)
      return splitDer(m.svids[0].bundle).some((root) => chain.at(-1)!.verify(root.publicKey))
    }
    expect(trusted(s.messages[0])).toBe(true)
    expect(trusted(s.messages[1])).toBe(false) // new leaf, old bundle
    expect(b.messages).toHaveLength(1)
    await s.until(3)
    await b.until(2)
    expect(trusted(s.messages[2])).toBe(true)
    expect(s.messages[2].svids[0].x509_svid.equals(s.messages[1].svids[0].x509_svid)).toBe(true)
    expect(serialOf(splitDer(b.messages[1].bundles[OWN])[0])).not.toBe(
      serialOf(splitDer(b.messages[0].bundles[OWN])[0]),
    )
    expect(
      events.filter((e) => e.type === 'fault' && e.fault === 'bundle-late').map((e) => e.type === 'fault' && e.active),
    ).toEqual([true, true, false])
    client.close()
  })
})
