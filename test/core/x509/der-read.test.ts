/**
 * The strict DER reader (der-read.ts) and the certificate and extension readers built on
 * it refuse malformed input with a plain Error (which readCertificates reports as
 * `pem-invalid`): truncated lengths, wrong tags, trailing bytes, BER-only length forms,
 * absurd nesting and element counts, without ever crashing or taking long.
 */
import {X509Certificate, verify} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {isSvidkitError} from '../../../src/core/errors.js'
import {buildCertificateDer} from '../../../src/core/x509/build.js'
import {parseCertificateDer} from '../../../src/core/x509/certificate.js'
import {readCertificate} from '../../../src/core/x509/certificate-read.js'
import {bitString, bool, explicit, int, nul, octets, oid, seq, time, tlv, uint} from '../../../src/core/x509/der.js'
import {elementOf, oidOf, readTlv, type Tlv} from '../../../src/core/x509/der-read.js'
import {
  readAuthorityKeyId,
  readBasicConstraints,
  readExtKeyUsage,
  readKeyUsageBits,
  readNameConstraints,
  readSubjectKeyId,
} from '../../../src/core/x509/extension-read.js'
import {generateKeyPairNow, spkiDer} from '../../../src/core/x509/keys.js'
import {nameText} from '../../../src/core/x509/name-text.js'
import {readCertificates} from '../../../src/core/x509/read.js'

const b = (...bytes: number[]) => new Uint8Array(bytes)
const budget = () => ({nodes: 100_000})

describe('readTlv', () => {
  const table: {name: string; der: Uint8Array; want: Tlv | undefined}[] = [
    {name: 'short form', der: b(0x04, 0x02, 1, 2), want: {tag: 4, start: 2, end: 4}},
    {
      name: 'long form for 128 bytes',
      der: new Uint8Array([0x04, 0x81, 0x80, ...new Uint8Array(128)]),
      want: {tag: 4, start: 3, end: 131},
    },
    {name: 'empty input', der: b(), want: undefined},
    {name: 'tag without length', der: b(0x30), want: undefined},
    {name: 'content cut short', der: b(0x04, 0x03, 1, 2), want: undefined},
    {name: 'long-form length bytes cut short', der: b(0x04, 0x82, 0x01), want: undefined},
    {name: 'indefinite length (BER only)', der: b(0x30, 0x80, 0x00, 0x00), want: undefined},
    {name: 'long form for a short length (not minimal)', der: b(0x04, 0x81, 0x02, 1, 2), want: undefined},
    {
      name: 'long form with a leading zero byte',
      der: new Uint8Array([0x04, 0x82, 0x00, 0x80, ...new Uint8Array(128)]),
      want: undefined,
    },
    {name: 'five length bytes', der: b(0x04, 0x85, 0, 0, 0, 0, 1, 0), want: undefined},
    {name: 'length past 4 GiB claims', der: b(0x04, 0x84, 0xff, 0xff, 0xff, 0xff), want: undefined},
    {name: 'multi-byte tag', der: b(0x1f, 0x81, 0x01, 0x00), want: undefined},
  ]
  it.each(table)('$name', ({der, want}) => {
    expect(readTlv(der, 0, der.length)).toEqual(want)
  })

  it('a length that runs past the container (not the buffer) is refused', () => {
    const der = b(0x30, 0x02, 0x04, 0x03, 1, 2, 3)
    expect(readTlv(der, 2, 4)).toBeUndefined()
    expect(readTlv(der, 2, der.length)).toEqual({tag: 4, start: 4, end: 7})
  })

  it('elementOf gives back the whole element, header included', () => {
    for (const n of [0, 1, 127, 128, 255, 256, 70_000]) {
      const der = tlv(0x04, new Uint8Array(n))
      const t = readTlv(der, 0, der.length)!
      expect(Buffer.from(elementOf(der, t)).equals(der)).toBe(true)
    }
  })
})

