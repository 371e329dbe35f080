/**
 * SPIFFE JWKS reading (spiffe-rules.md §4.2): one case per row of the reading table, in
 * default and strict mode, plus counters and the toJwks → parseJwks round trip.
 */
import {describe, expect, it} from 'vitest'
import {parseBundleBytes, parseJwks, toJwks} from '../../../src/core/bundle/index.js'
import type {ParsedCertificate} from '../../../src/core/x509/certificate.js'
import {INTERMEDIATE_EXAMPLE, PEMUTIL_1, PEMUTIL_2, ROOT_LOCAL, VALID_1_ENTRY, makeCa, thrown} from './helpers.js'

const SRC = 'b.json'
const b64 = (c: ParsedCertificate) => Buffer.from(c.der).toString('base64')

/** Returns an x509-svid JWK for the certificate, as svidkit writes it, with `extra` merged in. */
function x509Entry(cert: ParsedCertificate, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {use: 'x509-svid', ...cert.node.publicKey.export({format: 'jwk'}), x5c: [b64(cert)], ...extra}
}

const JWT_WITH_KID = {
  use: 'jwt-svid',
  kty: 'EC',
  kid: 'k1',
  crv: 'P-256',
  x: 'ngLYQnlfF6GsojUwqtcEE3WgTNG2RUlsGhK73RNEl5k',
  y: 'tKbiDSUSsQ3F1P7wteeHNXIcU-cx6CgSbroeQrQHTLM',
}
const {kid: _kid, ...JWT_NO_KID} = JWT_WITH_KID

type Outcome = {authorities: number; warning?: string} | {code: 'bundle-invalid'; message: string}

interface Row {
  name: string
  doc: unknown
  default: Outcome
  strict: Outcome
}

const invalid = (message: string): Outcome => ({code: 'bundle-invalid', message: `bundle "${SRC}": ${message}`})
const both = (o: Outcome) => ({default: o, strict: o})

