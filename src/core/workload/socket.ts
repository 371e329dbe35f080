/**
 * Binding the Workload Endpoint's Unix socket (SPIFFE Workload Endpoint: a Unix domain
 * socket, no TLS). A stale socket left by a dead server is replaced; a live one, or any
 * file that is not a socket, never is.
 */
import {existsSync, lstatSync, unlinkSync} from 'node:fs'
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

/** Closes a server that must not serve, and resolves once it is closed. */
function shut(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

/**
 * Returns a listening server on the Unix socket `path` (absolute), mode 0600 so only
 * this user can fetch the private keys it serves. The mode is the one the socket is
 * created with (umask 0177 around bind, which Node does synchronously inside `listen`),
 * never set later through the path: by then another user who can write the directory may
 * have swapped in a link. The path is checked after bind (lstat, no link followed). Throws
 * exit-3 errors: `output-exists` for a live socket, a non-socket file, or a path replaced
 * after bind; `output-not-writable` when bind fails or the socket did not get mode 0600.
 */
export async function listenUnix(path: string, onConnection: (s: Socket) => void): Promise<Server> {
  await clearStale(path)
  const server = createServer(onConnection)
  let listening: Promise<void>
  const old = process.umask(0o177)
  try {
    listening = new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } finally {
    process.umask(old)
  }
  try {
    await listening
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw inUse(path)
    // bind(2) into a missing directory is reported by libuv as EACCES: say what is wrong.
    if (!existsSync(dirname(path))) {
      throw new SvidkitError(
        'file-not-found',
        `cannot bind socket "${path}": the directory "${dirname(path)}" does not exist`,
        {
          path,
          cause: err,
          hint: 'create it first (mkdir -m 0700), or choose another --socket path',
        },
      )
    }
    throw new SvidkitError('output-not-writable', `cannot bind socket "${path}": ${code ?? (err as Error).message}`, {
      path,
      cause: err,
    })
  }
  let st
  try {
    st = lstatSync(path)
  } catch {
    st = undefined
  }
  if (!st?.isSocket() || st.uid !== process.getuid?.()) {
    await shut(server)
    throw new SvidkitError('output-exists', `socket "${path}" was replaced after bind`, {
      path,
      hint: 'another user can write its directory: choose a --socket path in a directory only you can write',
    })
  }
  if ((st.mode & 0o777) !== 0o600) {
    await shut(server)
    throw new SvidkitError(
      'output-not-writable',
      `socket "${path}" was created with mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, not 0600`,
      {
        path,
        hint: 'a default ACL of its directory widens new files: choose a --socket path in a directory without one',
      },
    )
  }
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
