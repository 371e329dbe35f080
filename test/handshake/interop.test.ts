/**
 * `handshake` against real TLS peers (X509-SVID specification §5, exit 5 and
 * "handshake --json"): the svidkit client against `openssl s_server`, `openssl s_client`
 * and `gnutls-cli` against the svidkit server, under TLS 1.2 and 1.3, and the failure
 * cases with their reason code and side (`local` = svidkit refused, `peer` = the other end
 * did). Everything listens on 127.0.0.1; every peer process is killed in afterEach/afterAll.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {fileNames, initCa, issueToDirectory} from '../../src/index.js'
import {clientHandshake, type HandshakeResult} from '../../src/core/handshake/client.js'
import {loadCredentials, runClient} from '../../src/core/handshake/run-client.js'
import {SvidServer} from '../../src/core/handshake/server.js'
import type {ServerEvent} from '../../src/core/handshake/server-events.js'
import type {TlsVersionChoice} from '../../src/core/handshake/tls-options.js'
import {loadBundleSpecs} from '../../src/core/bundle/index.js'
import {REPO, STACK_LINE} from '../helpers/cli.js'
import {certBlocks} from '../helpers/pem.js'
import {hasOpenssl, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {
  HOST,
  ensureDist,
  hasGnutlsCli,
  killPeers,
  looksLikeMissingDist,
  runAsync,
  startSServer,
  waitFor,
  warnMissing,
  type Peer,
} from './harness.js'

warnIfMissing('openssl', hasOpenssl)
warnMissing('gnutls-cli', hasGnutlsCli, 'gnutls-bin')

const TD = 'example.org'
const SERVER_ID = `spiffe://${TD}/server`
const CLIENT_ID = `spiffe://${TD}/client`
const FOREIGN_ID = 'spiffe://other.org/client'
const VERSIONS = [
  {tls: 'TLSv1.2', openssl: '-tls1_2', gnutls: 'NORMAL:-VERS-ALL:+VERS-TLS1.2'},
  {tls: 'TLSv1.3', openssl: '-tls1_3', gnutls: 'NORMAL:-VERS-ALL:+VERS-TLS1.3'},
] as const
const REQUEST = 'GET / HTTP/1.0\r\n\r\n'

const base = suiteTmpDir()

/** An SVID directory (spiffe-helper layout) with its chain split the way openssl wants it. */
interface SvidDir {
  dir: string
  cert: string
  key: string
  bundle: string
  leaf: string
  intermediates: string
}

let caBundle: string
let otherCaBundle: string
let server: SvidDir
let serverDns: SvidDir
let expired: SvidDir
let client: SvidDir
let foreign: SvidDir

async function issue(
  name: string,
  spiffeId: string,
  ca: string,
  extra: {dns?: string[]; notBefore?: Date; notAfter?: Date} = {},
): Promise<SvidDir> {
  const dir = join(base(), name)
  await issueToDirectory({spiffeId, ca, out: dir, ...extra})
  const names = fileNames('spiffe-helper')
  const cert = join(dir, names.cert)
  const blocks = certBlocks(readFileSync(cert, 'utf8'))
  expect(blocks.length).toBe(2)
  const leaf = join(dir, 'leaf.pem')
  const intermediates = join(dir, 'intermediates.pem')
  writeFileSync(leaf, blocks[0])
  writeFileSync(intermediates, blocks.slice(1).join(''))
  return {dir, cert, key: join(dir, names.key), bundle: join(dir, names.bundle), leaf, intermediates}
}

beforeAll(async () => {
  const ca = join(base(), 'ca')
  const otherCa = join(base(), 'other-ca')
  await initCa({trustDomain: TD, out: ca, intermediates: 1})
  await initCa({trustDomain: 'other.org', out: otherCa, intermediates: 1})
  caBundle = join(ca, 'bundle.pem')
  otherCaBundle = join(otherCa, 'bundle.pem')
  server = await issue('server', SERVER_ID, ca)
  // Only for peers that insist on a hostname check (DNS SANs for legacy peers only).
  serverDns = await issue('server-dns', SERVER_ID, ca, {dns: ['localhost']})
  const now = Date.now()
  expired = await issue('expired', SERVER_ID, ca, {
    notBefore: new Date(now - 2 * 3_600_000),
    notAfter: new Date(now - 3_600_000),
  })
  client = await issue('client', CLIENT_ID, ca)
  foreign = await issue('foreign', FOREIGN_ID, otherCa)
})

