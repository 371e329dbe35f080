/**
 * One escaping for every piece of external text that svidkit quotes in human output (server
 * stderr and pid-file content in the race report, peer text in handshake and inspect, file
 * names in error messages): a terminal must never receive a control character it did not
 * come from svidkit, since ESC and OSC sequences can move the cursor, rewrite earlier lines,
 * set the window title or, on some terminals, write files.
 */

/**
 * C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide text
 * (bidi embeddings, overrides and isolates, the line and paragraph separators).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e'}

function escapeChar(c: string): string {
  const named = NAMED[c]
  if (named) return named
  const code = c.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * Returns `text` with every control character written as a visible escape (`\e`, `\n`,
 * `\x07`, `\u202e`), so it prints on one line and cannot drive the terminal. A backslash
 * is doubled, so the escaped form is unambiguous.
 */
export function escapeControl(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(UNSAFE, escapeChar)
}

/**
 * Returns `text` with control characters escaped as `escapeControl` does, backslashes left
 * alone: for a whole message that may already hold quoted, escaped parts (a second pass
 * changes nothing).
 */
export function escapeControlOnly(text: string | undefined): string {
  return (text ?? '').replace(UNSAFE, escapeChar)
}

const PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g

/**
 * Returns `text` with every PEM private key (a whole block, or a block cut short) replaced
 * by `[private key redacted]`: an error message must never carry key material, whatever
 * path led the key's text into it.
 */
export function redactPrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY, '[private key redacted]')
}

/**
 * Returns `text` in double quotes, escaped by `escapeControl` (and `"` as `\"`), cut to `max`
 * characters of the original with `…` when longer: the form of a file name, a pid-file's
 * content or a peer's text inside a message.
 */
export function quoteExternal(text: string, max = 300): string {
  const cut = text.length > max ? `${text.slice(0, max)}` : text
  return `"${escapeControl(cut).replace(/"/g, '\\"')}${text.length > max ? '…' : ''}"`
}
