/**
 * Whether a nameConstraints extension can be used at all (RFC 5280 §4.2.1.10). A subtree
 * svidkit cannot evaluate must not be skipped silently: in a critical extension it makes
 * the certificate unusable as Go's crypto/x509 does (an unhandled critical extension).
 * Each problem says whether it is rejected by default or only with `--strict`.
 */
import type {ParsedCertificate} from '../x509/certificate.js'
import {isParsableDnsName, isParsableEmail} from './name-constraints.js'

/** One problem with a CA's nameConstraints extension. */
interface ConstraintProblem {
  message: string
  /** Rejected only with `--strict` (an RFC 5280 MUST for conforming CAs that Go and OpenSSL do not enforce). */
  strictOnly: boolean
}

const FORM_NAMES: Record<string, string> = {other: 'otherName, x400Address, ediPartyName or registeredID'}

function contiguous(mask: Uint8Array): boolean {
  let ended = false
  for (const byte of mask)
    for (let bit = 7; bit >= 0; bit--) {
      const one = (byte >> bit) & 1
      if (one && ended) return false
      if (!one) ended = true
    }
  return true
}

/** Returns the problems of `c`'s nameConstraints; `isCa` says whether `c` acts as a CA on the path. */
export function constraintProblems(c: ParsedCertificate, isCa: boolean): ConstraintProblem[] {
  const nc = c.nameConstraints
  if (!nc) return []
  const out: ConstraintProblem[] = []
  const all = [...nc.permitted, ...nc.excluded]
  if (all.length === 0)
    out.push({
      message: 'nameConstraints holds no subtree (RFC 5280 §4.2.1.10: it MUST NOT be an empty sequence)',
      strictOnly: false,
    })
  else if (nc.emptyList)
    out.push({
      message: 'nameConstraints holds an empty subtree list (RFC 5280 §4.2.1.10: GeneralSubtrees is SIZE (1..MAX))',
      strictOnly: true,
    })
  if (all.some((n) => n.minMax))
    out.push({
      message: 'a name-constraint subtree has a minimum other than 0 or a maximum (RFC 5280 §4.2.1.10 forbids both)',
      strictOnly: false,
    })
  const unsupported = all.find((n) => n.type === 'other')
  if (unsupported && nc.critical)
    out.push({
      message: `critical nameConstraints holds a ${FORM_NAMES.other} subtree, a name form svidkit does not evaluate`,
      strictOnly: false,
    })
  for (const n of all) {
    if (n.type === 'ip' && (!n.raw || (n.raw.length !== 8 && n.raw.length !== 32)))
      out.push({
        message: `iPAddress constraint "${n.value}" is not an address and mask of 8 or 32 bytes (RFC 5280 §4.2.1.10)`,
        strictOnly: false,
      })
    else if (n.type === 'ip' && n.raw && !contiguous(n.raw.subarray(n.raw.length / 2)))
      out.push({
        message: `iPAddress constraint "${n.value}" has a mask that is not a prefix (Go refuses it)`,
        strictOnly: false,
      })
    else if (
      n.type === 'dns' &&
      n.value !== '' &&
      !isParsableDnsName(n.value.startsWith('.') ? n.value.slice(1) : n.value)
    )
      out.push({message: `dNSName constraint "${n.value}" is not a DNS name`, strictOnly: false})
    else if (n.type === 'dns' && n.value.startsWith('.'))
      out.push({
        message: `dNSName constraint "${n.value}" starts with a period (RFC 5280 §4.2.1.10 writes DNS subtrees without one)`,
        strictOnly: true,
      })
    else if (n.type === 'email' && n.value.includes('@') && !isParsableEmail(n.value))
      out.push({message: `rfc822Name constraint "${n.value}" is not a mailbox`, strictOnly: false})
  }
  if (!nc.critical)
    out.push({
      message: 'nameConstraints is not critical (RFC 5280 §4.2.1.10: conforming CAs MUST mark it critical)',
      strictOnly: true,
    })
  if (!isCa)
    out.push({
      message: 'nameConstraints in a certificate that is not a CA (RFC 5280 §4.2.1.10: only in CA certificates)',
      strictOnly: true,
    })
  return out
}
