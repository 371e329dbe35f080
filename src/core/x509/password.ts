import {SvidkitError} from '../errors.js'

/** Which password an input needs: a PKCS#12 file's, or an encrypted PKCS#8 key's. */
export type PasswordKind = 'p12' | 'key'

const FLAGS: Record<PasswordKind, string> = {p12: '--p12-password-file', key: '--key-password-file'}
const asked = new WeakMap<Error, PasswordKind>()

/** Returns the `key-invalid` error (exit 3) for an input that needs a password none was given for; `passwordRequest` recognises it. */
export function passwordNeeded(kind: PasswordKind, source: string): SvidkitError {
  const what = kind === 'p12' ? 'a password-protected PKCS#12 file' : 'an encrypted private key (ENCRYPTED PRIVATE KEY)'
  const err = new SvidkitError('key-invalid', `"${source}" is ${what}, and no password was given`, {
    hint: `give ${FLAGS[kind]} FILE (its first line is the password; on a terminal svidkit asks for it)${kind === 'key' ? ', or decrypt it: openssl pkcs8 -in KEY -out PLAIN.pem' : ''}`,
  })
  asked.set(err, kind)
  return err
}

/** Returns which password `err` asks for, when it is a `passwordNeeded` error (the command may then prompt on a terminal). */
export function passwordRequest(err: unknown): PasswordKind | undefined {
  return err instanceof Error ? asked.get(err) : undefined
}
