/**
 * JWT bundles: the `jwt-svid` entries of SPIFFE bundles (SPIFFE Trust Domain and Bundle
 * §4.2.2), one set of keys per trust domain, never pooled. Read from a SPIFFE JWKS
 * (`--bundle [TD=]FILE`) or a bundle map (`{"trust_domains": {...}}`).
 */
import {createPublicKey, type JsonWebKey, type KeyObject} from 'node:crypto'
import type {JWK} from 'jose'
import {SvidkitError, usageError} from '../errors.js'
import {TrustDomain} from '../spiffe-id/index.js'
import {isJsonObject, jsonType} from '../bundle/jwks.js'
import {parseBundleSpec} from '../bundle/bundle-spec.js'
import {stripBom} from '../bundle/bundle-map.js'
import {readInput} from '../fs/read-input.js'
import {jwkThumbprint} from './jwt-key.js'
import {pushAll} from '../arrays.js'

/** A `jwt-svid` authority: its key ID, public key and JWK as published. */
export interface JwtAuthorityKey {
  kid: string
  key: KeyObject
  jwk: JWK
}

/** An entry of another `use` (x509-svid, none, unknown): kept to explain a `kid` that points at it. */
export interface OtherEntry {
  index: number
  use: string | null
  kid?: string
  thumbprint?: string
}

/** The JWT bundle of one trust domain. */
export interface JwtBundle {
  trustDomain: string
  /** Files (or map entries) it was read from, and how each was bound. */
  sources: {path: string; binding: 'label' | 'map' | 'sole-bundle'}[]
  keys: JwtAuthorityKey[]
  others: OtherEntry[]
}

/** JWT bundles by trust domain, with warnings from reading them. */
export interface JwtBundleSet {
  bundles: Map<string, JwtBundle>
  /** A sole unlabelled JWKS: bound to the token's trust domain when it is looked up. */
  unbound?: {path: string; keys: JwtAuthorityKey[]; others: OtherEntry[]}
  warnings: string[]
}

function invalid(source: string, message: string, hint?: string): SvidkitError {
  return new SvidkitError('bundle-invalid', `bundle "${source}": ${message}`, {hint})
}

/** Returns the jwt-svid keys and other entries of one SPIFFE JWKS value. */
export function parseJwtJwks(
  value: unknown,
  source: string,
  warnings: string[],
): {keys: JwtAuthorityKey[]; others: OtherEntry[]} {
  if (!isJsonObject(value))
    throw invalid(source, `a SPIFFE bundle must be a JSON object with a "keys" array; got ${jsonType(value)}`)
  if (!Array.isArray(value.keys))
    throw invalid(
      source,
      value.keys === undefined ? 'no authorities found ("keys" is missing)' : '"keys" must be an array',
    )
  const keys: JwtAuthorityKey[] = []
  const others: OtherEntry[] = []
  value.keys.forEach((entry: unknown, index: number) => {
    if (!isJsonObject(entry)) throw invalid(source, `entry ${index} of JWKS must be an object; got ${jsonType(entry)}`)
    const kid = typeof entry.kid === 'string' ? entry.kid : undefined
    if (entry.use !== 'jwt-svid') {
      let thumbprint: string | undefined
      try {
        thumbprint = jwkThumbprint(createPublicKey({key: entry as JsonWebKey, format: 'jwk'}))
      } catch {
        thumbprint = undefined
      }
      others.push({index, use: typeof entry.use === 'string' ? entry.use : null, kid, thumbprint})
      return
    }
    if (kid === undefined || kid === '') {
      // SPIFFE Trust Domain and Bundle §4.2.2: the kid of a jwt-svid entry MUST be set.
      warnings.push(`bundle "${source}": jwt-svid entry ${index} has no "kid"; ignored`)
      return
    }
    if (keys.some((k) => k.kid === kid))
      throw invalid(source, `duplicate kid "${kid}" among the jwt-svid entries`, 'each JWT authority needs its own kid')
    let key: KeyObject
    try {
      const {use: _use, kid: _kid, ...params} = entry
      key = createPublicKey({key: params as JsonWebKey, format: 'jwk'})
    } catch (err) {
      throw invalid(
        source,
        `jwt-svid entry ${index} (kid "${kid}") is not a usable public key: ${(err as Error).message}`,
      )
    }
    if (key.type !== 'public')
      throw invalid(
        source,
        `jwt-svid entry ${index} (kid "${kid}") holds private key material`,
        'publish only public keys',
      )
    keys.push({kid, key, jwk: entry as JWK})
  })
  return {keys, others}
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(stripBom(text))
  } catch {
    throw invalid(
      source,
      'not valid JSON',
      'a JWT bundle is a SPIFFE JWKS ({"keys": [...]}) or a bundle map ({"trust_domains": {...}})',
    )
  }
}

