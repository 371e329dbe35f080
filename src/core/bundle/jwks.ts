/**
 * SPIFFE bundles as JWKS (SPIFFE Trust Domain and Bundle §4): reading, by the table of default
 * (spec-following) and `--strict` (go-spiffe-following) outcomes, and writing.
 */
import {SvidkitError} from '../errors.js'
import {parseCertificateDer, type ParsedCertificate} from '../x509/certificate.js'
import {derTlvLength} from '../x509/der-read.js'
import {KNOWN_KTY, decodeX5c, jwkMatchesCertificate, publicJwkMembers} from './jwk-key.js'
import {authorityWarnings, dedupeAuthorities, emptyBundleWarning, type X509Bundle} from './x509-bundle.js'

/** Options of {@link parseJwks}. */
export interface JwksReadOptions {
  /** Follow go-spiffe where SPIFFE Trust Domain and Bundle §4 lets the modes differ (`--strict`). Default `false`. */
  strict?: boolean
  /** Skip `spiffe_refresh_hint` without checking it, as for bundle-map entries (bundle maps, docs/design.md). Default `false`. */
  ignoreRefreshHint?: boolean
}

/** Options of {@link toJwks}. */
export interface JwksWriteOptions {
  /** `spiffe_sequence`: 1 at `ca init`, incremented on every change. Default: omitted. */
  sequence?: number
  /** `spiffe_refresh_hint` in seconds. Default: omitted. */
  refreshHint?: number
  /** `jwt-svid` entries (public JWKs with `use` and `kid`) written after the X.509 authorities. Default: none. */
  jwtAuthorities?: readonly object[]
}

type JsonObject = Record<string, unknown>

const STRICT_HINT = 'go-spiffe refuses this bundle; without --strict svidkit reads it with a warning'