afterEach(killPeers)
afterAll(killPeers)

/** `openssl s_server` serving an SVID and requiring a client certificate verified against `bundle.pem`. */
function sServer(svid: SvidDir, extra: string[] = [], o: {chain?: boolean} = {}): Promise<Peer> {
  return startSServer([
    '-cert',
    svid.leaf,
    ...(o.chain === false ? [] : ['-cert_chain', svid.intermediates]),
    '-key',
    svid.key,
    '-CAfile',
    caBundle,
    '-Verify',
    '2',
    '-verify_return_error',
    ...extra,
  ])
}

/** The svidkit server in-process, with every observation collected. */
async function svidServer(svid: SvidDir): Promise<{server: SvidServer; port: number; events: ServerEvent[]}> {
  const events: ServerEvent[] = []
  const server = new SvidServer({
    host: HOST,
    port: 0,
    dir: svid.dir,
    names: fileNames('spiffe-helper'),
    pollMs: 60_000,
    sink: (e) => events.push(e),
  })
  const port = await server.start()
  return {server, port, events}
}

const connections = (events: ServerEvent[]) => events.filter((e) => e.type === 'connection')

function expectFailed(r: HandshakeResult, code: string, side: 'local' | 'peer'): void {
  expect({ok: r.ok, code: r.errors[0]?.code, side: r.errors[0]?.side}).toEqual({ok: false, code, side})
  expect(r.errors[0]?.hint).toBeTruthy()
}