function merge(
  set: JwtBundleSet,
  td: string,
  path: string,
  binding: JwtBundle['sources'][number]['binding'],
  part: {keys: JwtAuthorityKey[]; others: OtherEntry[]},
) {
  const b = set.bundles.get(td) ?? {trustDomain: td, sources: [], keys: [], others: []}
  b.sources.push({path, binding})
  for (const k of part.keys) {
    if (b.keys.some((x) => x.kid === k.kid))
      throw invalid(path, `duplicate kid "${k.kid}" in the JWT bundle of "${td}"`)
    b.keys.push(k)
  }
  pushAll(b.others, part.others)
  set.bundles.set(td, b)
}

/**
 * Returns the JWT bundles of `--bundle [TD=]FILE` values. A bundle map binds its own
 * entries; a JWKS needs a `TD=` label unless it is the only bundle given. Throws `usage`,
 * `file-not-found` or `bundle-invalid`.
 */
export function loadJwtBundles(specs: readonly string[]): JwtBundleSet {
  const set: JwtBundleSet = {bundles: new Map(), warnings: []}
  if (specs.length === 0)
    throw usageError(
      'missing required flag --bundle',
      "give the JWT bundle of the token's trust domain: --bundle example.org=bundle.spiffe.json",
    )
  for (const spec of specs.map(parseBundleSpec)) {
    const doc = parseJson(readInput(spec.path, 'bundle-invalid').toString('utf8'), spec.path)
    if (isJsonObject(doc) && 'trust_domains' in doc) {
      if (spec.label)
        throw usageError(
          `--bundle ${spec.label}=${spec.path}: a bundle map names its own trust domains`,
          `drop the "${spec.label}=" label`,
        )
      if (!isJsonObject(doc.trust_domains)) throw invalid(spec.path, '"trust_domains" must be an object')
      for (const [name, jwks] of Object.entries(doc.trust_domains)) {
        let td: string
        try {
          td = TrustDomain.parse(name).name
        } catch (err) {
          throw invalid(spec.path, `invalid trust domain key "${name}": ${(err as Error).message}`)
        }
        merge(set, td, `${spec.path}#/trust_domains/${name}`, 'map', parseJwtJwks(jwks, spec.path, set.warnings))
      }
    } else if (spec.label) {
      merge(set, spec.label, spec.path, 'label', parseJwtJwks(doc, spec.path, set.warnings))
    } else {
      if (specs.length > 1)
        throw usageError(
          `cannot tell which trust domain "${spec.path}" belongs to`,
          `label it: --bundle <trust-domain>=${spec.path}, or use a bundle map`,
        )
      set.unbound = {path: spec.path, ...parseJwtJwks(doc, spec.path, set.warnings)}
    }
  }
  return set
}

/** Returns the JWT bundle of a trust domain (the sole unlabelled bundle binds to it, with a warning), or undefined. */
export function lookupJwtBundle(set: JwtBundleSet, td: string, warnings: string[]): JwtBundle | undefined {
  const found = set.bundles.get(td)
  if (found || !set.unbound) return found
  warnings.push(
    `bundle "${set.unbound.path}" has no trust-domain label; used for "${td}", the token's trust domain (write --bundle ${td}=${set.unbound.path})`,
  )
  return {
    trustDomain: td,
    sources: [{path: set.unbound.path, binding: 'sole-bundle'}],
    keys: set.unbound.keys,
    others: set.unbound.others,
  }
}
