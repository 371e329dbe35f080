import type {KeyObject} from 'node:crypto'
import {SpiffeId, lengthWarning} from '../spiffe-id/index.js'
import {isSvidkitError} from '../errors.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {isSelfSigned} from './cert-facts.js'
import {keyMatches} from '../x509/keys.js'
import type {Report} from './result.js'

/**
 * Runs X509-SVID §5.2 (leaf validation) on a chain (leaf first) and returns the leaf's
 * SPIFFE ID when steps 2–3 passed. These need no bundle; `inspect` uses them alone.
 */
export function checkSvid(chain: ParsedCertificate[], key: KeyObject | undefined, r: Report): SpiffeId | undefined {
  const leaf = chain[0]
  const id = checkUriSan(leaf, r)
  checkLeafFlags(leaf, r)
  checkSigningCerts(chain, r)
  if (key) {
    if (keyMatches(key, leaf.node)) r.pass('key-match', 'the private key belongs to the leaf')
    else
      r.fail(7, 'key-match', {
        code: 'key-mismatch',
        message: 'leaf certificate does not match private key',
        hint: 'the key file belongs to another certificate: a writer may have replaced one file before the other, or the files come from different issuances',
      })
  } else r.skipped('key-match', 'no private key given')
  return id
}

function checkUriSan(leaf: ParsedCertificate, r: Report): SpiffeId | undefined {
  const uris = leaf.san?.uris ?? []
  if (uris.length === 0) {
    r.fail(2, 'uri-san', {
      code: 'no-uri-san',
      message: 'certificate contains no URI SAN',
      hint: leaf.san?.dns.length
        ? `the leaf has only DNS SANs (${leaf.san.dns.join(', ')}); an X509-SVID carries its SPIFFE ID as a URI SAN`
        : 'an X509-SVID carries its SPIFFE ID as exactly one URI SAN; this is not an SVID',
    })
    r.skipped('spiffe-id', 'no URI SAN to parse')
    return undefined
  }
  if (uris.length > 1) {
    r.fail(2, 'uri-san', {
      code: 'multiple-uri-sans',
      message: 'certificate contains more than one URI SAN',
      hint: `the leaf has ${uris.length} URI SANs (${uris.map((u) => JSON.stringify(u)).join(', ')}); a verifier cannot tell which is the identity, so X509-SVIDs carry exactly one`,
    })
    r.skipped('spiffe-id', 'ambiguous URI SANs')
    return undefined
  }
  r.pass('uri-san', 'exactly one URI SAN')
  let id: SpiffeId
  try {
    id = SpiffeId.parse(uris[0])
  } catch (err) {
    if (!isSvidkitError(err)) throw err
    r.fail(3, 'spiffe-id', {code: 'spiffe-id-invalid', message: err.message, hint: err.hint})
    return undefined
  }
  const long = lengthWarning(id)
  if (long) r.warn('spiffe-id', long)
  else r.pass('spiffe-id', `SPIFFE ID "${id}"`)
  if (id.isRoot()) {
    r.fail(4, 'root-path', {
      code: 'leaf-root-path',
      message: 'leaf certificate SPIFFE ID must have a non-root path',
      hint: `"${id}" names the trust domain itself; a workload SVID needs a path such as ${id}/ns/default/sa/web`,
    })
  } else r.pass('root-path', 'the SPIFFE ID has a path')
  return id
}

function checkLeafFlags(leaf: ParsedCertificate, r: Report): void {
  const ku = new Set(leaf.keyUsage?.names ?? [])
  let failed = false
  if (leaf.basicConstraints?.ca) {
    failed = true
    r.fail(5, 'leaf-flags', {
      code: 'leaf-is-ca',
      message: 'leaf certificate must not have CA flag set to true',
      hint: 'a CA certificate was given where the leaf should be first: put the workload certificate first, or reissue the leaf with CA:FALSE',
    })
  }
  if (!ku.has('digitalSignature')) {
    failed = true
    r.fail(5, 'leaf-flags', {
      code: 'leaf-no-digital-signature',
      message: "leaf certificate must have 'digitalSignature' set as key usage",
      hint: leaf.keyUsage
        ? 'add digitalSignature to the key usage of the leaf'
        : 'the leaf has no key usage extension; add a critical one with digitalSignature',
    })
  }
  if (ku.has('keyCertSign')) {
    failed = true
    r.fail(5, 'leaf-flags', {
      code: 'leaf-key-cert-sign',
      message: "leaf certificate must not have 'keyCertSign' set as key usage",
      hint: 'remove keyCertSign: a leaf must not be able to sign certificates',
    })
  }
  if (ku.has('cRLSign')) {
    failed = true
    r.fail(5, 'leaf-flags', {
      code: 'leaf-crl-sign',
      message: "leaf certificate must not have 'cRLSign' set as key usage",
      hint: 'remove cRLSign from the leaf key usage',
    })
  }
  if (!failed) r.pass('leaf-flags', 'leaf is not a CA and has digitalSignature without keyCertSign/cRLSign')
  if (!leaf.basicConstraints)
    r.warn('leaf-profile', 'leaf has no basicConstraints extension (should be critical CA:FALSE)')
  if (leaf.keyUsage && !leaf.keyUsage.critical) r.warn('leaf-profile', 'leaf key usage is not critical')
  if (leaf.subject === '' && leaf.san && !leaf.san.critical)
    r.warn(
      'leaf-profile',
      'leaf has an empty subject but its SAN extension is not critical (RFC 5280 SPIFFE Trust Domain and Bundle §4.1.6)',
    )
  if (!leaf.extKeyUsage)
    r.warn('leaf-profile', 'leaf has no extended key usage; some TLS stacks expect serverAuth and clientAuth')
  if (leaf.san?.dns.length)
    r.warn('leaf-profile', `leaf has DNS SANs (${leaf.san.dns.join(', ')}); SPIFFE peers ignore them`)
}

function checkSigningCerts(chain: ParsedCertificate[], r: Report): void {
  if (chain.length === 1) {
    r.skipped('signing-certs', 'the chain file holds only the leaf')
    return
  }
  let failed = false
  chain.slice(1).forEach((c, i) => {
    const which = `certificate ${i + 2} ("${c.subject}")`
    if (!c.basicConstraints?.ca) {
      failed = true
      r.fail(6, 'signing-certs', {
        code: 'signing-cert-not-ca',
        message: 'signing certificate must have CA flag set to true',
        hint: `${which} in the chain file is not a CA; only intermediates belong after the leaf`,
      })
    }
    if (!c.keyUsage?.names.includes('keyCertSign')) {
      failed = true
      r.fail(6, 'signing-certs', {
        code: 'signing-cert-no-key-cert-sign',
        message: "signing certificate must have 'keyCertSign' set as key usage",
        hint: `${which} lacks keyCertSign; reissue the intermediate with keyCertSign (and cRLSign)`,
      })
    }
    if (isSelfSigned(c))
      r.warn('signing-certs', `${which} in the chain file is self-signed: roots belong in the bundle, not the chain`)
  })
  if (!failed) r.pass('signing-certs', `${chain.length - 1} intermediate(s) are CAs with keyCertSign`)
}
