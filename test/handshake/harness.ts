/**
 * Shared plumbing of the handshake tests: free ports on 127.0.0.1, external peers
 * (openssl s_server / s_client, gnutls-cli) run as tracked child processes that the tests
 * kill in afterEach/afterAll, bounded waits, and a guard for dist/ (the rotate child of
 * `runLocalRace` and the CLI run from dist/, which other engineers rebuild concurrently).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {REPO} from '../helpers/cli.js'
import {hasTool} from '../helpers/peers.js'

export const HOST = '127.0.0.1'
export const hasGnutlsCli = hasTool('gnutls-cli')

const warned = new Set<string>()

/** Prints once why the tests needing `tool` are skipped (the Debian package is named). */
export function warnMissing(tool: string, present: boolean, pkg: string): void {
  if (present || warned.has(tool)) return
  warned.add(tool)
  console.warn(
    `[svidkit tests] "${tool}" not found on PATH: skipping the handshake interop tests that need it (apt-get install -y ${pkg})`,
  )
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago (the caller retries on EADDRINUSE). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, HOST, () => {
      const port = (s.address() as {port: number}).port
      s.close(() => resolve(port))
    })
  })
}

/** Resolves once `pred()` is true; rejects after `timeoutMs` (every wait in these tests is bounded). */
export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A tracked child process. */
export interface Peer {
  child: ChildProcess
  port: number
  out: () => string
  exited: Promise<number | null>
}

const live = new Set<ChildProcess>()

function track(child: ChildProcess): {out: () => string; exited: Promise<number | null>} {
  live.add(child)
  let text = ''
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()))
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child)
      resolve(code)
    })
    child.once('error', () => {
      live.delete(child)
      resolve(null)
    })
  })
  return {out: () => text, exited}
}

/** Kills every child still running (SIGKILL after a short SIGTERM grace); call in afterEach/afterAll. */
export async function killPeers(): Promise<void> {
  const waits: Promise<unknown>[] = []
  for (const child of [...live]) {
    const gone = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), 1000)
    waits.push(gone.then(() => clearTimeout(t)))
  }
  await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 3000))])
}

/**
 * Starts `openssl s_server -accept 127.0.0.1:<port> <args> -www` and resolves once it
 * prints ACCEPT (it listens then). A port taken between freePort() and the bind is retried.
 */
export async function startSServer(args: string[]): Promise<Peer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const child = spawn('openssl', ['s_server', '-accept', `${HOST}:${port}`, ...args, '-www'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const {out, exited} = track(child)
    let done = false
    void exited.then(() => (done = true))
    try {
      await waitFor(() => done || /^ACCEPT$/m.test(out()), 10_000, 'openssl s_server to listen')
    } catch (err) {
      child.kill('SIGKILL')
      throw err
    }
    if (!done) return {child, port, out, exited}
    if (attempt >= 3 || !/address already in use|bind/i.test(out()))
      throw new Error(`openssl s_server did not start:\n${out()}`)
  }
}

/** The outcome of a finished child. */
export interface Finished {
  status: number | null
  stdout: string
  stderr: string
}

/**
 * Runs a command to completion without blocking the event loop (an in-process server must
 * keep answering meanwhile), writing `input` to its stdin; killed after `timeoutMs`.
 */
export function runAsync(cmd: string, args: string[], o: {input?: string; timeoutMs?: number} = {}): Promise<Finished> {
  const child = spawn(cmd, args, {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  const {exited} = track(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin?.on('error', () => undefined)
  child.stdin?.end(o.input ?? '')
  const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 15_000)
  return exited.then((status) => {
    clearTimeout(killer)
    return {status, stdout, stderr}
  })
}

/** The rotate child of runLocalRace and the CLI load dist/: wait (bounded) while someone rebuilds it. */
export async function ensureDist(timeoutMs = 45_000): Promise<void> {
  const ok = () =>
    existsSync(join(REPO, 'dist', 'commands', 'rotate.js')) &&
    existsSync(join(REPO, 'dist', 'commands', 'race.js')) &&
    existsSync(join(REPO, 'dist', 'core', 'race', 'writer-child.js')) &&
    existsSync(join(REPO, 'oclif.manifest.json'))
  await waitFor(ok, timeoutMs, 'dist/ (run npm run build)')
}

/** True when a failure came from dist/ disappearing under us (a concurrent rebuild), not from svidkit. */
export function looksLikeMissingDist(text: string): boolean {
  return /ERR_MODULE_NOT_FOUND|Cannot find module|command .* not found|MODULE_NOT_FOUND/i.test(text)
}