// One group per row of the §4.2 reading table, in table order
const ROWS: Row[] = [
  // not an object, keys missing or not an array
  {
    name: 'an array',
    doc: [],
    ...both(invalid('a SPIFFE bundle must be a JSON object with a "keys" array; got an array')),
  },
  {
    name: 'a string',
    doc: 'keys',
    ...both(invalid('a SPIFFE bundle must be a JSON object with a "keys" array; got string "keys"')),
  },
  {name: 'null', doc: null, ...both(invalid('a SPIFFE bundle must be a JSON object with a "keys" array; got null'))},
  {name: 'keys missing', doc: {spiffe_sequence: 1}, ...both(invalid('no authorities found ("keys" is missing)'))},
  {name: 'keys a number', doc: {keys: 5}, ...both(invalid('"keys" must be an array; got number 5'))},
  {name: 'keys an object', doc: {keys: {}}, ...both(invalid('"keys" must be an array; got an object'))},
  {name: 'keys null', doc: {keys: null}, ...both(invalid('"keys" must be an array; got null'))},
  // "keys": []
  {name: 'empty keys', doc: {keys: []}, ...both({authorities: 0, warning: 'holds no X.509 authority'})},
  // entry without use, or with an unknown use
  {
    name: 'entry without use',
    doc: {keys: [x509Entry(ROOT_LOCAL, {use: undefined})]},
    ...both({authorities: 0, warning: 'holds no X.509 authority'}),
  },
  {
    name: 'entry with unknown use',
    doc: {keys: [x509Entry(ROOT_LOCAL, {use: 'enc'}), x509Entry(PEMUTIL_1)]},
    ...both({authorities: 1}),
  },
  // entry with an unknown kty
  {
    name: 'x509-svid entry with unknown kty',
    doc: {keys: [x509Entry(ROOT_LOCAL, {kty: 'XYZ'})]},
    default: {authorities: 0, warning: 'x509-svid entry 0 has unknown key type "XYZ"; entry ignored'},
    strict: invalid('unknown key type "XYZ" in entry 0 of JWKS'),
  },
  {
    name: 'jwt-svid entry with unknown kty after a good x509-svid entry',
    doc: {keys: [x509Entry(ROOT_LOCAL), {...JWT_WITH_KID, kty: 'XYZ'}]},
    default: {authorities: 1},
    strict: invalid('unknown key type "XYZ" in entry 1 of JWKS'),
  },
  {
    name: 'entry without kty',
    doc: {keys: [x509Entry(ROOT_LOCAL), {use: 'jwt-svid', kid: 'k'}]},
    default: {authorities: 1},
    strict: invalid('unknown key type "" in entry 1 of JWKS'),
  },
  // jwt-svid / wit-svid entry
  {name: 'jwt-svid entry with kid', doc: {keys: [x509Entry(ROOT_LOCAL), JWT_WITH_KID]}, ...both({authorities: 1})},
  {
    name: 'wit-svid entry with kid',
    doc: {keys: [x509Entry(ROOT_LOCAL), {...JWT_WITH_KID, use: 'wit-svid'}]},
    ...both({authorities: 1}),
  },
  {
    name: 'jwt-svid entry without kid',
    doc: {keys: [x509Entry(ROOT_LOCAL), JWT_NO_KID]},
    default: {
      authorities: 1,
      warning: 'jwt-svid entry 1 has no "kid"; ignored (go-spiffe refuses the bundle: keyID cannot be empty)',
    },
    strict: invalid('error adding authority 1 of JWKS: keyID cannot be empty'),
  },
  {
    name: 'wit-svid entry with an empty kid',
    doc: {keys: [{...JWT_WITH_KID, use: 'wit-svid', kid: ''}, x509Entry(ROOT_LOCAL)]},
    default: {authorities: 1, warning: 'wit-svid entry 0 has no "kid"'},
    strict: invalid('error adding authority 0 of JWKS: keyID cannot be empty'),
  },
  // x509-svid, x5c missing or empty
  {
    name: 'x509-svid without x5c',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: undefined}), x509Entry(PEMUTIL_1)]},
    default: {authorities: 1, warning: 'expected a single certificate in x509-svid entry 0; got 0: entry ignored'},
    strict: invalid('expected a single certificate in x509-svid entry 0; got 0'),
  },
  {
    name: 'x509-svid with empty x5c',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: []})]},
    default: {authorities: 0, warning: 'expected a single certificate in x509-svid entry 0; got 0: entry ignored'},
    strict: invalid('expected a single certificate in x509-svid entry 0; got 0'),
  },
  // x509-svid, several x5c certs
  {
    name: 'x509-svid with two x5c certs',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: [b64(ROOT_LOCAL), b64(PEMUTIL_1)]})]},
    default: {
      authorities: 1,
      warning: 'expected a single certificate in x509-svid entry 0; got 2: the first is used, the rest ignored',
    },
    strict: invalid('expected a single certificate in x509-svid entry 0; got 2'),
  },
  // x509-svid entry with a kid
  {
    name: 'x509-svid entry with a kid',
    doc: {keys: [x509Entry(ROOT_LOCAL, {kid: 'abc'})]},
    ...both({authorities: 1, warning: 'x509-svid entry 0 has a "kid"'}),
  },
  // x5c not base64 or not DER
  {
    name: 'x5c in base64url',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: [Buffer.from(ROOT_LOCAL.der).toString('base64url')]})]},
    ...both(invalid('x5c of x509-svid entry 0 is not standard base64')),
  },
  {
    name: 'x5c as PEM',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: [ROOT_LOCAL.node.toString()]})]},
    ...both(invalid('x5c of x509-svid entry 0 is not standard base64')),
  },
  {
    name: 'x5c a number',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: [5]})]},
    ...both(invalid('x5c of x509-svid entry 0 must hold base64 strings; got number 5')),
  },
  {
    name: 'x5c a string',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: b64(ROOT_LOCAL)})]},
    ...both(invalid('x5c of x509-svid entry 0 must be an array; got string "' + b64(ROOT_LOCAL) + '"')),
  },
  {
    name: 'x5c not DER',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: [Buffer.from('CORRUPT').toString('base64')]})]},
    ...both(invalid('malformed certificate DER in x5c of x509-svid entry 0')),
  },
  {
    name: 'x5c with trailing bytes',
    doc: {
      keys: [
        x509Entry(ROOT_LOCAL, {x5c: [Buffer.concat([ROOT_LOCAL.der, Buffer.from([0, 0, 0])]).toString('base64')]}),
      ],
    },
    ...both(invalid('3 unexpected bytes after the certificate in x5c of x509-svid entry 0')),
  },
  {
    name: 'x5c truncated',
    doc: {keys: [x509Entry(ROOT_LOCAL, {x5c: [Buffer.from(ROOT_LOCAL.der.subarray(0, 300)).toString('base64')]})]},
    ...both(invalid(`truncated certificate DER in x5c of x509-svid entry 0 (300 of ${ROOT_LOCAL.der.length} bytes)`)),
  },
  // x5c key differs from the JWK's own parameters
  {
    name: 'JWK parameters of another key',
    doc: {keys: [{...x509Entry(PEMUTIL_2), x5c: [b64(PEMUTIL_1)]}]},
    default: {
      authorities: 1,
      warning:
        'key parameters of x509-svid entry 0 do not match its x5c certificate "CN=PEMUTILTEST1"; the certificate\'s key is used',
    },
    strict: invalid('key parameters of x509-svid entry 0 do not match its x5c certificate "CN=PEMUTILTEST1"'),
  },
  {
    name: 'JWK of another key type',
    doc: {keys: [{...x509Entry(PEMUTIL_1), x5c: [b64(ROOT_LOCAL)]}]},
    default: {authorities: 1, warning: 'do not match its x5c certificate "C=US, O=SPIFFE"'},
    strict: invalid('key parameters of x509-svid entry 0 do not match its x5c certificate "C=US, O=SPIFFE"'),
  },
  {
    name: 'JWK without its parameters',
    doc: {keys: [{use: 'x509-svid', kty: 'EC', x5c: [b64(ROOT_LOCAL)]}]},
    default: {authorities: 1, warning: 'do not match its x5c certificate'},
    strict: invalid('key parameters of x509-svid entry 0 do not match its x5c certificate "C=US, O=SPIFFE"'),
  },
  // spiffe_sequence / spiffe_refresh_hint not a non-negative integer
  {
    name: 'negative spiffe_sequence',
    doc: {keys: [], spiffe_sequence: -1},
    default: {authorities: 0, warning: '"spiffe_sequence" must be a non-negative integer; got number -1; ignored'},
    strict: invalid('"spiffe_sequence" must be a non-negative integer; got number -1'),
  },
  {
    name: 'fractional spiffe_refresh_hint',
    doc: {keys: [], spiffe_refresh_hint: 1.5},
    default: {authorities: 0, warning: '"spiffe_refresh_hint" must be a non-negative integer; got number 1.5; ignored'},
    strict: invalid('"spiffe_refresh_hint" must be a non-negative integer; got number 1.5'),
  },
  {
    name: 'string spiffe_refresh_hint',
    doc: {keys: [], spiffe_refresh_hint: '60'},
    default: {
      authorities: 0,
      warning: '"spiffe_refresh_hint" must be a non-negative integer; got string "60"; ignored',
    },
    strict: invalid('"spiffe_refresh_hint" must be a non-negative integer; got string "60"'),
  },
  // unknown top-level members
  {
    name: 'unknown top-level members',
    doc: {keys: [x509Entry(ROOT_LOCAL)], spiffe_other: {a: 1}, x: [1]},
    ...both({authorities: 1}),
  },
  // svidkit's choice where the table is silent: an entry that is not an object is malformed
  {
    name: 'entry not an object',
    doc: {keys: [x509Entry(ROOT_LOCAL), 'x']},
    ...both(invalid('entry 1 of JWKS must be an object; got string "x"')),
  },
]

