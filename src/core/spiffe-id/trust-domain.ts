/**
 * Trust domains and the scanning shared with SPIFFE IDs (SPIFFE-ID §2.1).
 * Everything works on the raw string: a URL parser would lowercase and re-encode the
 * very bytes these rules exist to reject.
 */
import {SvidkitError} from '../errors.js'

/** The go-spiffe v2.8.1 error texts, plus svidkit's own. */
export const MSG = {
  empty: 'cannot be empty',
  scheme: 'scheme is missing or invalid',
  tdChars: 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores',
  tdMissing: 'trust domain is missing',
  emptySegment: 'path cannot contain empty segments',
  dotSegment: 'path cannot contain dot segments',
  pathChars: 'path segment characters are limited to letters, numbers, dots, dashes, and underscores',
  trailingSlash: 'path cannot have a trailing slash',
  leadingSlash: 'path must have a leading slash',
  // svidkit only: go-spiffe drops the path of a full ID given as a trust domain
  tdPath: 'trust domain argument must not contain a path',
  // SPIFFE-ID specification §2.3: a trust domain name is at most 255 bytes (go-spiffe does not check it)
  tdTooLong: 'trust domain cannot be longer than 255 bytes',
} as const

/** A key of {@link MSG}. */
export type SpiffeIdRule = keyof typeof MSG

/** The longest trust domain name the SPIFFE-ID specification (§2.3) allows, in bytes. */
export const MAX_TRUST_DOMAIN_BYTES = 255

/** The exact scheme prefix of every SPIFFE ID (case-sensitive, rule 2). */
export const SCHEME_PREFIX = 'spiffe://'

/**
 * Returns the `spiffe-id-invalid` error for a broken rule: the message text, then the
 * offending value JSON-quoted so control bytes stay visible.
 */
export function invalidId(rule: SpiffeIdRule, value: string): SvidkitError {
  return new SvidkitError('spiffe-id-invalid', `${MSG[rule]}: ${JSON.stringify(value)}`)
}

/** Returns true for a trust-domain byte: `a-z 0-9 . - _` (rule 3). */
function isTrustDomainChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d || code === 0x5f
  )
}

/**
 * Returns the trust-domain name and the raw path of a full SPIFFE ID, after rules 1–4;
 * the path ('' or starting with `/`) is not yet checked.
 */
export function splitSpiffeId(text: string): {name: string; path: string} {
  if (text === '') throw invalidId('empty', text)
  if (!text.startsWith(SCHEME_PREFIX)) throw invalidId('scheme', text)
  let i = SCHEME_PREFIX.length
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 0x2f) break
    // UTF-16 code units >= 0x80 fall through here too: non-ASCII never passes
    if (!isTrustDomainChar(code)) throw invalidId('tdChars', text)
  }
  if (i === SCHEME_PREFIX.length) throw invalidId('tdMissing', text)
  if (i - SCHEME_PREFIX.length > MAX_TRUST_DOMAIN_BYTES) throw invalidId('tdTooLong', text)
  return {name: text.slice(SCHEME_PREFIX.length, i), path: text.slice(i)}
}

/** A SPIFFE trust domain: the name between `spiffe://` and the path (SPIFFE-ID §2). */
export class TrustDomain {
  /** The bare name, e.g. `example.org`. */
  readonly name: string

  private constructor(name: string) {
    this.name = name
  }

  /**
   * Returns the trust domain named by `text`: a bare name (`example.org`, rules 3–4) or
   * `spiffe://example.org` (rules 1–4). A path is refused, where go-spiffe would drop it.
   * Throws a `spiffe-id-invalid` SvidkitError.
   */
  static parse(text: string): TrustDomain {
    if (text === '') throw invalidId('tdMissing', text)
    // As go-spiffe: ":/" rather than "://" so that `spiffe:/td` reports the scheme, not a bad byte
    if (text.includes(':/')) {
      const {name, path} = splitSpiffeId(text)
      if (path !== '') throw invalidId('tdPath', text)
      return new TrustDomain(name)
    }
    for (let i = 0; i < text.length; i++) {
      if (!isTrustDomainChar(text.charCodeAt(i))) throw invalidId('tdChars', text)
    }
    if (text.length > MAX_TRUST_DOMAIN_BYTES) throw invalidId('tdTooLong', text)
    return new TrustDomain(text)
  }

  /** Returns the bare name. */
  toString(): string {
    return this.name
  }

  /** Returns the SPIFFE ID of the trust domain itself, `spiffe://<name>`. */
  idString(): string {
    return SCHEME_PREFIX + this.name
  }

  /** Returns true when both name the same trust domain (byte equality of the name). */
  equals(other: TrustDomain): boolean {
    return this.name === other.name
  }
}
