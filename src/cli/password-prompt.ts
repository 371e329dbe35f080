import {passwordRequest, type PasswordKind} from '../core/x509/password.js'
import {readPasswordFile} from '../core/fs/password.js'

/** The passwords a reading command was given (`--p12-password-file`, `--key-password-file`). */
interface Passwords {
  p12Password?: string
  keyPassword?: string
}

const MAX_PASSWORD = 1024

/** Returns the passwords read from the files the flags name (first line of each). */
export function passwordsFromFlags(f: {p12File?: string; keyFile?: string}): Passwords {
  return {
    p12Password: f.p12File === undefined ? undefined : readPasswordFile(f.p12File),
    keyPassword: f.keyFile === undefined ? undefined : readPasswordFile(f.keyFile),
  }
}

/** Returns a password typed on the terminal, without echo (Ctrl-C ends the process with 130). */
function promptPassword(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin
    process.stderr.write(question)
    stdin.setRawMode(true)
    stdin.resume()
    let typed = ''
    const done = (value: string) => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stderr.write('\n')
      resolve(value)
    }
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(typed)
        if (ch === '\u0003') {
          stdin.setRawMode(false)
          process.stderr.write('\n')
          process.exit(130)
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1)
        else if (typed.length < MAX_PASSWORD) typed += ch
      }
    }
    stdin.on('data', onData)
  })
}

/**
 * Returns what `run` returns, asking on the terminal for a password an input turned out to need
 * (a PKCS#12 file, an encrypted key) when none was given and stdin and stderr are a terminal;
 * elsewhere the "give --…-password-file" error stands. At most one prompt per kind.
 */
export async function withPasswordPrompt<T>(given: Passwords, run: (p: Passwords) => T | Promise<T>): Promise<T> {
  const p = {...given}
  const tried = new Set<PasswordKind>()
  for (;;) {
    try {
      return await run(p)
    } catch (err) {
      const kind = passwordRequest(err)
      if (!kind || tried.has(kind) || !process.stdin.isTTY || !process.stderr.isTTY) throw err
      tried.add(kind)
      const pw = await promptPassword(kind === 'p12' ? 'PKCS#12 password: ' : 'private key password: ')
      if (kind === 'p12') p.p12Password = pw
      else p.keyPassword = pw
    }
  }
}
