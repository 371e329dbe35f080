/**
 * The CA and key checks of a path: every CA on it (trust anchor included) may sign
 * certificates (RFC 5280 §6.1.4 (k), (n)), and no key on it is weak or one that Go's
 * crypto/x509 cannot use. docs/verification.md lists each rule with its level.
 */
import type {ParsedCertificate} from '../x509/certificate.js'
import {describe as who, publicKeyInfo, rawFacts} from './cert-facts.js'
import {profileFailure, type PathContext} from './path-context.js'
import type {Failure} from './result.js'

/** Named curves Go's crypto/x509 verifies with (P-224, P-256, P-384, P-521). */
const GO_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'secp224r1'])

/** Returns the key problem of `c`, or undefined: `strictOnly` for keys that only `--strict` refuses. */
function keyProblem(c: ParsedCertificate): {message: string; strictOnly: boolean} | undefined {
  const raw = rawFacts(c)
  // id-ecPublicKey with specifiedCurve (a SEQUENCE) instead of a named curve OID (RFC 5480 §2.1.1).
  if (raw.spkiAlgorithm.oid === '1.2.840.10045.2.1' && raw.spkiAlgorithm.params?.[0] !== 0x06) {
    return {message: 'an EC key with explicit curve parameters (RFC 5480 §2.1.1: named curves only)', strictOnly: false}
  }
  const info = publicKeyInfo(c)
  if (!info) return {message: 'a public key svidkit cannot read', strictOnly: false}
  const type = info.type
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = info.bits ?? 0
    if (bits < 1024) return {message: `an RSA key of ${bits} bits (Go refuses fewer than 1024)`, strictOnly: false}
    if (bits % 8 !== 0)
      return {message: `an RSA key whose modulus (${bits} bits) is not a multiple of 8 bits`, strictOnly: true}
    if (bits < 2048) return {message: `an RSA key of ${bits} bits (fewer than 2048)`, strictOnly: true}
    return undefined
  }
  if (type === 'ec') {
    if (!GO_CURVES.has(info.curve ?? ''))
      return {
        message: `an EC key on curve "${info.curve ?? 'unknown'}" (Go verifies P-224, P-256, P-384 and P-521 only)`,
        strictOnly: false,
      }
    return undefined
  }
  if (type === 'ed25519') return undefined
  if (type === 'dsa')
    return {
      message: 'a DSA key (Go does not verify DSA signatures; NIST withdrew DSA in FIPS 186-5)',
      strictOnly: false,
    }
  return {message: `a ${type ?? 'unknown'} key (Go verifies RSA, ECDSA and Ed25519 only)`, strictOnly: false}
}

/** Step `keys`: every key on the path is usable and strong enough (weak ones warn by default, fail with `--strict`). */
export function checkKeys(all: ParsedCertificate[], ctx: PathContext, warnings: string[]): Failure | undefined {
  for (const [i, c] of all.entries()) {
    const p = keyProblem(c)
    if (!p) continue
    if (p.strictOnly && !ctx.strict) {
      warnings.push(`${who(c, i, all)} has ${p.message}; --strict refuses it`)
      continue
    }
    return {
      code: 'weak-key',
      message: `${who(c, i, all)} has ${p.message}`,
      hint: 'reissue the certificate with an ECDSA P-256/P-384, Ed25519 or RSA key of at least 2048 bits',
    }
  }
  return undefined
}

/**
 * Step `ca-flags`: every CA on the path (the trust anchor included, as OpenSSL checks it)
 * has basicConstraints cA=TRUE and, when it has a key usage, keyCertSign. A trust anchor
 * without basicConstraints is accepted with a warning when it is an X.509 v1 certificate
 * or its key usage has keyCertSign (OpenSSL accepts both; `--strict` does not).
 */
export function checkCaFlags(all: ParsedCertificate[], ctx: PathContext, warnings: string[]): Failure | undefined {
  for (let i = 1; i < all.length; i++) {
    const c = all[i]
    const anchor = i === all.length - 1
    if (!anchor && !ctx.intermediateFlags) continue
    const bc = c.basicConstraints
    const kcs = c.keyUsage?.names.includes('keyCertSign')
    if (!bc?.ca) {
      const lenient = anchor && !bc && (c.version === 1 || kcs === true)
      if (!lenient || ctx.strict) {
        return {
          code: 'signing-cert-not-ca',
          message: `signing certificate must have CA flag set to true (${who(c, i, all)}${bc ? ' has cA=FALSE' : ' has no basicConstraints'})`,
          hint: anchor
            ? 'the bundle certificate that signed the chain is not a CA: OpenSSL refuses it as an anchor; put the CA certificate in the bundle'
            : 'only CA certificates (basicConstraints critical, cA=TRUE) may sign certificates; reissue the intermediate',
        }
      }
      warnings.push(
        `${who(c, i, all)} has no basicConstraints: accepted as a CA (${c.version === 1 ? 'X.509 v1' : 'keyCertSign'}), as OpenSSL does; --strict refuses it`,
      )
    }
    if (c.keyUsage && !kcs) {
      return {
        code: 'signing-cert-no-key-cert-sign',
        message: `signing certificate must have 'keyCertSign' set as key usage (${who(c, i, all)})`,
        hint: 'a CA whose key usage lacks keyCertSign may not sign certificates (RFC 5280 §4.2.1.3); reissue it with keyCertSign',
      }
    }
    if (ctx.strict && bc && !bc.critical)
      return profileFailure(
        `basicConstraints of ${who(c, i, all)} is not critical (RFC 5280 §4.2.1.9: CAs MUST mark it critical)`,
      )
    if (ctx.strict && !c.keyUsage)
      return profileFailure(`${who(c, i, all)} has no key usage (RFC 5280 §4.2.1.3: CA certificates MUST have one)`)
  }
  return undefined
}
