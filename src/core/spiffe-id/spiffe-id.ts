/**
 * SPIFFE IDs: parsing and the path rules (SPIFFE-ID §2), and the
 * length limits of issuance (SPIFFE-ID §2.3).
 */
import {SvidkitError} from '../errors.js'
import {MAX_TRUST_DOMAIN_BYTES, SCHEME_PREFIX, TrustDomain, invalidId, splitSpiffeId} from './trust-domain.js'

/** Longest SPIFFE ID, in bytes, that svidkit issues (verifiers must accept at least this). */
export const MAX_ID_BYTES = 2048

export {MAX_TRUST_DOMAIN_BYTES}

/** A SPIFFE ID `spiffe://<trust domain><path>`, kept exactly as given. */
export class SpiffeId {
  /** The trust domain the ID belongs to. */
  readonly trustDomain: TrustDomain
  /** The path, `''` for the trust domain itself, else `/segment…`. */
  readonly path: string

  private constructor(trustDomain: TrustDomain, path: string) {
    this.trustDomain = trustDomain
    this.path = path
  }

  /**
   * Returns the SPIFFE ID in `text` (a URI SAN, `--spiffe-id`, `--expect-id`), checked by
   * the rules of SPIFFE-ID §2.1 and §2.2. Throws a `spiffe-id-invalid` SvidkitError.
   */
  static parse(text: string): SpiffeId {
    const {name, path} = splitSpiffeId(text)
    validatePath(path, text)
    return new SpiffeId(TrustDomain.parse(name), path)
  }

  /**
   * Returns the SPIFFE ID made of a trust domain and a path (`''`, or starting with `/`:
   * rule 5e applies here only). Throws a `spiffe-id-invalid` SvidkitError quoting the path.
   */
  static fromParts(td: TrustDomain | string, path: string): SpiffeId {
    const trustDomain = typeof td === 'string' ? TrustDomain.parse(td) : td
    validatePath(path, path)
    return new SpiffeId(trustDomain, path)
  }

  /** Returns the ID as `spiffe://<trust domain><path>`, byte for byte as parsed. */
  toString(): string {
    return SCHEME_PREFIX + this.trustDomain.name + this.path
  }

  /** Returns true for the ID of the trust domain itself (empty path): a CA's, never a leaf's. */
  isRoot(): boolean {
    return this.path === ''
  }

  /** Returns true when the ID belongs to `td`. */
  memberOf(td: TrustDomain): boolean {
    return this.trustDomain.equals(td)
  }

  /** Returns true when both IDs are the same string (SPIFFE-ID §2: equality is byte equality). */
  equals(other: SpiffeId): boolean {
    return this.toString() === other.toString()
  }
}

/** Returns true for a path-segment byte: `a-z A-Z 0-9 . - _` (rule 5c). */
function isPathChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2e ||
    code === 0x2d ||
    code === 0x5f
  )
}

/**
 * Returns nothing; throws on the first broken path rule, scanning left to right as
 * go-spiffe's ValidatePath does (so `//a/` reports the empty segment, not the trailing slash).
 */
function validatePath(path: string, quoted: string): void {
  if (path === '') return
  if (path.charCodeAt(0) !== 0x2f) throw invalidId('leadingSlash', quoted)
  let segmentStart = 0
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i)
    if (code === 0x2f) {
      checkSegment(path.slice(segmentStart, i), 'emptySegment', quoted)
      segmentStart = i
    } else if (!isPathChar(code)) {
      throw invalidId('pathChars', quoted)
    }
  }
  checkSegment(path.slice(segmentStart), 'trailingSlash', quoted)
}

/** Returns nothing; throws when `segment` (with its leading `/`) is empty or a dot segment. */
function checkSegment(segment: string, ifEmpty: 'emptySegment' | 'trailingSlash', quoted: string): void {
  if (segment === '/') throw invalidId(ifEmpty, quoted)
  if (segment === '/.' || segment === '/..') throw invalidId('dotSegment', quoted)
}

/**
 * Returns a warning when `id` is longer than svidkit would issue (ID over 2048 bytes or
 * trust domain over 255, SPIFFE-ID §2.3), else undefined. `verify` accepts such IDs.
 */
export function lengthWarning(id: SpiffeId): string | undefined {
  const excess = lengthExcess(id)
  if (excess === undefined) return undefined
  return `${excess}: the SPIFFE spec only asks verifiers to accept up to ${MAX_ID_BYTES} bytes, so peers may refuse it`
}

/**
 * Returns nothing; throws a `usage` SvidkitError (exit 2) when `id` is too long to issue:
 * over 2048 bytes in all or a trust domain over 255 bytes (SPIFFE-ID §2.3).
 */
export function checkIssuable(id: SpiffeId): void {
  const excess = lengthExcess(id)
  if (excess !== undefined) throw new SvidkitError('usage', `${excess}: refused for issuance`)
}

/** Returns which length limit `id` exceeds, as the start of a message, or undefined. */
function lengthExcess(id: SpiffeId): string | undefined {
  // Valid IDs are ASCII, but measure UTF-8 bytes anyway: the limit is stated in bytes
  const idBytes = Buffer.byteLength(id.toString(), 'utf8')
  if (idBytes > MAX_ID_BYTES) return `SPIFFE ID is longer than ${MAX_ID_BYTES} bytes (${idBytes})`
  const tdBytes = Buffer.byteLength(id.trustDomain.name, 'utf8')
  if (tdBytes > MAX_TRUST_DOMAIN_BYTES) {
    return `trust domain is longer than ${MAX_TRUST_DOMAIN_BYTES} bytes (${tdBytes})`
  }
  return undefined
}