describe.skipIf(!hasOpenssl)('svidkit client against openssl s_server', () => {
  for (const v of VERSIONS) {
    it(`succeeds with the matching --expect-id under ${v.tls} (server pinned with ${v.openssl})`, async () => {
      const peer = await sServer(server, [v.openssl])
      const r = await runClient({target: `${HOST}:${peer.port}`, dir: client.dir, expectIds: [SERVER_ID]})
      expect({
        ok: r.ok,
        errors: r.errors,
        protocol: r.tls.protocol,
        resumed: r.tls.resumed,
        spiffeId: r.peer.spiffeId,
      }).toEqual({
        ok: true,
        errors: [],
        protocol: v.tls,
        resumed: false,
        spiffeId: SERVER_ID,
      })
      // s_server -www answers GET with its status page: the round trip proves it accepted our certificate.
      expect(r.reply).toMatch(/^HTTP\/1\.0 200 ok$/i)
      expect(r.peer.chain.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root'])
      // openssl verified our chain against bundle.pem (-Verify 2 -verify_return_error).
      await waitFor(
        () => /depth=0 O = svidkit\s+verify return:1/.test(peer.out()),
        5000,
        's_server to log the verified client',
      )
    })

    it(`succeeds when the client pins ${v.tls}`, async () => {
      const peer = await sServer(server)
      const r = await runClient({
        target: `${HOST}:${peer.port}`,
        dir: client.dir,
        expectIds: [SERVER_ID],
        tlsVersion: v.tls as TlsVersionChoice,
      })
      expect({ok: r.ok, protocol: r.tls.protocol, errors: r.errors}).toEqual({ok: true, protocol: v.tls, errors: []})
    })
  }

  it('wrong expected ID: id-mismatch, rejected by us (local)', async () => {
    const peer = await sServer(server)
    const r = await runClient({
      target: `${HOST}:${peer.port}`,
      dir: client.dir,
      expectIds: [`spiffe://${TD}/not-the-server`],
    })
    expectFailed(r, 'id-mismatch', 'local')
    expect(r.peer.spiffeId).toBe(SERVER_ID)
    expect(r.reply).toBeUndefined()
  })

  for (const v of VERSIONS) {
    it(`client from a foreign trust domain under ${v.tls}: alert 48 unknown ca → untrusted-chain, side peer`, async () => {
      const peer = await sServer(server)
      const r = await runClient({
        target: `${HOST}:${peer.port}`,
        dir: foreign.dir,
        bundles: [`${TD}=${caBundle}`],
        tlsVersion: v.tls as TlsVersionChoice,
      })
      expectFailed(r, 'untrusted-chain', 'peer')
      expect(r.errors[0].message).toMatch(/alert unknown ca/i)
      expect(r.errors[0].hint).toMatch(/unknown ca/)
    })
  }

  it('server without its intermediate: untrusted-chain, local, hint says the server sent only its leaf', async () => {
    const peer = await sServer(server, [], {chain: false})
    const r = await runClient({target: `${HOST}:${peer.port}`, dir: client.dir, expectIds: [SERVER_ID]})
    expectFailed(r, 'untrusted-chain', 'local')
    expect(r.errors[0].hint).toMatch(/^server sent only its leaf/)
    expect(r.peer.chain.filter((c) => c.source === 'chain')).toHaveLength(1)
  })

  it('expired server SVID: cert-expired, local', async () => {
    const peer = await sServer(expired)
    const r = await runClient({target: `${HOST}:${peer.port}`, dir: client.dir, expectIds: [SERVER_ID]})
    expectFailed(r, 'cert-expired', 'local')
    expect(r.errors[0].message).toMatch(/expired/)
  })

  it('client without a certificate, TLS 1.3: alert 116 certificate required, side peer', async () => {
    const peer = await sServer(server)
    const r = await runClient({target: `${HOST}:${peer.port}`, bundles: [caBundle], tlsVersion: 'TLSv1.3'})
    expectFailed(r, 'ERR_TLS_CERT_REQUIRED', 'peer')
    expect(r.errors[0].message).toMatch(/TLS alert 116/)
    expect(r.errors[0].message).not.toMatch(/\n|:error:/)
    expect(r.errors[0].hint).toBe(
      'the server requires a client certificate and we sent none (alert 116 "certificate required")',
    )
    // Under 1.3 our side of the handshake finished and the server was verified first.
    expect(r.tls.protocol).toBe('TLSv1.3')
    expect(r.peer.spiffeId).toBe(SERVER_ID)
  })

  it('client without a certificate, TLS 1.2: alert 40 inside the handshake, translated as certificate required, side peer', async () => {
    const peer = await sServer(server)
    const r = await runClient({target: `${HOST}:${peer.port}`, bundles: [caBundle], tlsVersion: 'TLSv1.2'})
    expectFailed(r, 'ERR_TLS_CERT_REQUIRED', 'peer')
    expect(r.errors[0].message).toMatch(/TLS alert 40/)
    // We know we sent no certificate, so alert 40 is explained as the server requiring one.
    expect(r.errors[0].hint).toMatch(/we sent no client certificate/)
    expect(r.tls.protocol).toBeNull()
    await waitFor(
      () => /peer did not return a certificate/.test(peer.out()),
      5000,
      's_server to log the missing client certificate',
    )
  })

  it('TLS 1.2 alert 40 after sending no client certificate: the hint says we sent none', async () => {
    const peer = await sServer(server)
    const r = await runClient({target: `${HOST}:${peer.port}`, bundles: [caBundle], tlsVersion: 'TLSv1.2'})
    expect(r.errors[0].hint).toMatch(/certificate/)
  })
})

describe.skipIf(!hasOpenssl)('svidkit server against openssl s_client', () => {
  let srv: Awaited<ReturnType<typeof svidServer>>
  beforeAll(async () => {
    srv = await svidServer(server)
  })
  afterAll(async () => {
    await srv?.server.stop()
  })

  /** Runs one s_client connection that sends a request and waits for the server to close. */
  async function sClient(args: string[]): Promise<{out: string; events: ServerEvent[]}> {
    const mark = connections(srv.events).length
    const r = await runAsync(
      'openssl',
      ['s_client', '-connect', `${HOST}:${srv.port}`, '-CAfile', caBundle, '-verify_return_error', '-ign_eof', ...args],
      {
        input: REQUEST,
        timeoutMs: 10_000,
      },
    )
    await waitFor(() => connections(srv.events).length > mark, 5000, 'the server to report the connection')
    return {out: r.stdout + r.stderr, events: connections(srv.events).slice(mark)}
  }

  for (const v of VERSIONS) {
    it(`accepts the client's SVID under ${v.tls} and answers the request`, async () => {
      const {out, events} = await sClient([
        '-cert',
        client.leaf,
        '-cert_chain',
        client.intermediates,
        '-key',
        client.key,
        v.openssl,
      ])
      expect(events.map((e) => ({result: e.result, peer: e.peer, protocol: e.protocol}))).toEqual([
        {result: 'accepted', peer: CLIENT_ID, protocol: v.tls},
      ])
      expect(out).toContain(`svidkit ok ${CLIENT_ID}`)
      // s_client verified the svidkit server's chain against the bundle (-verify_return_error).
      expect(out).toMatch(/Verify return code: 0 \(ok\)/)
    })

    it(`rejects a client that sends no certificate under ${v.tls}: ERR_TLS_CERT_REQUIRED`, async () => {
      const {out, events} = await sClient([v.openssl])
      expect(events.map((e) => ({result: e.result, code: e.code, side: e.side, peer: e.peer}))).toEqual([
        {result: 'rejected', code: 'ERR_TLS_CERT_REQUIRED', side: 'local', peer: null},
      ])
      expect(out).not.toContain('svidkit ok')
    })
  }

  it('rejects a client that sends only its leaf (s_client -cert without -cert_chain): untrusted-chain', async () => {
    const {out, events} = await sClient(['-cert', client.cert, '-key', client.key])
    expect(events.map((e) => ({result: e.result, code: e.code, side: e.side, peer: e.peer}))).toEqual([
      {result: 'rejected', code: 'untrusted-chain', side: 'local', peer: CLIENT_ID},
    ])
    expect(out).not.toContain('svidkit ok')
  })
})

describe.skipIf(!hasGnutlsCli)('svidkit server against gnutls-cli', () => {
  /*
   * gnutls-cli 3.7 always checks the server's hostname: cert_verify() gets --verify-hostname or
   * the host argument, and there is no option that skips only that check (--no-ca-verification
   * skips the whole chain check; --insecure keeps verifying but goes on after a failure). So:
   * (1) full verification, no --insecure, against a server SVID that also carries the DNS SAN
   *     "localhost" (allowed for legacy peers), with --verify-hostname=localhost;
   * (2) a URI-only SVID with --insecure, asserting from gnutls-cli's own status line that the
   *     hostname is the only thing it objected to, plus a control with a foreign CA file.
   */
  let dns: Awaited<ReturnType<typeof svidServer>>
  let uriOnly: Awaited<ReturnType<typeof svidServer>>
  beforeAll(async () => {
    dns = await svidServer(serverDns)
    uriOnly = await svidServer(server)
  })
  afterAll(async () => {
    await dns?.server.stop()
    await uriOnly?.server.stop()
  })

  async function gnutls(
    srv: Awaited<ReturnType<typeof svidServer>>,
    args: string[],
  ): Promise<{out: string; events: ServerEvent[]}> {
    const mark = connections(srv.events).length
    const r = await runAsync(
      'gnutls-cli',
      ['--x509certfile', client.cert, '--x509keyfile', client.key, '-p', String(srv.port), ...args, HOST],
      {
        input: REQUEST,
        timeoutMs: 10_000,
      },
    )
    await waitFor(() => connections(srv.events).length > mark, 5000, 'the server to report the connection')
    return {out: r.stdout + r.stderr, events: connections(srv.events).slice(mark)}
  }

  for (const v of VERSIONS) {
    it(`full verification (DNS SAN localhost) under ${v.tls}: accepted, reply received`, async () => {
      const {out, events} = await gnutls(dns, [
        '--x509cafile',
        caBundle,
        '--verify-hostname=localhost',
        `--priority=${v.gnutls}`,
      ])
      expect(events.map((e) => ({result: e.result, peer: e.peer, protocol: e.protocol}))).toEqual([
        {result: 'accepted', peer: CLIENT_ID, protocol: v.tls},
      ])
      expect(out).toMatch(/Status: The certificate is trusted/)
      expect(out).toContain(`svidkit ok ${CLIENT_ID}`)
    })
  }

  it('URI-only SVID with --insecure: the hostname is the only objection, and the server accepts the client', async () => {
    const {out, events} = await gnutls(uriOnly, ['--x509cafile', caBundle, '--insecure'])
    expect(events.map((e) => ({result: e.result, peer: e.peer}))).toEqual([{result: 'accepted', peer: CLIENT_ID}])
    const status = /- Status: (.*)$/m.exec(out)?.[1].trim()
    expect(status).toBe('The certificate is NOT trusted. The name in the certificate does not match the expected.')
    expect(out).toContain(`svidkit ok ${CLIENT_ID}`)
  })

  it('control: with a foreign CA file gnutls-cli reports the issuer as unknown (the status line is meaningful)', async () => {
    const {out} = await gnutls(uriOnly, ['--x509cafile', otherCaBundle, '--insecure'])
    expect(/- Status: (.*)$/m.exec(out)?.[1]).toMatch(/issuer is unknown/)
  })
})

describe('svidkit client against the svidkit server', () => {
  let srv: Awaited<ReturnType<typeof svidServer>>
  beforeAll(async () => {
    srv = await svidServer(server)
  })
  afterAll(async () => {
    await srv?.server.stop()
  })

  for (const v of VERSIONS) {
    it(`a client from a foreign trust domain under ${v.tls}: the server rejects it (bundle-not-found), the client sees the peer close`, async () => {
      const r = await clientHandshake({
        host: HOST,
        port: srv.port,
        credentials: loadCredentials({dir: foreign.dir}),
        bundles: loadBundleSpecs([`${TD}=${caBundle}`]),
        tlsVersion: v.tls as TlsVersionChoice,
        timeoutMs: 5000,
      })
      expectFailed(r, 'ERR_TLS_PEER_CLOSED', 'peer')
      if (v.tls === 'TLSv1.3') {
        // TLS 1.3: the client finished (and verified the server) before the server judged it.
        expect(r.peer.spiffeId).toBe(SERVER_ID)
        expect(r.errors[0].hint).toMatch(/TLS 1\.3 a server judges the client certificate after the client finished/)
      } else {
        // TLS 1.2: the server destroys the socket in 'secureConnection', before its Finished reached us.
        expect(r.errors[0].hint).toMatch(/reset the connection during the handshake/)
      }
      await waitFor(
        () => connections(srv.events).some((e) => e.remotePort === r.localPort),
        5000,
        'the server event of this connection',
      )
      const e = connections(srv.events).find((x) => x.remotePort === r.localPort)
      expect({result: e?.result, code: e?.code, side: e?.side, peer: e?.peer}).toEqual({
        result: 'rejected',
        code: 'bundle-not-found',
        side: 'local',
        peer: FOREIGN_ID,
      })
    })
  }

  it('refuses to start with an expired SVID (validated before serving)', async () => {
    const s = new SvidServer({
      host: HOST,
      port: 0,
      dir: expired.dir,
      names: fileNames('spiffe-helper'),
      sink: () => undefined,
    })
    await expect(s.start()).rejects.toMatchObject({code: 'cert-expired'})
    await s.stop()
  })
})

describe.skipIf(!hasOpenssl)('the CLI: node bin/run.js handshake … --json against openssl s_server', () => {
  beforeAll(() => ensureDist(), 50_000)

  /** Runs the CLI as a user would; a run that failed because dist/ was being rebuilt is retried once. */
  async function cli(args: string[]) {
    for (let attempt = 1; ; attempt++) {
      const r = await runAsync(process.execPath, [join(REPO, 'bin', 'run.js'), 'handshake', ...args, '--json'], {
        timeoutMs: 20_000,
      })
      if (attempt < 3 && looksLikeMissingDist(r.stderr + r.stdout)) {
        await ensureDist()
        continue
      }
      return r
    }
  }

  it('exit 0 and {ok: true, tls, peer: {spiffeId, chain}, errors: []}', async () => {
    const peer = await sServer(server)
    const r = await cli([`${HOST}:${peer.port}`, '--dir', client.dir, '--expect-id', SERVER_ID])
    expect({status: r.status, stderr: r.stderr}).toEqual({status: 0, stderr: ''})
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({
      ok: true,
      tls: {protocol: 'TLSv1.3', resumed: false},
      peer: {spiffeId: SERVER_ID},
      errors: [],
    })
    expect(doc.peer.chain.map((c: {role: string}) => c.role)).toEqual(['leaf', 'intermediate', 'root'])
  })

  it('exit 5 with errors[0].code and side on a wrong --expect-id, no stack trace', async () => {
    const peer = await sServer(server)
    const r = await cli([`${HOST}:${peer.port}`, '--dir', client.dir, '--expect-id', `spiffe://${TD}/nope`])
    expect(r.status).toBe(5)
    const doc = JSON.parse(r.stdout)
    expect(doc.ok).toBe(false)
    expect({code: doc.errors[0].code, side: doc.errors[0].side}).toEqual({code: 'id-mismatch', side: 'local'})
    expect(doc.errors[0].hint).toBeTruthy()
    expect(STACK_LINE.test(r.stdout + r.stderr)).toBe(false)
  })

  it('exit 5, side peer, when the server refuses our certificate (foreign trust domain)', async () => {
    const peer = await sServer(server, ['-tls1_2'])
    const r = await cli([`${HOST}:${peer.port}`, '--dir', foreign.dir, '--bundle', `${TD}=${caBundle}`])
    expect(r.status).toBe(5)
    const doc = JSON.parse(r.stdout)
    expect({ok: doc.ok, code: doc.errors[0].code, side: doc.errors[0].side}).toEqual({
      ok: false,
      code: 'untrusted-chain',
      side: 'peer',
    })
  })
})