describe('oidOf', () => {
  const at = (...content: number[]) => {
    const der = b(0x06, content.length, ...content)
    return oidOf(der, readTlv(der, 0, der.length)!, 'test')
  }
  it('reads first arcs 0, 1 and 2, multi-byte arcs and arcs past 2^53 exactly', () => {
    expect(at(0x27)).toBe('0.39')
    expect(at(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d)).toBe('1.2.840.113549')
    expect(at(0x88, 0x37, 0x01)).toBe('2.999.1')
    expect(at(0x2b, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).toBe('1.3.18446744073709551617')
    expect(at(0x2b, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02)).not.toBe(
      at(0x2b, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
    )
  })
  it.each([
    {name: 'empty', content: []},
    {name: 'cut inside a subidentifier', content: [0x2a, 0x86]},
    {name: 'subidentifier with a leading 0x80 byte', content: [0x2a, 0x80, 0x01]},
  ])('refuses an OBJECT IDENTIFIER $name', ({content}) => {
    expect(() => at(...content)).toThrow(Error)
  })
})

describe('extension values: wrong tags, trailing bytes, bad primitives', () => {
  const bad: {name: string; read: (v: Uint8Array) => unknown; value: Uint8Array}[] = [
    {name: 'basicConstraints as a SET', read: (v) => readBasicConstraints(v, budget()), value: tlv(0x31, bool(true))},
    {
      name: 'basicConstraints with bytes after it',
      read: (v) => readBasicConstraints(v, budget()),
      value: Buffer.concat([seq(bool(true)), b(0)]),
    },
    {
      name: 'basicConstraints with a third element',
      read: (v) => readBasicConstraints(v, budget()),
      value: seq(bool(true), int(1), nul()),
    },
    {
      name: 'basicConstraints with pathLen before cA',
      read: (v) => readBasicConstraints(v, budget()),
      value: seq(int(1), bool(true)),
    },
    {
      name: 'basicConstraints with a two-byte BOOLEAN',
      read: (v) => readBasicConstraints(v, budget()),
      value: seq(tlv(0x01, b(0xff, 0xff))),
    },
    {
      name: 'basicConstraints with a non-minimal INTEGER',
      read: (v) => readBasicConstraints(v, budget()),
      value: seq(tlv(0x02, b(0x00, 0x01))),
    },
    {
      name: 'basicConstraints with an empty INTEGER',
      read: (v) => readBasicConstraints(v, budget()),
      value: seq(tlv(0x02, b())),
    },
    {
      name: 'basicConstraints cut short',
      read: (v) => readBasicConstraints(v, budget()),
      value: b(0x30, 0x03, 0x01, 0x01),
    },
    {name: 'keyUsage as an OCTET STRING', read: readKeyUsageBits, value: octets(b(0x80))},
    {name: 'keyUsage BIT STRING with no content', read: readKeyUsageBits, value: b(0x03, 0x00)},
    {name: 'keyUsage with 8 unused bits', read: readKeyUsageBits, value: b(0x03, 0x02, 0x08, 0x80)},
    {name: 'keyUsage with unused bits and no bytes', read: readKeyUsageBits, value: b(0x03, 0x01, 0x03)},
    {name: 'constructed keyUsage (BER)', read: readKeyUsageBits, value: tlv(0x23, b(0x03, 0x02, 0x07, 0x80))},
    {
      name: 'extKeyUsage holding an INTEGER',
      read: (v) => readExtKeyUsage(v, budget()),
      value: seq(oid('1.3.6.1.5.5.7.3.1'), int(1)),
    },
    {
      name: 'extKeyUsage with bytes after it',
      read: (v) => readExtKeyUsage(v, budget()),
      value: Buffer.concat([seq(oid('1.2.3')), b(0x05, 0x00)]),
    },
    {name: 'subjectKeyIdentifier as a SEQUENCE', read: readSubjectKeyId, value: seq(octets(b(1)))},
    {
      name: 'authorityKeyIdentifier with an unknown [3]',
      read: (v) => readAuthorityKeyId(v, budget()),
      value: seq(tlv(0x80, b(1)), tlv(0x83, b(1))),
    },
    {
      name: 'authorityKeyIdentifier fields out of order',
      read: (v) => readAuthorityKeyId(v, budget()),
      value: seq(tlv(0x82, b(1)), tlv(0x80, b(1))),
    },
    {
      name: 'nameConstraints with a [2]',
      read: (v) => readNameConstraints(v, budget()),
      value: seq(tlv(0xa2, seq(tlv(0x82, b(0x61))))),
    },
    {
      name: 'nameConstraints excluded before permitted',
      read: (v) => readNameConstraints(v, budget()),
      value: seq(tlv(0xa1, seq(tlv(0x82, b(0x61)))), tlv(0xa0, seq(tlv(0x82, b(0x61))))),
    },
    {
      name: 'nameConstraints with a GeneralName tag [9]',
      read: (v) => readNameConstraints(v, budget()),
      value: seq(tlv(0xa0, seq(tlv(0x89, b(0x61))))),
    },
    {
      name: 'nameConstraints with a constructed dNSName',
      read: (v) => readNameConstraints(v, budget()),
      value: seq(tlv(0xa0, seq(tlv(0xa2, b(0x61))))),
    },
    {
      name: 'nameConstraints with an empty GeneralSubtree',
      read: (v) => readNameConstraints(v, budget()),
      value: seq(tlv(0xa0, seq())),
    },
    {
      name: 'nameConstraints with an unknown GeneralSubtree field',
      read: (v) => readNameConstraints(v, budget()),
      value: seq(tlv(0xa0, seq(tlv(0x82, b(0x61)), tlv(0x82, b(1))))),
    },
    {
      name: 'nameConstraints as a primitive [0]',
      read: (v) => readNameConstraints(v, budget()),
      value: seq(tlv(0x80, b(0x30, 0x00))),
    },
  ]
  it.each(bad)('$name', ({read, value}) => {
    expect(() => read(new Uint8Array(value))).toThrow(Error)
  })

  it('absurd nesting: 100,000 nested SEQUENCEs in an extension value are refused at once', () => {
    // Built outside in (headers only), so the test itself stays linear.
    const headers: number[][] = []
    let len = 2
    for (let i = 0; i < 100_000; i++) {
      const n =
        len < 0x80
          ? [len]
          : len < 0x100
            ? [0x81, len]
            : len < 0x10000
              ? [0x82, len >> 8, len & 0xff]
              : [0x83, len >> 16, (len >> 8) & 0xff, len & 0xff]
      headers.push([0x30, ...n])
      len += 1 + n.length
    }
    const v = new Uint8Array([...headers.reverse().flat(), 0x30, 0x00])
    expect(readTlv(v, 0, v.length)?.end).toBe(v.length)
    const t0 = performance.now()
    for (const read of [
      (x: Uint8Array) => readBasicConstraints(x, budget()),
      (x: Uint8Array) => readNameConstraints(x, budget()),
      (x: Uint8Array) => readExtKeyUsage(x, budget()),
    ]) {
      expect(() => read(v)).toThrow(Error)
    }
    expect(performance.now() - t0).toBeLessThan(1000)
  })

  it('more elements than the budget allows are refused; the same value reads within it', () => {
    const many = seq(...Array.from({length: 5000}, () => oid('1.3.6.1.5.5.7.3.1')))
    expect(readExtKeyUsage(many, budget())).toHaveLength(5000)
    expect(() => readExtKeyUsage(many, {nodes: 4999})).toThrow(/more DER elements/)
  })
})

describe('names', () => {
  const atv = (value: Uint8Array) => seq(oid('2.5.4.3'), value)
  it.each([
    {name: 'an RDN that is a SEQUENCE', der: seq(seq(atv(tlv(0x0c, b(0x61)))))},
    {name: 'an attribute without a value', der: seq(tlv(0x31, seq(oid('2.5.4.3'))))},
    {
      name: 'an attribute with two values',
      der: seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, b(0x61)), tlv(0x0c, b(0x61))))),
    },
    {name: 'an attribute type that is not an OID', der: seq(tlv(0x31, seq(tlv(0x0c, b(0x61)), tlv(0x0c, b(0x61)))))},
    {name: 'bytes after the name', der: Buffer.concat([seq(), b(0)])},
    {name: 'a SET for the name', der: tlv(0x31)},
    {name: 'a BMPString of odd length', der: seq(tlv(0x31, atv(tlv(0x1e, b(0, 0x61, 0)))))},
    {name: 'a UniversalString of 5 bytes', der: seq(tlv(0x31, atv(tlv(0x1c, b(0, 0, 0, 0x61, 0)))))},
  ])('refuses $name', ({der}) => {
    expect(() => nameText(new Uint8Array(der))).toThrow(Error)
  })
})