describe('parseJwks reading table (§4.2)', () => {
  const cases = ROWS.flatMap((row) => [
    {name: row.name, mode: 'default', strict: false, doc: row.doc, outcome: row.default},
    {name: row.name, mode: 'strict', strict: true, doc: row.doc, outcome: row.strict},
  ])

  it.each(cases)('$name ($mode)', ({doc, strict, outcome}) => {
    // undefined members in the table stand for "absent": a JSON round trip drops them
    const value: unknown = JSON.parse(JSON.stringify(doc) ?? 'null')
    if ('code' in outcome) {
      const err = thrown(() => parseJwks(value, SRC, {strict}))
      expect(err.code).toBe(outcome.code)
      expect(err.exit).toBe(3)
      expect(err.message).toBe(outcome.message)
      return
    }
    const bundle = parseJwks(value, SRC, {strict})
    expect(bundle.format).toBe('jwks')
    expect(bundle.authorities).toHaveLength(outcome.authorities)
    if (outcome.warning)
      expect(
        bundle.warnings.some((w) => w.includes(outcome.warning!)),
        bundle.warnings.join('\n'),
      ).toBe(true)
  })

  it('uses the certificate, not the JWK, when they differ', () => {
    const bundle = parseJwks({keys: [{...x509Entry(PEMUTIL_2), x5c: [b64(PEMUTIL_1)]}]}, SRC)
    expect(bundle.authorities[0].subject).toBe('CN=PEMUTILTEST1')
  })

  it('uses the first of several x5c certificates', () => {
    const bundle = parseJwks({keys: [x509Entry(PEMUTIL_1, {x5c: [b64(PEMUTIL_1), b64(ROOT_LOCAL)]})]}, SRC)
    expect(bundle.authorities.map((c) => c.subject)).toEqual(['CN=PEMUTILTEST1'])
  })

  it('drops duplicate authorities across entries', () => {
    const bundle = parseJwks({keys: [x509Entry(ROOT_LOCAL), x509Entry(PEMUTIL_1), x509Entry(ROOT_LOCAL)]}, SRC)
    expect(bundle.authorities.map((c) => c.subject)).toEqual(['C=US, O=SPIFFE', 'CN=PEMUTILTEST1'])
    expect(bundle.warnings).toContain(`bundle "${SRC}": 1 duplicate authority(ies) dropped`)
  })

  it('reads the upstream entry unchanged (its JWK matches its certificate)', () => {
    const bundle = parseJwks({keys: [VALID_1_ENTRY]}, SRC, {strict: true})
    expect(bundle.authorities).toHaveLength(1)
    expect(bundle.warnings.filter((w) => w.includes('match'))).toEqual([])
  })

  it('compares integers by value: a leading zero byte in the JWK is no mismatch', () => {
    const entry = x509Entry(PEMUTIL_1)
    entry.e = Buffer.from([0, 1, 0, 1]).toString('base64url')
    expect(parseJwks({keys: [entry]}, SRC, {strict: true}).authorities).toHaveLength(1)
  })

  it('reads an intermediate as an anchor as it stands', () => {
    expect(parseJwks({keys: [x509Entry(INTERMEDIATE_EXAMPLE)]}, SRC, {strict: true}).authorities[0].san?.uris).toEqual([
      'spiffe://example.org',
    ])
  })
})

