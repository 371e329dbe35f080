/**
 * The JWT-SVID RPCs seen through a grpc-js client; the signature is checked with
 * node:crypto against the JWKS of FetchJWTBundles, independently of the server's `jose`.
 */
import {createPublicKey, verify} from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import {describe, expect, it} from 'vitest'
import {MESSAGES} from '../../src/core/workload/service.js'
import {header, openStream, unary, workloadClient} from './client.js'
import {serve, TD, WEB} from './fixtures.js'

interface Jwk {
  kty: string
  crv: string
  x: string
  y: string
  kid: string
  use: string
}
const b64 = (s: string) => Buffer.from(s, 'base64url')
const part = (token: string, i: number) => JSON.parse(b64(token.split('.')[i]).toString()) as Record<string, unknown>

/** Returns true when the ES256 JWS verifies with the JWK (RFC 7518 §3.4: r || s signature). */
function es256Verifies(token: string, jwk: Jwk): boolean {
  const [h, p, sig] = token.split('.')
  const key = createPublicKey({key: jwk as unknown as import('node:crypto').JsonWebKey, format: 'jwk'})
  return verify('sha256', Buffer.from(`${h}.${p}`), {key, dsaEncoding: 'ieee-p1363'}, b64(sig))
}

type JwtSvidResponse = {svids: {spiffe_id: string; svid: string; hint: string}[]}

