/**
 * The names of a certificate that name constraints apply to (RFC 5280 §4.2.1.10, §6.1.3
 * (b) and (c)): the subjectAltName entries by form, the subject DN, and the email
 * addresses written in the subject DN (emailAddress attributes).
 */
import type {ParsedCertificate} from '../x509/certificate.js'
import {readChildren, readTlv} from '../x509/der-read.js'
import {OID} from '../x509/oids.js'
import {extensionValue} from './cert-facts.js'
import {pushAll} from '../arrays.js'

/** The constrained names of one certificate. */
interface SubjectNames {
  dns: string[]
  /** rfc822Name SANs, then the emailAddress attributes of the subject DN (from `dnEmailsFrom` on). */
  emails: string[]
  dnEmailsFrom: number
  uris: string[]
  /** iPAddress entries as bytes (4 or 16; any other length is kept and matches nothing). */
  ips: Uint8Array[]
  /** The subject DN (when not empty) and directoryName entries, as DER Names. */
  directoryNames: Uint8Array[]
}

const EMAIL_ADDRESS = '2a864886f70d010901' // 1.2.840.113549.1.9.1, DER content

const memo = new WeakMap<ParsedCertificate, SubjectNames>()

/** Returns the emailAddress attribute values of a DER Name (legacy email in the subject, RFC 5280 §4.2.1.6). */
function dnEmails(name: Uint8Array): string[] {
  const out: string[] = []
  const outer = readTlv(name, 0, name.length)
  if (!outer) return out
  for (const rdn of readChildren(name, outer, 1024) ?? []) {
    for (const atv of readChildren(name, rdn, 64) ?? []) {
      const parts = readChildren(name, atv, 3)
      if (!parts || parts.length !== 2 || parts[0].tag !== 0x06) continue
      if (Buffer.from(name.subarray(parts[0].start, parts[0].end)).toString('hex') !== EMAIL_ADDRESS) continue
      out.push(Buffer.from(name.subarray(parts[1].start, parts[1].end)).toString('latin1'))
    }
  }
  return out
}

/** Returns the names of `c` that name constraints are checked against (cached per certificate). */
export function subjectNames(c: ParsedCertificate): SubjectNames {
  const known = memo.get(c)
  if (known) return known
  const names: SubjectNames = {dns: [], emails: [], dnEmailsFrom: 0, uris: [], ips: [], directoryNames: []}
  const san = extensionValue(c, OID.subjectAltName)
  if (san) {
    const outer = readTlv(san, 0, san.length)
    for (const t of (outer && readChildren(san, outer, Number.MAX_SAFE_INTEGER)) ?? []) {
      const body = san.subarray(t.start, t.end)
      if (t.tag === 0x82) names.dns.push(Buffer.from(body).toString('latin1'))
      else if (t.tag === 0x81) names.emails.push(Buffer.from(body).toString('latin1'))
      else if (t.tag === 0x86) names.uris.push(Buffer.from(body).toString('latin1'))
      else if (t.tag === 0x87) names.ips.push(body)
      else if (t.tag === 0xa4) {
        const inner = readTlv(san, t.start, t.end)
        if (inner) names.directoryNames.push(san.subarray(t.start, inner.end))
      }
    }
  }
  // The subject DN counts when it is not empty (an empty SEQUENCE is 30 00).
  names.dnEmailsFrom = names.emails.length
  if (c.subjectDer.length > 2) {
    names.directoryNames.push(c.subjectDer)
    pushAll(names.emails, dnEmails(c.subjectDer))
  }
  memo.set(c, names)
  return names
}
