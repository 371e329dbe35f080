import {oneLine} from './one-line.js'
/**
 * Bundle maps (federation): `{"trust_domains": {"<td>": <JWKS>, …}}`, one SPIFFE
 * bundle per trust domain in one file (docs/design.md, `verify` and `inspect`).
 */
import {SvidkitError} from '../errors.js'
import {TrustDomain} from '../spiffe-id/index.js'
import {isJsonObject, jsonType, parseJwks} from './jwks.js'
import {memberShape, objectShape, repeatedNames} from './json-duplicates.js'
import type {X509Bundle} from './x509-bundle.js'

/** Options of {@link parseBundleMap}. */
export interface BundleMapReadOptions {
  /** Read each entry as go-spiffe would (`--strict`, SPIFFE Trust Domain and Bundle §4). Default `false`. */
  strict?: boolean
}

const MAP_HINT = 'a bundle map is {"trust_domains": {"example.org": {"keys": [...]}, ...}} with each trust domain once'

/** Returns the text without a leading UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** Returns the `source` of the bundle read from one map entry: a JSON pointer into the file. */
export function mapEntrySource(source: string, trustDomain: string): string {
  return `${source}#/trust_domains/${trustDomain}`
}

/**
 * Returns the bundles of a bundle map by trust-domain name. Keys may be bare names or
 * `spiffe://name`, and are normalised to the bare name. Throws `bundle-invalid` when
 * the text is not JSON, `trust_domains` is missing or not an object, a key is not a
 * trust domain, two keys name the same trust domain, or any entry is not a valid JWKS.
 * Refresh hints inside entries are ignored.
 */
export function parseBundleMap(
  text: string,
  source: string,
  options: BundleMapReadOptions = {},
): Map<string, X509Bundle> {
  const fail = (message: string, hint = MAP_HINT, cause?: unknown) =>
    new SvidkitError('bundle-invalid', `bundle "${source}": ${message}`, {hint, cause})
  const json = stripBom(text)
  let doc: unknown
  try {
    doc = JSON.parse(json)
  } catch (err) {
    throw fail(`not valid JSON (${oneLine((err as Error).message)})`, undefined, err)
  }
  if (!isJsonObject(doc)) throw fail(`a bundle map must be a JSON object; got ${jsonType(doc)}`)
  let shape
  try {
    shape = objectShape(json)
  } catch (err) {
    throw fail(oneLine((err as Error).message), undefined, err)
  }
  if (shape !== undefined && repeatedNames(shape).includes('trust_domains'))
    throw fail('"trust_domains" appears more than once')
  const entries = doc.trust_domains
  if (entries === undefined) throw fail('"trust_domains" is missing')
  if (!isJsonObject(entries)) throw fail(`"trust_domains" must be an object; got ${jsonType(entries)}`)

  // Normalise the keys as written, repeats included: JSON.parse would have hidden them
  const keyOf = new Map<string, string>()
  const rawKeys = (shape && memberShape(shape, 'trust_domains')?.names) ?? Object.keys(entries)
  for (const key of rawKeys) {
    let name: string
    try {
      name = TrustDomain.parse(key).name
    } catch (err) {
      if (!(err instanceof SvidkitError)) throw err
      throw fail(
        `invalid trust domain key in "trust_domains": ${err.message}`,
        'keys are trust-domain names such as "example.org" or "spiffe://example.org"',
        err,
      )
    }
    const first = keyOf.get(name)
    if (first !== undefined) {
      const keys =
        first === key
          ? `key ${JSON.stringify(key)} appears twice`
          : `keys ${JSON.stringify(first)} and ${JSON.stringify(key)}`
      throw fail(`duplicate trust domain "${name}" in "trust_domains" (${keys})`)
    }
    keyOf.set(name, key)
  }

  const bundles = new Map<string, X509Bundle>()
  for (const [name, key] of keyOf) {
    const bundle = parseJwks(entries[key], mapEntrySource(source, name), {
      strict: options.strict,
      ignoreRefreshHint: true,
    })
    bundles.set(name, bundle)
  }
  return bundles
}