describe('spiffe_sequence and spiffe_refresh_hint', () => {
  it('keeps valid counters', () => {
    const bundle = parseJwks({keys: [], spiffe_sequence: 0, spiffe_refresh_hint: 300}, SRC, {strict: true})
    expect(bundle.sequence).toBe(0)
    expect(bundle.refreshHint).toBe(300)
  })

  it('accepts 2^53 - 1', () => {
    expect(
      parseBundleBytes(Buffer.from('{"keys": [], "spiffe_sequence": 9007199254740991}'), SRC, {strict: true}),
    ).toMatchObject({
      kind: 'single',
      bundle: {sequence: 9007199254740991},
    })
  })

  it('warns about and ignores a sequence above 2^53 by default', () => {
    const file = parseBundleBytes(Buffer.from('{"keys": [], "spiffe_sequence": 9007199254740993}'), SRC)
    if (file.kind !== 'single') throw new Error('expected a single bundle')
    expect(file.bundle.sequence).toBeUndefined()
    expect(file.bundle.warnings).toContain(
      `bundle "${SRC}": "spiffe_sequence" must be a non-negative integer; got number 9007199254740992 (larger than 2^53 - 1); ignored`,
    )
  })

  it('refuses a sequence above 2^53 in strict mode', () => {
    const err = thrown(() =>
      parseBundleBytes(Buffer.from('{"keys": [], "spiffe_sequence": 18446744073709551615}'), SRC, {strict: true}),
    )
    expect(err.code).toBe('bundle-invalid')
    expect(err.message).toBe(
      `bundle "${SRC}": "spiffe_sequence" must be a non-negative integer; got number 18446744073709552000 (larger than 2^53 - 1)`,
    )
  })

  it('does not check the refresh hint when told to ignore it (bundle-map entries)', () => {
    const bundle = parseJwks({keys: [], spiffe_refresh_hint: -5}, SRC, {strict: true, ignoreRefreshHint: true})
    expect(bundle.refreshHint).toBeUndefined()
  })
})