/** Returns true for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Returns a short description of a JSON value's type for messages. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`
}

/** Returns true for a counter SPIFFE Trust Domain and Bundle §4 accepts: a non-negative integer that a JS number holds exactly. */
function isCounter(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/**
 * The most entries a JWKS may hold: far above any trust domain's keys (SPIRE publishes a
 * handful), and a bound on the work and the warnings one 8 MiB file can cause (130,000
 * entries fit in 4.5 MB). More is `bundle-invalid` (exit 3).
 */
export const MAX_JWKS_KEYS = 10_000
/** Warnings kept per JWKS; the rest are counted in one last warning. */
export const MAX_JWKS_WARNINGS = 100

/** Reads one SPIFFE JWKS; the state shared by its checks. */
class JwksReader {
  readonly warnings: string[] = []
  /** Warnings past MAX_JWKS_WARNINGS, counted. */
  suppressed = 0

  constructor(
    readonly source: string,
    readonly strict: boolean,
  ) {}

  fail(message: string, hint?: string): SvidkitError {
    return new SvidkitError('bundle-invalid', `bundle "${this.source}": ${message}`, {hint})
  }

  warn(message: string): void {
    this.add(`bundle "${this.source}": ${message}`)
  }

  /** Keeps a whole warning, or counts it past MAX_JWKS_WARNINGS. */
  add(warning: string): void {
    if (this.warnings.length >= MAX_JWKS_WARNINGS) this.suppressed++
    else this.warnings.push(warning)
  }

  /** Throws the strict-mode error (go-spiffe's outcome), or records the default-mode warning (SPIFFE Trust Domain and Bundle §4). */
  deviation(error: string, warning: string): void {
    if (this.strict) throw this.fail(error, STRICT_HINT)
    this.warn(warning)
  }

  counter(doc: JsonObject, name: string): number | undefined {
    const value = doc[name]
    if (value === undefined) return undefined
    if (isCounter(value)) return value
    const beyond = typeof value === 'number' && Number.isInteger(value) && value > 0 ? ' (larger than 2^53 - 1)' : ''
    const message = `"${name}" must be a non-negative integer; got ${jsonType(value)}${beyond}`
    this.deviation(message, `${message}; ignored`)
    return undefined
  }

  certificate(x5c: unknown, i: number): ParsedCertificate {
    const where = `x5c of x509-svid entry ${i}`
    if (typeof x5c !== 'string') throw this.fail(`${where} must hold base64 strings; got ${jsonType(x5c)}`)
    const der = decodeX5c(x5c)
    if (der === undefined) {
      throw this.fail(
        `${where} is not standard base64`,
        'x5c holds standard base64 DER (RFC 7517 §4.7), not base64url and not PEM',
      )
    }
    const tlv = derTlvLength(der)
    if (der[0] !== 0x30 || tlv < 0) throw this.fail(`malformed certificate DER in ${where}`)
    if (tlv > der.length) throw this.fail(`truncated certificate DER in ${where} (${der.length} of ${tlv} bytes)`)
    if (tlv !== der.length) throw this.fail(`${der.length - tlv} unexpected bytes after the certificate in ${where}`)
    try {
      return parseCertificateDer(der)
    } catch (err) {
      throw new SvidkitError(
        'bundle-invalid',
        `bundle "${this.source}": malformed certificate in ${where}: ${(err as Error).message}`,
        {cause: err},
      )
    }
  }

  /** Returns the authority of an x509-svid entry, or undefined when the entry is skipped. */
  x509Entry(entry: JsonObject, i: number): ParsedCertificate | undefined {
    const x5c = entry.x5c
    if (x5c !== undefined && !Array.isArray(x5c))
      throw this.fail(`x5c of x509-svid entry ${i} must be an array; got ${jsonType(x5c)}`)
    const count = x5c?.length ?? 0
    if (count !== 1) {
      const message = `expected a single certificate in x509-svid entry ${i}; got ${count}`
      this.deviation(message, `${message}: ${count === 0 ? 'entry ignored' : 'the first is used, the rest ignored'}`)
      if (count === 0) return undefined
    }
    if ('kid' in entry) this.warn(`x509-svid entry ${i} has a "kid"; SPIFFE bundles write none for X.509 authorities`)
    const cert = this.certificate((x5c as unknown[])[0], i)
    if (!jwkMatchesCertificate(entry, cert)) {
      const message = `key parameters of x509-svid entry ${i} do not match its x5c certificate "${cert.subject}"`
      this.deviation(message, `${message}; the certificate's key is used`)
    }
    return cert
  }

  keys(keys: unknown[]): ParsedCertificate[] {
    // go-spiffe's JOSE library decodes every entry before go-spiffe looks at any, so these come first
    keys.forEach((entry, i) => {
      if (!isJsonObject(entry)) throw this.fail(`entry ${i} of JWKS must be an object; got ${jsonType(entry)}`)
      if (this.strict && !KNOWN_KTY.has(entry.kty as string)) {
        throw this.fail(`unknown key type ${JSON.stringify(entry.kty ?? '')} in entry ${i} of JWKS`, STRICT_HINT)
      }
    })
    const certs: ParsedCertificate[] = []
    ;(keys as JsonObject[]).forEach((entry, i) => {
      if (!KNOWN_KTY.has(entry.kty as string)) {
        if (entry.use === 'x509-svid')
          this.warn(`x509-svid entry ${i} has unknown key type ${JSON.stringify(entry.kty ?? '')}; entry ignored`)
        return
      }
      if (entry.use === 'x509-svid') {
        const cert = this.x509Entry(entry, i)
        if (cert) certs.push(cert)
      } else if (
        (entry.use === 'jwt-svid' || entry.use === 'wit-svid') &&
        (typeof entry.kid !== 'string' || entry.kid === '')
      ) {
        // svidkit is X.509 only; such entries matter only to go-spiffe, which refuses them
        this.deviation(
          `error adding authority ${i} of JWKS: keyID cannot be empty`,
          `${entry.use} entry ${i} has no "kid"; ignored (go-spiffe refuses the bundle: keyID cannot be empty)`,
        )
      }
    })
    return certs
  }
}

/**
 * Returns the X.509 authorities of a SPIFFE JWKS (`value` is the parsed JSON), following
 * the reading table of SPIFFE Trust Domain and Bundle §4 in default or strict mode. Only x509-svid
 * entries become authorities; duplicates are dropped. Throws `bundle-invalid`.
 */
export function parseJwks(value: unknown, source: string, options: JwksReadOptions = {}): X509Bundle {
  const reader = new JwksReader(source, options.strict ?? false)
  if (!isJsonObject(value)) {
    throw reader.fail(`a SPIFFE bundle must be a JSON object with a "keys" array; got ${jsonType(value)}`)
  }
  const sequence = reader.counter(value, 'spiffe_sequence')
  const refreshHint = options.ignoreRefreshHint ? undefined : reader.counter(value, 'spiffe_refresh_hint')
  if (value.keys === undefined) throw reader.fail('no authorities found ("keys" is missing)')
  if (!Array.isArray(value.keys)) throw reader.fail(`"keys" must be an array; got ${jsonType(value.keys)}`)
  if (value.keys.length > MAX_JWKS_KEYS) {
    throw reader.fail(
      `"keys" holds ${value.keys.length} entries, more than the ${MAX_JWKS_KEYS} svidkit reads`,
      'a trust domain publishes a handful of keys: check that this is the bundle you meant',
    )
  }
  const certs = reader.keys(value.keys)
  const authorities = dedupeAuthorities(certs)
  if (authorities.length < certs.length)
    reader.warn(`${certs.length - authorities.length} duplicate authority(ies) dropped`)
  if (authorities.length === 0) reader.warnings.push(emptyBundleWarning(source))
  for (const cert of authorities) for (const w of authorityWarnings(cert, source)) reader.add(w)
  if (reader.suppressed) reader.warnings.push(`bundle "${source}": ${reader.suppressed} more warning(s) not shown`)
  return {
    authorities,
    format: 'jwks',
    source,
    ...(sequence === undefined ? {} : {sequence}),
    ...(refreshHint === undefined ? {} : {refreshHint}),
    warnings: reader.warnings,
  }
}

/**
 * Returns the SPIFFE JWKS text for the authorities (SPIFFE Trust Domain and Bundle §4 "Writing"): one `x509-svid` JWK
 * per certificate with its public parameters and exactly one standard-base64 `x5c`, no
 * `kid`; pretty-printed with a final newline. Throws `usage` for a bad counter.
 */
export function toJwks(certs: readonly ParsedCertificate[], options: JwksWriteOptions = {}): string {
  const keys = dedupeAuthorities(certs).map((cert) => {
    const members = publicJwkMembers(cert)
    if (members === undefined) {
      throw new SvidkitError(
        'internal',
        `cannot write authority "${cert.subject}" as a JWK: key type "${cert.publicKeyType}" is not supported`,
      )
    }
    return {use: 'x509-svid', ...members, x5c: [Buffer.from(cert.der).toString('base64')]}
  })
  const doc: JsonObject = {keys: [...keys, ...(options.jwtAuthorities ?? [])]}
  for (const [name, value] of [
    ['spiffe_sequence', options.sequence],
    ['spiffe_refresh_hint', options.refreshHint],
  ] as const) {
    if (value === undefined) continue
    if (!isCounter(value))
      throw new SvidkitError('usage', `"${name}" must be a non-negative integer; got ${jsonType(value)}`)
    doc[name] = value
  }
  return `${JSON.stringify(doc, null, 2)}\n`
}
