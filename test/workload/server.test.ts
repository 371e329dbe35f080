/**
 * The Workload API test server seen through a grpc-js client: the X.509 streams, the
 * security header, rotations pushed to open streams, JWT and unknown RPCs.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {describe, expect, it} from 'vitest'
import {createAuthority} from '../../src/core/ca/create.js'
import {toPemBundle} from '../../src/core/bundle/index.js'
import {bundleAuthorities} from '../../src/core/ca/authority.js'
import {MESSAGES} from '../../src/core/workload/service.js'
import {header, openStream, workloadClient, type X509BundlesResponse, type X509SvidResponse} from './client.js'
import {keyBelongs, serialOf, serve, sharedAuthority, splitDer, TD, WEB} from './fixtures.js'

describe('FetchX509SVID and FetchX509Bundles', () => {
  it('stream DER chains, PKCS#8 keys, hints and bundles, own and federated', async () => {
    const partner = (await createAuthority({trustDomain: 'partner.org', intermediates: 0})).authority
    const dir0 = (await serve({identities: [`${WEB}#internal`, `spiffe://${TD}/db#`]})).dir
    const fedFile = join(dir0, 'partner.pem')
    writeFileSync(fedFile, toPemBundle(bundleAuthorities(partner)))
    const {api} = await serve({
      identities: [`${WEB}#internal`, `spiffe://${TD}/db`],
      federate: [{trustDomain: 'partner.org', path: fedFile}],
    })
    const client = workloadClient(api.socketPath)
    const svid = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    const bundles = openStream<X509BundlesResponse>(client, 'FetchX509Bundles')
    await svid.until(1)
    await bundles.until(1)
    const m = svid.messages[0]
    expect(m.svids.map((s) => [s.spiffe_id, s.hint])).toEqual([
      [WEB, 'internal'],
      [`spiffe://${TD}/db`, ''],
    ])
    const root = bundleAuthorities(await sharedAuthority())[0]
    for (const s of m.svids) {
      const chain = splitDer(s.x509_svid)
      expect(chain).toHaveLength(2) // leaf + intermediate, never the root
      expect(chain[0].subjectAltName).toBe(`URI:${s.spiffe_id}`)
      expect(chain[0].verify(chain[1].publicKey)).toBe(true)
      expect(keyBelongs(s.x509_svid_key, chain[0])).toBe(true)
      const b = splitDer(s.bundle)
      expect(b.map((c) => c.fingerprint256)).toEqual([root.node.fingerprint256])
      expect(chain[1].verify(b[0].publicKey)).toBe(true)
    }
    expect(Object.keys(m.federated_bundles)).toEqual(['spiffe://partner.org'])
    expect(splitDer(m.federated_bundles['spiffe://partner.org'])[0].fingerprint256).toBe(
      partner.roots[0].cert.node.fingerprint256,
    )
    expect(Object.keys(bundles.messages[0].bundles).sort()).toEqual(['spiffe://example.org', 'spiffe://partner.org'])
    client.close()
  })

  it('pushes a full new message on every rotation; the bundle stream only when the bundle changes', async () => {
    const {api, events} = await serve()
    const client = workloadClient(api.socketPath)
    const svid = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    const bundles = openStream<X509BundlesResponse>(client, 'FetchX509Bundles')
    await svid.until(1)
    await bundles.until(1)
    await api.rotate()
    await svid.until(2)
    const serials = svid.messages.map((m) => serialOf(splitDer(m.svids[0].x509_svid)[0]))
    expect(new Set(serials).size).toBe(2)
    expect(keyBelongs(svid.messages[1].svids[0].x509_svid_key, splitDer(svid.messages[1].svids[0].x509_svid)[0])).toBe(
      true,
    )
    await api.rotate({kind: 'root', overlap: 'add'})
    await svid.until(3)
    await bundles.until(2)
    expect(splitDer(bundles.messages[1].bundles[`spiffe://${TD}`])).toHaveLength(2)
    expect(bundles.messages).toHaveLength(2) // the leaf rotation sent nothing on the bundle stream
    const sent = events.filter((e) => e.type === 'message' && e.rpc === 'FetchX509SVID')
    expect(sent.map((e) => (e.type === 'message' ? e.svids?.[0].serial : ''))).toEqual(
      svid.messages.map((m) => serialOf(splitDer(m.svids[0].x509_svid)[0])),
    )
    client.close()
  })

  it('rotates on its own with rotateEveryMs', async () => {
    const {api} = await serve({rotateEveryMs: 150})
    const client = workloadClient(api.socketPath)
    const svid = openStream<X509SvidResponse>(client, 'FetchX509SVID')
    await svid.until(3)
    expect(new Set(svid.messages.map((m) => m.svids[0].x509_svid.toString('hex'))).size).toBe(3)
    client.close()
  })
})

describe('security header and unknown RPCs', () => {
  const rows = [
    {name: 'missing header', md: header(null), code: grpc.status.INVALID_ARGUMENT, message: MESSAGES.header},
    {name: 'header "false"', md: header('false'), code: grpc.status.INVALID_ARGUMENT, message: MESSAGES.header},
  ]
  for (const row of rows) {
    for (const rpc of ['FetchX509SVID', 'FetchX509Bundles'] as const) {
      it(`${rpc}: ${row.name} is ${grpc.status[row.code]}`, async () => {
        const {api, events} = await serve()
        const client = workloadClient(api.socketPath)
        const s = openStream(client, rpc, row.md)
        expect(await s.ended()).toEqual({code: row.code, details: row.message})
        expect(s.messages).toHaveLength(0)
        expect(events.find((e) => e.type === 'request')).toMatchObject({rpc, accepted: false, code: 'INVALID_ARGUMENT'})
        client.close()
      })
    }
  }

  it('an unknown method is Unimplemented (raw call)', async () => {
    const {api} = await serve()
    const client = new grpc.Client(`unix://${api.socketPath}`, grpc.credentials.createInsecure())
    const status = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        '/SpiffeWorkloadAPI/FetchWITSVID',
        (x: Buffer) => x,
        (x: Buffer) => x,
        Buffer.alloc(0),
        header(),
        (err) => resolve(err),
      ),
    )
    expect(status?.code).toBe(grpc.status.UNIMPLEMENTED)
    client.close()
  })
})
