// One `openssl s_server` for the benches that time TLS handshakes against it (bench/inprocess.js,
// bench/race-target.js): started on a free loopback port with an SVID directory's files, and
// returned once it accepts connections, so no bench times its start-up.
import {spawn} from 'node:child_process'
import {createServer} from 'node:net'
import {join} from 'node:path'

/** Returns a free loopback TCP port (the kernel's choice). */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** Resolves true once something listens on 127.0.0.1:port (binding it fails). */
function listening(port) {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(true))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)))
  })
}

/**
 * Starts `openssl s_server -www` with the SVID in `dir` (svid.pem, svid_key.pem,
 * svid_bundle.pem: spiffe-helper layout), requiring client certificates verified against
 * the bundle up to `verifyDepth`. `chain`: also send the intermediates of svid.pem.
 * Resolves {port, stop} once it listens; throws after 10 s.
 */
export async function startSServer({dir, verifyDepth = 2, chain = false, port}) {
  const p = port ?? (await freePort())
  const args = ['s_server', '-accept', `127.0.0.1:${p}`, '-cert', join(dir, 'svid.pem')]
  if (chain) args.push('-cert_chain', join(dir, 'svid.pem'))
  args.push(
    '-key',
    join(dir, 'svid_key.pem'),
    '-CAfile',
    join(dir, 'svid_bundle.pem'),
    '-Verify',
    String(verifyDepth),
    '-www',
    '-quiet',
  )
  const child = spawn('openssl', args, {stdio: ['pipe', 'ignore', 'ignore']})
  let exited = false
  child.once('exit', () => (exited = true))
  const stop = () => {
    if (!exited) child.kill('SIGKILL')
  }
  const until = Date.now() + 10_000
  while (!(await listening(p))) {
    if (exited || Date.now() > until) {
      stop()
      throw new Error('openssl s_server did not start')
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {port: p, stop}
}

/** `openssl s_time -new` for `seconds` against a port, with a client SVID directory: connections per second, or null. */
export function sTime(port, clientDir, seconds, {www = false} = {}) {
  const args = ['s_time', '-connect', `127.0.0.1:${port}`, '-new', '-time', String(seconds)]
  if (www) args.push('-www', '/')
  args.push('-cert', join(clientDir, 'svid.pem'), '-key', join(clientDir, 'svid_key.pem'))
  return new Promise((resolve) => {
    const c = spawn('openssl', args, {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    const killer = setTimeout(() => c.kill('SIGKILL'), (seconds + 20) * 1000)
    c.stdout.on('data', (d) => (out += d))
    c.stderr.on('data', (d) => (out += d))
    c.on('close', () => {
      clearTimeout(killer)
      const m = /(\d+) connections in (\d+) real seconds/.exec(out)
      resolve(m ? Number(m[1]) / Number(m[2]) : null)
    })
  })
}
