import {describe, expect, it} from 'vitest'
import {
  chainPem,
  createAuthority,
  issueSvid,
  keyPem,
  runClient,
  SvidServer,
  writeSvidDir,
  type ServerCredentials,
} from '../../src/index.js'
import {fileNames} from '../../src/core/fs/layout.js'
import {isSvidkitError} from '../../src/core/errors.js'
import {tmpDir} from '../helpers/tmp.js'

const HOST = '127.0.0.1'
const SERVER_ID = 'spiffe://example.org/server'

// The library's server takes its SVID in memory (no directory) and swaps it with update().
describe('SvidServer with in-memory credentials', () => {
  it('serves the SVID it was given, adopts an update, and keeps the old one when an update is torn', async () => {
    const {authority} = await createAuthority({trustDomain: 'example.org', intermediates: 1})
    const first = await issueSvid(authority, {spiffeId: SERVER_ID})
    const second = await issueSvid(authority, {spiffeId: SERVER_ID})
    const client = await issueSvid(authority, {spiffeId: 'spiffe://example.org/client'})
    const clientDir = tmpDir()
    writeSvidDir(clientDir, client.svid, client.bundle, fileNames('spiffe-helper'))
    const creds = (s: typeof first): ServerCredentials => ({
      cert: chainPem(s.svid.certificates),
      key: keyPem(s.svid),
      bundle: chainPem(s.bundle),
    })
    const server = new SvidServer({host: HOST, port: 0, credentials: creds(first), sink: () => undefined})
    const port = await server.start()
    try {
      const connect = () => runClient({target: `${HOST}:${port}`, dir: clientDir, expectIds: [SERVER_ID]})
      const a = await connect()
      expect({ok: a.ok, serial: a.peer.serial}).toEqual({ok: true, serial: first.svid.certificates[0].serial})

      expect(server.update(creds(second))).toBe(second.svid.certificates[0].serial)
      const b = await connect()
      expect({ok: b.ok, serial: b.peer.serial}).toEqual({ok: true, serial: second.svid.certificates[0].serial})

      // A new certificate with the old key: refused before anything is swapped (the R-class "cert read with the old key").
      const torn = {...creds(first), key: keyPem(second.svid)}
      const err = (() => {
        try {
          return server.update(torn)
        } catch (e) {
          return e
        }
      })()
      expect(isSvidkitError(err) && err.code).toBe('key-mismatch')
      const c = await connect()
      expect({ok: c.ok, serial: c.peer.serial}).toEqual({ok: true, serial: second.svid.certificates[0].serial})
    } finally {
      await server.stop()
    }
  })

  it.each([
    {name: 'neither a directory nor credentials', o: {}},
    {
      name: 'both a directory and credentials',
      o: {dir: '/tmp', names: fileNames('spiffe-helper'), credentials: {cert: '', key: '', bundle: ''}},
    },
    {
      name: 'credentials with a naive reload imitation',
      o: {credentials: {cert: '', key: '', bundle: ''}, reload: 'partial' as const},
    },
  ])('$name is a usage error', ({o}) => {
    expect(() => new SvidServer({host: HOST, port: 0, sink: () => undefined, ...o})).toThrow(
      expect.objectContaining({code: 'usage'}),
    )
  })
})