describe('certificates', () => {
  const key = generateKeyPairNow('ec-p256')
  const alg = seq(oid('1.2.840.10045.4.3.2'))
  const name = seq(tlv(0x31, seq(oid('2.5.4.10'), tlv(0x0c, Buffer.from('svidkit')))))
  const validity = seq(time(new Date('2026-01-01T00:00:00Z')), time(new Date('2027-01-01T00:00:00Z')))
  const spki = Buffer.from(spkiDer(key.publicKey))
  const extensions = explicit(3, seq(seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true))))))
  const fields = () => [explicit(0, int(2)), uint(b(1)), alg, name, validity, name, spki, extensions]
  const cert = (tbs: Uint8Array[]) => new Uint8Array(seq(seq(...tbs), alg, bitString(b(1, 2, 3))))
  /** A certificate signed by buildCertificateDer, with `t` added to its template. */
  const built = (t: Partial<Parameters<typeof buildCertificateDer>[0]> = {}) =>
    buildCertificateDer({
      subject: 'O=svidkit',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      publicKey: key.publicKey,
      signingKey: key.privateKey,
      ...t,
    })

  it('the hand-written certificate reads (control)', () => {
    expect(readCertificate(cert(fields()), budget())).toMatchObject({
      version: 2,
      signatureOid: '1.2.840.10045.4.3.2',
      extensions: [{oid: '2.5.29.19', critical: true}],
    })
    expect(readCertificate(cert(fields().filter((_, i) => i !== 0 && i !== 7)), budget())).toMatchObject({
      version: 0,
      extensions: [],
    })
    expect(
      readCertificate(cert([...fields().slice(0, 7), tlv(0x81, b(0)), tlv(0x82, b(0)), extensions]), budget())
        .extensions,
    ).toHaveLength(1)
  })

  const tbsCases: {name: string; tbs: (f: Uint8Array[]) => Uint8Array[]}[] = [
    {name: 'no serial', tbs: (f) => [f[0], ...f.slice(2)]},
    {name: 'serial as an OCTET STRING', tbs: (f) => [f[0], octets(b(1)), ...f.slice(2)]},
    {name: 'version [0] holding two INTEGERs', tbs: (f) => [explicit(0, int(2), int(2)), ...f.slice(1)]},
    {name: 'version [0] holding an OCTET STRING', tbs: (f) => [explicit(0, octets(b(2))), ...f.slice(1)]},
    {name: 'issuer as a SET', tbs: (f) => [...f.slice(0, 3), tlv(0x31), ...f.slice(4)]},
    {name: 'validity with one time', tbs: (f) => [...f.slice(0, 4), seq(time(new Date())), ...f.slice(5)]},
    {name: 'validity with an INTEGER for a time', tbs: (f) => [...f.slice(0, 4), seq(int(1), int(2)), ...f.slice(5)]},
    {name: 'no subjectPublicKeyInfo', tbs: (f) => [...f.slice(0, 6), f[7]]},
    {name: 'subjectPublicKey as an OCTET STRING', tbs: (f) => [...f.slice(0, 6), seq(alg, octets(b(0, 1))), f[7]]},
    {
      name: 'signature AlgorithmIdentifier with three elements',
      tbs: (f) => [f[0], f[1], seq(oid('1.2.3'), nul(), nul()), ...f.slice(3)],
    },
    {name: 'an element after the extensions', tbs: (f) => [...f, tlv(0x84, b(0))]},
    {name: 'unique IDs after the extensions', tbs: (f) => [...f, tlv(0x81, b(0))]},
    {
      name: 'subjectUniqueID before issuerUniqueID',
      tbs: (f) => [...f.slice(0, 7), tlv(0x82, b(0)), tlv(0x81, b(0)), f[7]],
    },
    {name: 'extensions [3] holding two SEQUENCEs', tbs: (f) => [...f.slice(0, 7), explicit(3, seq(), seq())]},
    {
      name: 'an extension without a value',
      tbs: (f) => [...f.slice(0, 7), explicit(3, seq(seq(oid('2.5.29.19'), bool(true))))],
    },
    {
      name: 'an extension value that is a SEQUENCE',
      tbs: (f) => [...f.slice(0, 7), explicit(3, seq(seq(oid('2.5.29.19'), seq())))],
    },
    {
      name: 'critical as an INTEGER',
      tbs: (f) => [...f.slice(0, 7), explicit(3, seq(seq(oid('2.5.29.19'), int(1), octets(seq()))))],
    },
    {
      name: 'an extension OID with a leading 0x80',
      tbs: (f) => [...f.slice(0, 7), explicit(3, seq(seq(tlv(0x06, b(0x55, 0x80, 0x1d)), octets(seq()))))],
    },
  ]
  it.each(tbsCases)('refuses a TBSCertificate with $name', ({tbs}) => {
    expect(() => readCertificate(cert(tbs(fields())), budget())).toThrow(Error)
  })

  it.each([
    {name: 'bytes after the Certificate', der: () => new Uint8Array(Buffer.concat([cert(fields()), b(0)]))},
    {name: 'a SET for the Certificate', der: () => new Uint8Array(tlv(0x31, seq(...fields()), alg, bitString(b(1))))},
    {
      name: 'a fourth element in the Certificate',
      der: () => new Uint8Array(seq(seq(...fields()), alg, bitString(b(1)), nul())),
    },
    {name: 'signatureValue as an OCTET STRING', der: () => new Uint8Array(seq(seq(...fields()), alg, octets(b(1))))},
    {
      name: 'a BIT STRING with 9 unused bits',
      der: () => new Uint8Array(seq(seq(...fields()), alg, tlv(0x03, b(9, 0)))),
    },
  ])('refuses $name', ({der}) => {
    expect(() => readCertificate(der(), budget())).toThrow(Error)
  })

  it('refuses the certificate cut at every length, and with a non-minimal outer length', () => {
    const der = cert(fields())
    for (let n = 0; n < der.length; n++) expect(() => readCertificate(der.subarray(0, n), budget())).toThrow(Error)
    const long = new Uint8Array([0x30, 0x83, 0x00, (der.length - 3) >> 8, (der.length - 3) & 0xff, ...der.subarray(3)])
    expect(() => readCertificate(long, budget())).toThrow(Error)
  })

  it('the signed bytes, signature and SPKI it returns are the ones Node verifies (issuance self-check reads these)', () => {
    const der = built()
    const raw = readCertificate(der, budget())
    expect(verify('sha256', raw.tbs, key.publicKey, raw.signature)).toBe(true)
    expect(Buffer.from(raw.spki).equals(Buffer.from(spkiDer(key.publicKey)))).toBe(true)
    expect(Buffer.from(raw.signatureAlgorithmDer).equals(Buffer.from(raw.tbsSignatureDer))).toBe(true)
    expect(Buffer.from(raw.tbs).equals(new X509Certificate(der).raw.subarray(4, 4 + raw.tbs.length))).toBe(true)
  })

  // Moved from test/svid/fast-path.test.ts when the issuance reader (svid/leaf-der.ts) merged into this one.
  it.each([
    {name: 'truncated', mutate: (d: Uint8Array) => d.subarray(0, d.length - 10), message: /malformed DER/},
    {
      name: 'trailing byte',
      mutate: (d: Uint8Array) => Uint8Array.from([...d, 0]),
      message: /1 bytes after the DER value/,
    },
    {
      name: 'not a SEQUENCE',
      mutate: (d: Uint8Array) => Uint8Array.from([0x31, ...d.subarray(1)]),
      message: /expected tag 0x30/,
    },
    {name: 'empty', mutate: () => new Uint8Array(0), message: /malformed DER/},
  ])('refuses a built certificate $name', ({mutate, message}) => {
    const der = built()
    expect(() => readCertificate(der, budget())).not.toThrow()
    expect(() => readCertificate(mutate(der), budget())).toThrow(message)
  })

  it('a certificate over the node budget is refused; within it, it reads', () => {
    const der = cert(fields())
    expect(() => readCertificate(der, {nodes: 10})).toThrow(/more DER elements/)
    expect(() => readCertificate(der, {nodes: 40})).not.toThrow()
  })

  it('through readCertificates, a malformed extension value is pem-invalid (a plain Error inside)', () => {
    const der = built({
      extra: [{oid: '2.5.29.30', critical: true, value: seq(tlv(0xa0, seq(tlv(0x89, b(0x61)))))}],
    })
    let err: unknown
    try {
      parseCertificateDer(der)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(Error)
    expect(isSvidkitError(err)).toBe(false)
    expect(() => readCertificates(der, 'mutant')).toThrow(
      expect.objectContaining({code: 'pem-invalid', message: expect.stringMatching(/unknown GeneralName tag 0x89/)}),
    )
  })
})