describe('toJwks', () => {
  it('writes one x509-svid JWK per authority: standard base64, one x5c, no kid', () => {
    const text = toJwks([ROOT_LOCAL, PEMUTIL_1, ROOT_LOCAL], {sequence: 3, refreshHint: 300})
    expect(text.endsWith('}\n')).toBe(true)
    const doc = JSON.parse(text)
    expect(Object.keys(doc)).toEqual(['keys', 'spiffe_sequence', 'spiffe_refresh_hint'])
    expect(doc.spiffe_sequence).toBe(3)
    expect(doc.spiffe_refresh_hint).toBe(300)
    expect(doc.keys).toHaveLength(2)
    expect(doc.keys[0]).toEqual({
      use: 'x509-svid',
      kty: 'EC',
      crv: 'P-384',
      x: VALID_1_ENTRY.x,
      y: VALID_1_ENTRY.y,
      x5c: [(VALID_1_ENTRY.x5c as string[])[0]],
    })
    expect(Object.keys(doc.keys[1])).toEqual(['use', 'kty', 'n', 'e', 'x5c'])
    for (const key of doc.keys) {
      expect(key).not.toHaveProperty('kid')
      expect(key.x5c).toHaveLength(1)
      expect(key.x5c[0]).toMatch(/^[A-Za-z0-9+/]+={0,2}$/)
    }
  })

  it('omits counters that are not given', () => {
    expect(Object.keys(JSON.parse(toJwks([ROOT_LOCAL])))).toEqual(['keys'])
    expect(JSON.parse(toJwks([]))).toEqual({keys: []})
  })

  it.each([
    {
      name: 'negative',
      options: {sequence: -1},
      message: '"spiffe_sequence" must be a non-negative integer; got number -1',
    },
    {
      name: 'unsafe',
      options: {refreshHint: 2 ** 53},
      message: '"spiffe_refresh_hint" must be a non-negative integer; got number 9007199254740992',
    },
  ])('refuses a $name counter', ({options, message}) => {
    const err = thrown(() => toJwks([ROOT_LOCAL], options))
    expect(err.code).toBe('usage')
    expect(err.message).toBe(message)
  })

  it('round-trips through parseJwks in strict mode for every key type', async () => {
    const certs = [
      ROOT_LOCAL,
      PEMUTIL_1,
      await makeCa(['spiffe://example.org'], 'ec-p256'),
      await makeCa(['spiffe://example.org'], 'ed25519'),
      await makeCa(['spiffe://example.org'], 'rsa-2048'),
    ]
    const text = toJwks(certs, {sequence: 7, refreshHint: 60})
    const file = parseBundleBytes(Buffer.from(text), SRC, {strict: true})
    if (file.kind !== 'single') throw new Error('expected a single bundle')
    expect(file.bundle.authorities.map((c) => c.sha256)).toEqual(certs.map((c) => c.sha256))
    expect(file.bundle.sequence).toBe(7)
    expect(file.bundle.refreshHint).toBe(60)
    expect(file.bundle.warnings.filter((w) => !w.includes('PEMUTILTEST1'))).toEqual([])
    expect(JSON.parse(text).keys[3]).toMatchObject({kty: 'OKP', crv: 'Ed25519'})
  })
})
