/**
 * Binding the Workload Endpoint's Unix socket (SPIFFE Workload Endpoint: a Unix domain
 * socket, no TLS). A stale socket left by a dead server is replaced; a live one, or any
 * file that is not a socket, never is.
 */
import {chmodSync, existsSync, lstatSync, unlinkSync} from 'node:fs'
import {dirname} from 'node:path'
import {createConnection, createServer, type Server, type Socket} from 'node:net'
import {SvidkitError} from '../errors.js'

function inUse(path: string): SvidkitError {
  return new SvidkitError('output-exists', `socket "${path}" is in use by another server`, {
    path,
    hint: 'stop the other server, or choose another --socket path',
  })
}

/** Resolves true when something accepts connections on the socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path)
    const done = (v: boolean) => {
      c.destroy()
      resolve(v)
    }
    c.once('connect', () => done(true))
    c.once('error', () => done(false))
    c.setTimeout(1000, () => done(false))
  })
}

async function clearStale(path: string): Promise<void> {
  let st
  try {
    st = lstatSync(path)
  } catch {
    return
  }
  if (!st.isSocket()) {
    throw new SvidkitError('output-exists', `refusing to replace "${path}": it exists and is not a socket`, {
      path,
      hint: 'choose another --socket path, or remove the file yourself',
    })
  }
  if (await answers(path)) throw inUse(path)
  unlinkSync(path)
}

/**
 * Returns a listening server on the Unix socket `path` (absolute), mode 0600 so only
 * this user can fetch the private keys it serves. Throws exit-3 errors: `output-exists`
 * for a live socket or a non-socket file, `output-not-writable` when bind fails.
 */
export async function listenUnix(path: string, onConnection: (s: Socket) => void): Promise<Server> {
  await clearStale(path)
  const server = createServer(onConnection)
  // The socket file is created with 0777 & ~umask: narrow the umask around bind so no other user can connect in between.
  const old = process.umask(0o077)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw inUse(path)
    // bind(2) into a missing directory is reported by libuv as EACCES: say what is wrong.
    if (!existsSync(dirname(path))) {
      throw new SvidkitError('file-not-found', `cannot bind socket "${path}": the directory "${dirname(path)}" does not exist`, {
        path,
        cause: err,
        hint: 'create it first (mkdir -m 0700), or choose another --socket path',
      })
    }
    throw new SvidkitError('output-not-writable', `cannot bind socket "${path}": ${code ?? (err as Error).message}`, {path, cause: err})
  } finally {
    process.umask(old)
  }
  chmodSync(path, 0o600)
  return server
}

/** Removes the socket file if it is still a socket (never anything else put there since). */
export function removeSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path)
  } catch {
    // already gone
  }
}
