/**
 * The library's authority API (createAuthority, saveAuthority, loadAuthority): option
 * checks with their reason and exit codes, and a CA directory round trip.
 */
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  SvidkitError,
  createAuthority,
  issueSvid,
  loadAuthority,
  saveAuthority,
  type CreateAuthorityOptions,
} from '../../src/index.js'
import {tmpDir} from '../helpers/tmp.js'

/** Returns the SvidkitError a promise rejects with (failing the test otherwise). */
async function rejection(p: Promise<unknown>): Promise<SvidkitError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(SvidkitError)
  return err as SvidkitError
}

const badOptions: {name: string; input: CreateAuthorityOptions; code: string; exit: number; message: RegExp}[] = [
  {
    name: 'uppercase trust domain',
    input: {trustDomain: 'Example.org'},
    code: 'spiffe-id-invalid',
    exit: 2,
    message: /^trust domain characters/,
  },
  {
    name: 'trust domain with a path',
    input: {trustDomain: 'spiffe://example.org/x'},
    code: 'spiffe-id-invalid',
    exit: 2,
    message: /must not contain a path/,
  },
  {
    name: '6 intermediates',
    input: {trustDomain: 'example.org', intermediates: 6},
    code: 'usage',
    exit: 2,
    message: /^intermediates must be 0 to 5, got 6$/,
  },
  {
    name: 'fractional intermediates',
    input: {trustDomain: 'example.org', intermediates: 1.5},
    code: 'usage',
    exit: 2,
    message: /got 1\.5$/,
  },
  {
    name: 'negative intermediates',
    input: {trustDomain: 'example.org', intermediates: -1},
    code: 'usage',
    exit: 2,
    message: /got -1$/,
  },
  {
    name: 'path length below the intermediates',
    input: {trustDomain: 'example.org', intermediates: 2, pathLen: 1},
    code: 'usage',
    exit: 2,
    message: /^path length 1 on the root leaves no room for 2 intermediates$/,
  },
  {
    name: 'zero TTL',
    input: {trustDomain: 'example.org', ttlMs: 0},
    code: 'usage',
    exit: 2,
    message: /^TTL must be positive$/,
  },
  {
    name: 'negative intermediate TTL',
    input: {trustDomain: 'example.org', intermediateTtlMs: -1},
    code: 'usage',
    exit: 2,
    message: /^TTL must be positive$/,
  },
]

describe('createAuthority', () => {
  it.for(badOptions)('refuses $name ($code, exit $exit)', async ({input, code, exit, message}) => {
    const err = await rejection(createAuthority(input))
    expect({code: err.code, exit: err.exit}).toEqual({code, exit})
    expect(err.message).toMatch(message)
  })

  it('accepts spiffe://<td> and returns a chain whose signing CA is the last intermediate', async () => {
    const {authority, warnings} = await createAuthority({trustDomain: 'spiffe://example.org', intermediates: 2})
    expect(warnings).toEqual([])
    expect(authority.trustDomain.name).toBe('example.org')
    expect(authority.roots.map((c) => [c.certFile, c.keyFile])).toEqual([['root.pem', 'root-key.pem']])
    expect(authority.intermediates.map((c) => c.certFile)).toEqual(['intermediate-1.pem', 'intermediate-2.pem'])
    const [root, i1, i2] = [authority.roots[0], ...authority.intermediates].map((c) => c.cert)
    expect([i1.aki, i2.aki]).toEqual([root.ski, i1.ski])
    expect(Buffer.from(i2.issuerDer).equals(Buffer.from(i1.subjectDer))).toBe(true)
  })
})

describe('saveAuthority and loadAuthority', () => {
  it('round-trip a CA directory: same certificates, keys that sign, keys 0600', async (ctx) => {
    const dir = join(tmpDir(ctx), 'ca')
    const {authority} = await createAuthority({trustDomain: 'example.org', intermediates: 2, keyType: 'ec-p384'})
    const written = saveAuthority(dir, authority)
    expect(written.map((p) => p.slice(dir.length + 1)).sort()).toEqual(
      [
        'bundle.pem',
        'bundle.spiffe.json',
        'ca.json',
        'intermediate-1-key.pem',
        'intermediate-1.pem',
        'intermediate-2-key.pem',
        'intermediate-2.pem',
        'jwt-key.pem',
        'root-key.pem',
        'root.pem',
      ].sort(),
    )
    for (const f of ['root-key.pem', 'intermediate-1-key.pem', 'intermediate-2-key.pem']) {
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600)
      expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    }
    expect(JSON.parse(readFileSync(join(dir, 'ca.json'), 'utf8'))).toMatchObject({
      trustDomain: 'example.org',
      keyType: 'ec-p384',
      nameConstraints: true,
      signingChain: ['intermediate-2.pem', 'intermediate-1.pem', 'root.pem'],
    })

    const loaded = loadAuthority(dir)
    expect(loaded.trustDomain.name).toBe('example.org')
    expect(loaded.keyType).toBe('ec-p384')
    const fingerprints = (a: typeof authority) => [...a.roots, ...a.intermediates].map((c) => c.cert.sha256)
    expect(fingerprints(loaded)).toEqual(fingerprints(authority))
    const {svid} = await issueSvid(loaded, {spiffeId: 'spiffe://example.org/w'})
    expect(svid.certificates[0].aki).toBe(authority.intermediates[1].cert.ski)
    expect(svid.certificates.map((c) => c.sha256).slice(1)).toEqual([
      authority.intermediates[1].cert.sha256,
      authority.intermediates[0].cert.sha256,
    ])
  })

  it('refuses to overwrite a CA without force (output-exists, exit 3)', async (ctx) => {
    const dir = join(tmpDir(ctx), 'ca')
    const first = await createAuthority({trustDomain: 'example.org'})
    saveAuthority(dir, first.authority)
    const before = readFileSync(join(dir, 'root.pem'), 'utf8')
    const second = await createAuthority({trustDomain: 'example.org'})
    let err: unknown
    try {
      saveAuthority(dir, second.authority)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SvidkitError)
    expect({code: (err as SvidkitError).code, exit: (err as SvidkitError).exit}).toEqual({
      code: 'output-exists',
      exit: 3,
    })
    expect(readFileSync(join(dir, 'root.pem'), 'utf8')).toBe(before)
    saveAuthority(dir, second.authority, {force: true})
    expect(readFileSync(join(dir, 'root.pem'), 'utf8')).toBe(second.authority.roots[0].cert.node.toString())
  })
})
