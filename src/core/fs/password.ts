import {readInput} from './read-input.js'

/**
 * Returns the password in the first line of `path` (without its line break), the way
 * `openssl -passin file:` reads it. The file is read bounded, regular files only.
 */
export function readPasswordFile(path: string): string {
  const text = readInput(path, 'file-not-found').toString('utf8')
  return text.split(/\r?\n/, 1)[0]
}
