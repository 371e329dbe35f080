/** The exit-code table of docs/errors.md, printed at the end of every command's help. */
const EXIT_CODES = `EXIT CODES
  0  success
  1  internal error (a bug)
  2  usage error: bad flag or value, invalid SPIFFE ID or trust domain in a flag
  3  input/output problem: missing or unreadable file, bad PEM/DER or key, refusing to overwrite
  4  verification failed
  5  handshake failed, or the race test saw more failures than allowed
  6  watch failed`

/** Returns a command description with the exit-code table appended. */
export function describe(text: string): string {
  return `${text.trim()}\n\n${EXIT_CODES}`
}
