/**
 * Plumbing of the `race --target` tests: a trust domain and the server's SVID directory per
 * test, configs for real servers (nginx, stunnel) with every path inside the test directory,
 * small Node servers, a plain backend, and the CLI run as a user runs it.
 */
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {initCa, issueToDirectory} from '../../src/index.js'
import type {TargetRaceReport} from '../../src/core/race/target-report.js'
import {REPO} from '../helpers/cli.js'
import {HOST, ensureDist, freePort, looksLikeMissingDist, runAsync, type Finished} from '../handshake/harness.js'

export const TD = 'race.example.org'
export const SERVER_ID = `spiffe://${TD}/server`

/** A trust domain (ca/) and the server's SVID directory (svid/, spiffe-helper layout) under `base`. */
export async function trustDomain(base: string): Promise<{ca: string; svid: string}> {
  const ca = join(base, 'ca')
  const svid = join(base, 'svid')
  await initCa({trustDomain: TD, out: ca, intermediates: 1})
  await issueToDirectory({spiffeId: SERVER_ID, ca, out: svid})
  return {ca, svid}
}

/** Returns whether a process exists (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Returns the pids of processes in process group `pgid` (from /proc). */
export function groupMembers(pgid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '-g', String(pgid)], {encoding: 'utf8'})
  return out.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0)
}

/** Writes an nginx mTLS config (daemon off, pid file and temp paths inside `base`) and returns the command starting it. */
export function nginxCommand(
  base: string,
  svid: string,
  port: number,
  o: {clientCa?: string} = {},
): {cmd: string; pidFile: string} {
  const tmp = join(base, 'nginx-tmp')
  mkdirSync(tmp, {recursive: true})
  const pidFile = join(base, 'nginx.pid')
  const conf = join(base, 'nginx.conf')
  writeFileSync(
    conf,
    `daemon off;
master_process on;
worker_processes 1;
pid ${pidFile};
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  server {
    listen ${HOST}:${port} ssl;
    ssl_certificate ${svid}/svid.pem;
    ssl_certificate_key ${svid}/svid_key.pem;
    ssl_client_certificate ${o.clientCa ?? `${svid}/svid_bundle.pem`};
    ssl_verify_client on;
    ssl_verify_depth 3;
    location / { return 200 "ok\\n"; }
  }
}
`,
  )
  return {cmd: `nginx -p ${base} -c ${conf} -e stderr`, pidFile}
}

/** The `openssl s_server` command serving `svid` (with `-cert_chain` unless `leafOnly`), refusing clients it does not trust. */
export function sServerCommand(port: number, svid: string, o: {leafOnly?: boolean; caFile?: string} = {}): string {
  const chain = o.leafOnly ? '' : ` -cert_chain ${svid}/svid.pem`
  return `openssl s_server -accept ${HOST}:${port} -cert ${svid}/svid.pem${chain} -key ${svid}/svid_key.pem -CAfile ${o.caFile ?? `${svid}/svid_bundle.pem`} -Verify 3 -verify_return_error -www -quiet`
}

/** Writes a stunnel config (foreground, mTLS in front of `backend`) and returns the command starting it. */
export function stunnelCommand(
  base: string,
  svid: string | {cert: string; key: string; bundle: string},
  port: number,
  backend: number,
): string {
  const conf = join(base, 'stunnel.conf')
  const f =
    typeof svid === 'string'
      ? {cert: `${svid}/svid.pem`, key: `${svid}/svid_key.pem`, bundle: `${svid}/svid_bundle.pem`}
      : svid
  writeFileSync(
    conf,
    `foreground = yes
pid = ${join(base, 'stunnel.pid')}
debug = 4
[svid]
accept = ${HOST}:${port}
connect = ${HOST}:${backend}
cert = ${f.cert}
key = ${f.key}
CAfile = ${f.bundle}
verifyChain = yes
requireCert = yes
`,
  )
  return `stunnel ${conf}`
}

/** A plain TCP backend answering every request with an HTTP 200 (what stunnel forwards to). */
export function startBackend(): Promise<{server: Server; port: number}> {
  const server = createServer((s) => {
    s.once('data', () => s.end('HTTP/1.0 200 OK\r\n\r\nbackend ok\n'))
    s.on('error', () => undefined)
  })
  return new Promise((resolve) =>
    server.listen(0, HOST, () => resolve({server, port: (server.address() as {port: number}).port})),
  )
}

