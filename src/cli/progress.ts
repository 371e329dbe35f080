/**
 * Writes a progress line on stderr, redrawn in place, only when stderr is a TTY; with no
 * text, clears it. Scripts (and --json) never see it.
 */
export function progressLine(text?: string): void {
  if (!process.stderr.isTTY) return
  process.stderr.write(text === undefined ? '\r\u001B[2K' : `\r\u001B[2K${text}`)
}
