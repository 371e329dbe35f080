/** Reading bundle files of any format, and bad input (spiffe-rules.md §3 step 1, §4). */
import {afterAll, describe, expect, it} from 'vitest'
import {loadBundleFile, parseBundleBytes, toJwks, toPemBundle} from '../../../src/core/bundle/index.js'
import {PEMUTIL_1, ROOT_LOCAL, fixture, tempDir, thrown} from './helpers.js'

describe('parseBundleBytes chooses the format by content', () => {
  it.each([
    {name: 'PEM', input: toPemBundle([ROOT_LOCAL]), kind: 'single', format: 'pem'},
    {name: 'DER', input: ROOT_LOCAL.der, kind: 'single', format: 'pem'},
    {name: 'JWKS', input: toJwks([ROOT_LOCAL]), kind: 'single', format: 'jwks'},
    {
      name: 'JWKS with a BOM and leading blank lines',
      input: `\ufeff\n\n  ${toJwks([ROOT_LOCAL])}`,
      kind: 'single',
      format: 'jwks',
    },
    {name: 'bundle map', input: '{"trust_domains": {}}', kind: 'map'},
    {name: 'object with both trust_domains and keys', input: '{"keys": [], "trust_domains": {}}', kind: 'map'},
  ])('$name', ({input, kind, format}) => {
    const file = parseBundleBytes(typeof input === 'string' ? Buffer.from(input) : input, 'b')
    expect(file.kind).toBe(kind)
    if (file.kind === 'single') expect(file.bundle.format).toBe(format)
  })
})

describe('bad input', () => {
  const tmp = tempDir()
  afterAll(() => tmp.cleanup())
  const pem = toPemBundle([PEMUTIL_1])

  it.each([
    {
      name: 'garbage text',
      content: 'hello, world\n',
      code: 'bundle-invalid',
      message: (p: string) => `no PEM blocks found in "${p}" and it is not DER`,
    },
    // The message comes from x509/read.ts, which words a truncated DER as a negative count of extra bytes; only the code is asserted
    {
      name: 'binary garbage that starts like DER',
      content: new Uint8Array([0x30, 0x82, 0xff, 0xff, 1, 2]),
      code: 'bundle-invalid',
      message: () => '',
      prefix: true,
    },
    {
      name: 'a truncated PEM',
      content: pem.slice(0, 200),
      code: 'bundle-invalid',
      message: (p: string) => `PEM block "CERTIFICATE" has no matching END line (file truncated?) in "${p}"`,
    },
    {
      name: '"{"',
      content: '{',
      code: 'bundle-invalid',
      message: (p: string) => `bundle "${p}": not valid JSON (`,
      prefix: true,
    },
    {
      name: 'a truncated JWKS',
      content: toJwks([ROOT_LOCAL]).slice(0, 100),
      code: 'bundle-invalid',
      message: (p: string) => `bundle "${p}": not valid JSON (`,
      prefix: true,
    },
    {
      name: '"[]"',
      content: '[]',
      code: 'bundle-invalid',
      message: (p: string) => `bundle "${p}": a SPIFFE bundle must be a JSON object with a "keys" array; got an array`,
    },
    {
      name: '"{}"',
      content: '{}',
      code: 'bundle-invalid',
      message: (p: string) => `bundle "${p}": no authorities found ("keys" is missing)`,
    },
    {
      name: '{"keys": 5}',
      content: '{"keys": 5}',
      code: 'bundle-invalid',
      message: (p: string) => `bundle "${p}": "keys" must be an array; got number 5`,
    },
    {
      name: '"null" (not JSON-looking, so read as PEM)',
      content: 'null',
      code: 'bundle-invalid',
      message: (p: string) => `no PEM blocks found in "${p}" and it is not DER`,
    },
  ])('$name → $code', ({content, code, message, prefix}) => {
    const p = tmp.write('bad', content)
    for (const strict of [false, true]) {
      const err = thrown(() => loadBundleFile(p, {strict}))
      expect(err.code).toBe(code)
      expect(err.exit).toBe(3)
      if (prefix) expect(err.message.startsWith(message(p)), err.message).toBe(true)
      else expect(err.message).toBe(message(p))
    }
  })

  it('an empty file is a valid empty bundle, with a warning', () => {
    const p = tmp.write('empty.pem', '')
    const file = loadBundleFile(p)
    expect(file).toEqual({
      kind: 'single',
      bundle: {
        authorities: [],
        format: 'pem',
        source: p,
        warnings: [expect.stringContaining('holds no X.509 authority')],
      },
    })
  })

  it('a directory → not-a-regular-file', () => {
    const err = thrown(() => loadBundleFile(tmp.dir))
    expect(err.code).toBe('not-a-regular-file')
    expect(err.message).toBe(`"${tmp.dir}" is a directory, not a regular file`)
  })

  it('a missing file → file-not-found', () => {
    const err = thrown(() => loadBundleFile(`${tmp.dir}/nope.pem`))
    expect(err.code).toBe('file-not-found')
    expect(err.exit).toBe(3)
  })

  it('a path through a file → file-not-found', () => {
    const err = thrown(() => loadBundleFile(fixture('go-spiffe/bundle/x509bundle/testdata/cert.pem/x')))
    expect(err.code).toBe('file-not-found')
  })
})
