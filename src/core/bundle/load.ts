import {oneLine} from './one-line.js'
/**
 * Reading a bundle file of any format (SPIFFE Trust Domain and Bundle §4): a JSON object with
 * `trust_domains` is a bundle map, any other JSON is read as a SPIFFE JWKS, anything
 * else as PEM (or DER).
 */
import {SvidkitError} from '../errors.js'
import {inputName, readInput} from '../fs/read-input.js'
import {parseBundleMap, stripBom} from './bundle-map.js'
import {isJsonObject, parseJwks} from './jwks.js'
import {parsePemBundle} from './pem-bundle.js'
import type {X509Bundle} from './x509-bundle.js'

/** What one bundle file holds: the bundle of one (unnamed) trust domain, or a bundle map. */
export type BundleFile = {kind: 'single'; bundle: X509Bundle} | {kind: 'map'; bundles: Map<string, X509Bundle>}

/** Options for reading bundle files. */
export interface BundleReadOptions {
  /** Read JWKS as go-spiffe would (`--strict`, SPIFFE Trust Domain and Bundle §4). Default `false`. */
  strict?: boolean
}

/**
 * Returns the bundle or bundle map held by `bytes`. Text that starts with `{` or `[` is
 * JSON: a map when it is an object with `trust_domains`, else a JWKS (so `{}`, `[]` and
 * `{"keys": 5}` fail as JWKS). Everything else is read as PEM or DER. Throws
 * `bundle-invalid`; a half-read bundle is never returned.
 */
export function parseBundleBytes(bytes: Uint8Array, source: string, options: BundleReadOptions = {}): BundleFile {
  const text = stripBom(Buffer.from(bytes).toString('utf8'))
  const first = text.trimStart().charAt(0)
  if (first !== '{' && first !== '[') return {kind: 'single', bundle: parsePemBundle(bytes, source)}
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new SvidkitError(
      'bundle-invalid',
      `bundle "${source}": not valid JSON (${oneLine((err as Error).message)})`,
      {
        cause: err,
        hint: 'a JSON bundle is a SPIFFE JWKS ({"keys": [...]}) or a bundle map ({"trust_domains": {...}}); check the file is complete',
      },
    )
  }
  if (isJsonObject(doc) && Object.hasOwn(doc, 'trust_domains')) {
    return {kind: 'map', bundles: parseBundleMap(text, source, options)}
  }
  return {kind: 'single', bundle: parseJwks(doc, source, options)}
}

/**
 * Returns the bundle or bundle map in the file at `path`. Throws `file-not-found` when
 * it does not exist, `not-a-regular-file` for a directory or special file, and
 * `bundle-invalid` when it cannot be read as a bundle.
 */
export function loadBundleFile(path: string, options: BundleReadOptions = {}): BundleFile {
  return parseBundleBytes(readInput(path, 'bundle-invalid'), inputName(path), options)
}
