/** PEM helpers for tests: split files into blocks the way openssl and Go read them. */

/** One PEM block, with its full text (armour included, newline-terminated). */
export interface PemText {
  type: string
  text: string
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----\r?\n?/g

/** Returns the PEM blocks of `text` in file order. */
export function pemBlocks(text: string): PemText[] {
  return [...text.matchAll(BLOCK)].map((m) => ({type: m[1], text: m[0].endsWith('\n') ? m[0] : `${m[0]}\n`}))
}

/** Returns the text of every CERTIFICATE block of `text`. */
export function certBlocks(text: string): string[] {
  return pemBlocks(text)
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => b.text)
}
