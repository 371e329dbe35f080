/**
 * The verdict matrix of docs/race.md "Which servers reload what": real servers (nginx, apache2,
 * HAProxy, caddy, lighttpd, stunnel) with and without their reload mechanism, leaf and root
 * rollovers, writers atomic-rename, kubelet and spiffe-helper. The expected verdicts come from
 * the servers' documented behaviour (and the measured HAProxy 2.6 / caddy 2.6 facts written
 * there). A representative subset (one run of about 3-5 s each), listed in docs/race.md.
 * openssl s_server (never reloads) is covered by target.test.ts and acceptance.test.ts.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {copyFileSync} from 'node:fs'
import {join} from 'node:path'
import {initCa, rotate, defaultKnobs} from '../../src/index.js'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {hasTool} from '../helpers/peers.js'
import {tmpDir} from '../helpers/tmp.js'
import {HOST, freePort, killPeers, warnMissing} from '../handshake/harness.js'
import {SERVER_ID, TD, race, startBackend, stunnelCommand} from './setup.js'
import {
  apache,
  caddy,
  haproxy,
  haproxyPushCert,
  lighttpd,
  nginx,
  type ServerFiles,
  type ServerSetup,
} from './servers.js'
import {existsSync} from 'node:fs'

const has = {
  nginx: hasTool('nginx'),
  apache2: hasTool('apache2'),
  haproxy: hasTool('haproxy'),
  caddy: hasTool('caddy'),
  lighttpd: hasTool('lighttpd') && existsSync('/usr/lib/lighttpd/mod_openssl.so'),
  stunnel: hasTool('stunnel4'),
  python3: hasTool('python3'),
}
warnMissing('apache2', has.apache2, 'apache2')
warnMissing('haproxy', has.haproxy, 'haproxy')
warnMissing('caddy', has.caddy, 'caddy')
warnMissing('lighttpd with mod_openssl', has.lighttpd, 'lighttpd lighttpd-mod-openssl')

let backend: Awaited<ReturnType<typeof startBackend>>
beforeAll(async () => {
  backend = await startBackend()
})
afterAll(async () => {
  backend.server.close()
  await killPeers()
})

const ONE_ROTATION = ['--rotations', '1', '--interval', '300ms', '--concurrency', '2']

type Kind = 'leaf' | 'root'
interface Case {
  server: keyof typeof has
  writer: WriterMode
  kind: Kind
  /** With the server's reload mechanism (docs/race.md table), or none. */
  reload: boolean
  /** Expected: PASS, or the first cause of the FAIL. */
  expect: 'pass' | string
  /** Variants: HAProxy's runtime API committing the certificate only; HAProxy verify optional + deny with a stale CA copy. */
  variant?: 'runtime-api' | 'stale-ca-403'
  maxFailures?: number
}

const CASES: Case[] = [
  {server: 'nginx', writer: 'spiffe-helper', kind: 'leaf', reload: true, expect: 'pass'},
  {server: 'nginx', writer: 'kubelet', kind: 'root', reload: true, expect: 'pass'},
  {server: 'nginx', writer: 'atomic-rename', kind: 'leaf', reload: false, expect: 'unconverged'},
  {server: 'apache2', writer: 'kubelet', kind: 'leaf', reload: true, expect: 'pass'},
  {server: 'apache2', writer: 'spiffe-helper', kind: 'root', reload: true, expect: 'pass'},
  {server: 'apache2', writer: 'atomic-rename', kind: 'root', reload: false, expect: 'nothing-reloaded'},
  {server: 'haproxy', writer: 'atomic-rename', kind: 'root', reload: true, expect: 'pass'},
  {server: 'haproxy', writer: 'spiffe-helper', kind: 'leaf', reload: false, expect: 'unconverged'},
  {server: 'haproxy', writer: 'atomic-rename', kind: 'root', reload: true, variant: 'runtime-api', expect: 'pass'},
  {
    server: 'haproxy',
    writer: 'atomic-rename',
    kind: 'root',
    reload: true,
    variant: 'stale-ca-403',
    expect: 'trust-not-reloaded',
  },
  {server: 'lighttpd', writer: 'atomic-rename', kind: 'root', reload: true, expect: 'pass'},
  {server: 'lighttpd', writer: 'kubelet', kind: 'leaf', reload: false, expect: 'unconverged'},
  // caddy's reload replaces its servers: a handshake in flight at the swap can be reset (CI saw 1 of 477
  // and 1 of 616 handshakes, ERR_TLS_PEER_CLOSED / ECONNRESET): allowed, and only that cause.
  {server: 'caddy', writer: 'atomic-rename', kind: 'leaf', reload: true, expect: 'pass', maxFailures: 3},
  {server: 'caddy', writer: 'atomic-rename', kind: 'root', reload: true, expect: 'partial-trust'},
  {server: 'caddy', writer: 'spiffe-helper', kind: 'leaf', reload: false, expect: 'unconverged'},
  // stunnel drops a few connections while it re-opens its listener (dropped-during-reload): allowed.
  {server: 'stunnel', writer: 'kubelet', kind: 'root', reload: true, expect: 'pass', maxFailures: 10},
]

