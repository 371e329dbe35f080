/** `workload-api serve` with a seed and a frozen clock: two servers hand out the same SVID, key, JWT bundle and JWT-SVID bytes. */
import {describe, expect, it} from 'vitest'
import {createAuthority} from '../../src/core/ca/create.js'
import {fixedClock} from '../../src/core/clock.js'
import {openStream, unary, workloadClient, type X509SvidResponse} from '../workload/client.js'
import {serve, TD, WEB} from '../workload/fixtures.js'

const clock = fixedClock(new Date(Date.UTC(2026, 0, 1))) // 2026-01-01T00:00:00Z

async function fetchAll(seed: string | undefined) {
  const ca = (await createAuthority({trustDomain: TD, seed: 'ca', clock})).authority
  const {api} = await serve({ca, identities: [WEB], clock, ...(seed === undefined ? {} : {seed})})
  const client = workloadClient(api.socketPath)
  const svid = openStream<X509SvidResponse>(client, 'FetchX509SVID')
  const jwtBundles = openStream<{bundles: Record<string, Buffer>}>(client, 'FetchJWTBundles')
  await svid.until(1)
  await jwtBundles.until(1)
  const jwt = (await unary(client, 'FetchJWTSVID', {audience: ['db']})).response as {svids: {svid: string}[]}
  const s = svid.messages[0].svids[0]
  return {
    cert: s.x509_svid.toString('hex'),
    key: s.x509_svid_key.toString('hex'),
    jwks: jwtBundles.messages[0].bundles[`spiffe://${TD}`].toString(),
    token: jwt.svids[0].svid,
  }
}

describe('workload-api serve --seed --now', () => {
  it('gives the same SVID, key, JWT bundle and JWT-SVID in two servers; without a seed they differ', async () => {
    const [a, b, c] = [await fetchAll('serve-1'), await fetchAll('serve-1'), await fetchAll(undefined)]
    expect(b).toEqual(a)
    expect(c.key).not.toBe(a.key)
    expect(c.jwks).not.toBe(a.jwks)
  })
})