/**
 * A Node mTLS server reading its SVID directory, reloading on SIGHUP with
 * `setSecureContext`: `full` passes key, cert and ca; `keep-ca` passes the new key and cert
 * but the CA it started with (never reloads its trust); `exit` dies on the signal.
 */
export function nodeServerScript(base: string): string {
  const file = join(base, 'server.mjs')
  writeFileSync(
    file,
    `import {createServer} from 'node:tls'
import {readFileSync} from 'node:fs'
const [dir, port, mode] = process.argv.slice(2)
const read = () => ({key: readFileSync(dir + '/svid_key.pem'), cert: readFileSync(dir + '/svid.pem'), ca: readFileSync(dir + '/svid_bundle.pem')})
const first = read()
const server = createServer({...first, requestCert: true, rejectUnauthorized: true}, (s) => {
  s.once('data', () => s.end('HTTP/1.0 200 OK\\r\\n\\r\\nok\\n'))
  s.on('error', () => undefined)
})
server.on('tlsClientError', () => undefined)
process.on('SIGHUP', () => {
  if (mode === 'exit') {
    console.error('reload is not supported here, exiting')
    process.exit(3)
  }
  const next = read()
  server.setSecureContext(mode === 'keep-ca' ? {key: next.key, cert: next.cert, ca: first.ca} : next)
})
server.listen(Number(port), '${HOST}', () => console.log('listening on ' + port))
`,
  )
  return file
}

/** The race flags that start the Node server of nodeServerScript in `mode` and reload it by SIGHUP. */
export function nodeServerArgs(
  base: string,
  svid: string,
  port: number,
  mode: 'full' | 'keep-ca' | 'exit' = 'full',
): string[] {
  return ['--server-cmd', `node ${nodeServerScript(base)} ${svid} ${port} ${mode}`, '--reload', 'signal:HUP']
}

/** A `race --json` document: the report, or an error. */
export type RaceDoc = Partial<TargetRaceReport> & {error?: {code: string; message: string; hint: string}}

/** Runs `svidkit race …` as a user does (a run broken by a concurrent rebuild of dist/ is retried). */
export async function race(args: string[], timeoutMs = 40_000): Promise<Finished & {doc?: RaceDoc}> {
  for (let attempt = 1; ; attempt++) {
    await ensureDist()
    const r = await runAsync(process.execPath, [join(REPO, 'bin', 'run.js'), 'race', ...args], {timeoutMs})
    if (attempt < 3 && looksLikeMissingDist(r.stderr + r.stdout)) continue
    let doc: RaceDoc | undefined
    try {
      doc = JSON.parse(r.stdout)
    } catch {
      doc = undefined
    }
    return {...r, doc}
  }
}

/** Returns the in-process race's run directories under `tmp` (in the per-user race directory, or directly under `tmp` as main made them). */
export function raceDirs(tmp: string): string[] {
  const user = readdirSync(tmp).filter((d) => d.startsWith('svidkit-race-'))
  return [
    ...readdirSync(tmp)
      .filter((d) => d.startsWith('svidkit-local-'))
      .map((d) => join(tmp, d)),
    ...user.flatMap((u) => readdirSync(join(tmp, u)).map((d) => join(tmp, u, d))),
  ]
}

/** Starts `svidkit <args>` with TMPDIR set to `tmp`; returns the process, its output and its exit. */
export function start(args: string[], tmp: string) {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {...process.env, TMPDIR: tmp, NO_COLOR: '1'},
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<{code: number | null; signal: string | null}>((resolve) =>
    child.once('exit', (code, signal) => resolve({code, signal})),
  )
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  void exited.then(() => clearTimeout(killer))
  return {child, out: () => out, exited}
}

/** Returns the arguments of `race --target` against a server that `--server-cmd` starts, then `rest`. */
export function serverCmdArgs(port: number, svid: string, ca: string, serverCmd: string, ...rest: string[]): string[] {
  return ['--target', `${HOST}:${port}`, '--dir', svid, '--ca', ca, '--server-cmd', serverCmd, ...rest]
}

/**
 * Starts `race --target` (as a user runs it, TMPDIR in a fresh test directory) against the
 * Node server of `nodeServerScript` started by `--server-cmd`, with `extra` arguments.
 */
export async function startServerRace(base: string, extra: string[]) {
  await ensureDist()
  const {ca, svid} = await trustDomain(base)
  const port = await freePort()
  const script = nodeServerScript(base)
  const run = start(['race', ...serverCmdArgs(port, svid, ca, `node ${script} ${svid} ${port} full`, ...extra)], base)
  return {run, script}
}