/** The SVID directory of a case, written by the case's writer (so it is a layout that writer produces), and the names the server reads. */
async function svidDir(
  base: string,
  ca: string,
  c: Case,
): Promise<{dir: string; files: ServerFiles; nameFlags: string[]}> {
  const dir = join(base, 'svid')
  // HAProxy reads the key beside the certificate as <crt>.key.
  const names = c.server === 'haproxy' ? {cert: 'site.pem', key: 'site.pem.key', bundle: 'ca.pem'} : undefined
  await rotate({dir, ca, mode: c.writer, names, spiffeId: SERVER_ID, knobs: defaultKnobs(), sink: () => undefined})
  const n =
    names ??
    (c.writer === 'kubelet'
      ? {cert: 'tls.crt', key: 'tls.key', bundle: 'ca.crt'}
      : {cert: 'svid.pem', key: 'svid_key.pem', bundle: 'svid_bundle.pem'})
  return {
    dir,
    files: {cert: join(dir, n.cert), key: join(dir, n.key), bundle: join(dir, n.bundle)},
    nameFlags: names ? ['--cert-file', names.cert, '--key-file', names.key, '--bundle-file', names.bundle] : [],
  }
}

async function setup(c: Case, base: string, port: number, files: ServerFiles): Promise<ServerSetup> {
  switch (c.server) {
    case 'nginx':
      return nginx(base, port, files)
    case 'apache2':
      return apache(base, port, files)
    case 'haproxy': {
      let clientCa: string | undefined
      if (c.variant === 'stale-ca-403') {
        clientCa = join(base, 'client-ca.pem')
        copyFileSync(files.bundle, clientCa)
      }
      const h = haproxy(base, port, files, {clientCa, verifyOptional: c.variant === 'stale-ca-403'})
      return c.variant === 'runtime-api' ? {...h, reload: haproxyPushCert(base, h.socket, files)} : h
    }
    case 'lighttpd':
      return lighttpd(base, port, files)
    case 'caddy':
      return caddy(base, port, await freePort(), files)
    case 'stunnel':
      return {cmd: stunnelCommand(base, files, port, backend.port), reload: 'signal:HUP', extra: []}
    default:
      throw new Error(`no setup for ${c.server}`)
  }
}

describe('verdict matrix over real servers (docs/race.md)', () => {
  for (const c of CASES) {
    const name = `${c.server}${c.variant ? ` (${c.variant})` : ''}, ${c.writer}, ${c.kind}${c.kind === 'root' ? ' drop-old' : ''}, ${c.reload ? 'with its reload' : 'no reload'}: ${c.expect === 'pass' ? 'PASS' : `FAIL ${c.expect}`}`
    it.skipIf(!has[c.server] || (c.variant === 'runtime-api' && !has.python3))(
      name,
      // A real server's reload timing on a loaded 2-core machine can make one handshake of a
      // correct server fail (seen once: lighttpd, 1 of 259 handshakes, under the full suite). A row that expects
      // PASS gets one more try; a row that expects FAIL never does, so a flaky false PASS
      // cannot hide behind a retry.
      {timeout: 60_000, retry: c.expect === 'pass' ? 1 : 0},
      async () => {
        const base = tmpDir()
        const ca = join(base, 'ca')
        await initCa({trustDomain: TD, out: ca, intermediates: 1})
        const {dir, files, nameFlags} = await svidDir(base, ca, c)
        const port = await freePort()
        const s = await setup(c, base, port, files)
        const r = await race([
          '--target',
          `${HOST}:${port}`,
          '--dir',
          dir,
          '--ca',
          ca,
          '--mode',
          c.writer,
          ...nameFlags,
          '--server-cmd',
          s.cmd,
          ...(c.reload && s.reload ? ['--reload', s.reload, ...s.extra] : []),
          ...['--kind', c.kind, '--ca-overlap', 'drop-old'],
          ...ONE_ROTATION,
          // A loaded machine slows reloads (HAProxy's USR2 took 4 s once): the passing rows may take 10 s.
          '--settle',
          c.expect === 'pass' ? '10s' : '3s',
          '--max-failures',
          String(c.maxFailures ?? 0),
          '--json',
        ])
        const got = {status: r.status, verdict: r.doc?.ok ? 'pass' : (r.doc?.causes?.[0] ?? r.doc?.error?.code)}
        expect(got, r.doc?.summary ?? r.doc?.error?.message).toEqual({
          status: c.expect === 'pass' ? 0 : 5,
          verdict: c.expect,
        })
        // An allowance covers connections dropped during a reload, nothing else: a stale or refused
        // certificate is a FAIL however few.
        if (c.maxFailures)
          for (const cause of Object.keys(r.doc?.failuresByCause ?? {})) expect(cause).toBe('dropped-during-reload')
        if (c.variant === 'stale-ca-403')
          expect(r.doc?.failuresByCause?.['rejected-by-server-reply']).toBeGreaterThan(0)
      },
    )
  }
})