describe('JWT-SVID profile', () => {
  it('FetchJWTSVID signs a JWT-SVID that the JWKS of FetchJWTBundles verifies; ValidateJWTSVID accepts it', async () => {
    const {api} = await serve({identities: [`${WEB}#internal`, `spiffe://${TD}/db`]})
    const client = workloadClient(api.socketPath)
    const bundles = openStream<{bundles: Record<string, Buffer>}>(client, 'FetchJWTBundles')
    await bundles.until(1)
    const jwks = JSON.parse(bundles.messages[0].bundles[`spiffe://${TD}`].toString()) as {keys: Jwk[]}
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({kty: 'EC', crv: 'P-256', use: 'jwt-svid'})

    const r = await unary(client, 'FetchJWTSVID', {audience: ['svc-a', 'svc-b']})
    expect(r.code).toBe(grpc.status.OK)
    const svids = (r.response as JwtSvidResponse).svids
    expect(svids.map((s) => [s.spiffe_id, s.hint])).toEqual([
      [WEB, 'internal'],
      [`spiffe://${TD}/db`, ''],
    ])
    const token = svids[0].svid
    expect(part(token, 0)).toEqual({alg: 'ES256', kid: jwks.keys[0].kid, typ: 'JWT'})
    const claims = part(token, 1)
    expect(claims).toMatchObject({sub: WEB, aud: ['svc-a', 'svc-b']})
    expect((claims.exp as number) - (claims.iat as number)).toBe(300)
    expect(es256Verifies(token, jwks.keys[0])).toBe(true)
    expect(es256Verifies(token.slice(0, -2) + (token.endsWith('A') ? 'BA' : 'AA'), jwks.keys[0])).toBe(false)

    const v = await unary(client, 'ValidateJWTSVID', {audience: 'svc-b', svid: token})
    expect(v.code).toBe(grpc.status.OK)
    const resp = v.response as {
      spiffe_id: string
      claims: {fields: Record<string, {stringValue?: string; listValue?: {values: {stringValue: string}[]}}>}
    }
    expect(resp.spiffe_id).toBe(WEB)
    expect(resp.claims.fields.sub.stringValue).toBe(WEB)
    expect(resp.claims.fields.aud.listValue?.values.map((x) => x.stringValue)).toEqual(['svc-a', 'svc-b'])

    const one = await unary(client, 'FetchJWTSVID', {audience: ['x'], spiffe_id: `spiffe://${TD}/db`})
    expect((one.response as JwtSvidResponse).svids.map((s) => s.spiffe_id)).toEqual([`spiffe://${TD}/db`])
    client.close()
  })

  const refusals = [
    {
      name: 'FetchJWTSVID without audience',
      rpc: 'FetchJWTSVID',
      req: {audience: []},
      code: grpc.status.INVALID_ARGUMENT,
      message: MESSAGES.audience,
    },
    {
      name: 'FetchJWTSVID for an identity not served',
      rpc: 'FetchJWTSVID',
      req: {audience: ['x'], spiffe_id: `spiffe://${TD}/other`},
      code: grpc.status.PERMISSION_DENIED,
      message: MESSAGES.noIdentity,
    },
    {
      name: 'ValidateJWTSVID without audience',
      rpc: 'ValidateJWTSVID',
      req: {svid: 'a.b.c'},
      code: grpc.status.INVALID_ARGUMENT,
      message: MESSAGES.audience,
    },
    {
      name: 'ValidateJWTSVID without svid',
      rpc: 'ValidateJWTSVID',
      req: {audience: 'x'},
      code: grpc.status.INVALID_ARGUMENT,
      message: MESSAGES.svid,
    },
    {
      name: 'ValidateJWTSVID of garbage',
      rpc: 'ValidateJWTSVID',
      req: {audience: 'x', svid: 'a.b.c'},
      code: grpc.status.INVALID_ARGUMENT,
      message: /^invalid JWT-SVID: /,
    },
  ]
  for (const row of refusals) {
    it(`${row.name}: ${grpc.status[row.code]}`, async () => {
      const {api} = await serve()
      const client = workloadClient(api.socketPath)
      const r = await unary(client, row.rpc, row.req)
      expect(r.code).toBe(row.code)
      expect(r.details).toMatch(typeof row.message === 'string' ? new RegExp(`^${row.message}$`) : row.message)
      client.close()
    })
  }

  it('ValidateJWTSVID refuses another audience, a tampered token and an expired one', async () => {
    const {api} = await serve({jwtTtlMs: 1000})
    const client = workloadClient(api.socketPath)
    const token = ((await unary(client, 'FetchJWTSVID', {audience: ['svc']})).response as JwtSvidResponse).svids[0].svid
    expect(await unary(client, 'ValidateJWTSVID', {audience: 'other', svid: token})).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'invalid JWT-SVID: unexpected "aud" claim value',
    })
    const [h, , s] = token.split('.')
    const forged = `${h}.${Buffer.from(JSON.stringify({sub: `spiffe://${TD}/admin`, aud: ['svc'], exp: 9999999999})).toString('base64url')}.${s}`
    expect(await unary(client, 'ValidateJWTSVID', {audience: 'svc', svid: forged})).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'invalid JWT-SVID: signature verification failed',
    })
    // exp is whole seconds: wait past it (bounded), then the token is refused.
    const exp = part(token, 1).exp as number
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 1100))
    const late = await unary(client, 'ValidateJWTSVID', {audience: 'svc', svid: token})
    expect(late.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(late.details).toMatch(/^invalid JWT-SVID: "exp" claim timestamp check failed$/)
    client.close()
  })

  it('the header, unavailable and permission-denied apply to the JWT RPCs too; empty-bundle empties the JWKS', async () => {
    const {api} = await serve()
    const client = workloadClient(api.socketPath)
    expect((await unary(client, 'FetchJWTSVID', {audience: ['x']}, header(null))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    )
    const b = openStream<{bundles: Record<string, Buffer>}>(client, 'FetchJWTBundles')
    await b.until(1)
    await api.apply({do: 'empty-bundle'})
    await b.until(2)
    expect(JSON.parse(b.messages[1].bundles[`spiffe://${TD}`].toString())).toEqual({keys: []})
    await api.apply({do: 'permission-denied'})
    expect(await b.ended()).toEqual({code: grpc.status.PERMISSION_DENIED, details: MESSAGES.noIdentity})
    expect((await unary(client, 'FetchJWTSVID', {audience: ['x']})).code).toBe(grpc.status.PERMISSION_DENIED)
    await api.apply({do: 'unavailable', forMs: 5000})
    expect((await unary(client, 'ValidateJWTSVID', {audience: 'x', svid: 'a.b.c'})).code).toBe(grpc.status.UNAVAILABLE)
    client.close()
  })
})
