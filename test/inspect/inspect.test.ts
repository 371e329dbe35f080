/**
 * `inspect` and `bundle convert`: what inspect shows of chains (roles, SPIFFE IDs, SHA-256
 * fingerprints and extensions as OpenSSL sees them), JWKS bundles, bundle maps, keys in
 * every format and credential bundles; that no private key byte is ever printed; the
 * static rule checks; and bundle conversions that keep the certificates.
 */
import {createPrivateKey, generateKeyPairSync} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {fixedClock} from '../../src/core/clock.js'
import {createAuthority} from '../../src/core/ca/create.js'
import {saveAuthority} from '../../src/core/ca/store.js'
import type {Authority} from '../../src/core/ca/authority.js'
import {inspectFile, type InspectedFile} from '../../src/core/inspect/inspect.js'
import {issueSvid} from '../../src/core/svid/issue.js'
import {chainPem, keyPem} from '../../src/core/svid/write.js'
import {buildCertificate} from '../../src/core/x509/build.js'
import {generateKeyPair} from '../../src/core/x509/keys.js'
import {toPem} from '../../src/core/x509/pem.js'
import {readCertificates} from '../../src/core/x509/read.js'
import {jsonOf, runCli, STACK_LINE} from '../helpers/cli.js'
import {opensslView} from '../helpers/openssl-text.js'
import {hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'

warnIfMissing('openssl', hasOpenssl)

const NOW = new Date('2026-01-01T00:00:00Z')
const AT = '2026-01-01T00:30:00Z'
const clock = fixedClock(NOW)
const ID = 'spiffe://example.org/ns/default/sa/web'

const dir = suiteTmpDir()
const p = (name: string) => join(dir(), name)

let example: Authority
let partner: Authority

/** Strips ANSI colour codes. */
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')

/** OpenSSL's display names of the extensions svidkit names. */
const OPENSSL_NAMES: Record<string, string> = {
  basicConstraints: 'X509v3 Basic Constraints',
  keyUsage: 'X509v3 Key Usage',
  extKeyUsage: 'X509v3 Extended Key Usage',
  subjectAltName: 'X509v3 Subject Alternative Name',
  nameConstraints: 'X509v3 Name Constraints',
  subjectKeyIdentifier: 'X509v3 Subject Key Identifier',
  authorityKeyIdentifier: 'X509v3 Authority Key Identifier',
}

async function inspectCli(files: string[]): Promise<{human: string; json: {files: InspectedFile[]}}> {
  const h = await runCli(['inspect', ...files, '--at', AT])
  expect(h.exit, h.stderr).toBe(0)
  const j = await runCli(['inspect', ...files, '--at', AT, '--json'])
  expect(j.exit, j.stderr).toBe(0)
  for (const out of [h.stdout, h.stderr, j.stdout, j.stderr]) expect(out).not.toMatch(STACK_LINE)
  return {human: plain(h.stdout + h.stderr), json: jsonOf(j.stdout) as {files: InspectedFile[]}}
}

beforeAll(async () => {
  example = (await createAuthority({trustDomain: 'example.org', intermediates: 1, clock})).authority
  partner = (await createAuthority({trustDomain: 'partner.test', intermediates: 0, clock})).authority
  saveAuthority(p('ca-example'), example)
  saveAuthority(p('ca-partner'), partner)
  const {svid} = await issueSvid(example, {spiffeId: ID, clock})
  writeFileSync(p('svid.pem'), chainPem(svid.certificates))
  writeFileSync(p('svid_key.pem'), keyPem(svid))
  // credential-bundle layout: key, then chain
  writeFileSync(p('credential.pem'), keyPem(svid) + chainPem(svid.certificates))
  const sec1 = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey
  writeFileSync(p('sec1.pem'), sec1.export({format: 'pem', type: 'sec1'}))
  if (hasOpenssl) {
    const r = run('openssl', ['genrsa', '-traditional', '-out', p('pkcs1.pem'), '2048'])
    if (r.status !== 0) throw new Error(r.stderr)
  } else {
    writeFileSync(
      p('pkcs1.pem'),
      generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({format: 'pem', type: 'pkcs1'}),
    )
  }
})

describe('inspect of a chain', () => {
  it('shows roles, SPIFFE IDs, name constraints and the rules kept', () => {
    const f = inspectFile(p('svid.pem'), new Date(AT))
    expect(f.kind).toBe('chain')
    expect(f.certificates.map((c) => [c.role, c.spiffeId])).toEqual([
      ['leaf', ID],
      ['intermediate', 'spiffe://example.org'],
    ])
    expect(f.certificates.map((c) => c.violations)).toEqual([[], []])
    const [leaf, inter] = f.certificates
    expect(leaf.isCa).toBe(false)
    expect(leaf.keyUsage).toContain('digitalSignature')
    expect(leaf.extKeyUsage).toEqual(expect.arrayContaining(['serverAuth', 'clientAuth']))
    expect(inter.isCa).toBe(true)
    expect(inter.keyUsage).toContain('keyCertSign')
    // only the root carries the URI name constraint (ca/create.ts)
    expect(inter.nameConstraints).toBeNull()
    expect(leaf.aki).toBe(inter.ski)
    expect(leaf.remainingMs).toBe(Date.parse(leaf.notAfter) - Date.parse(AT))
  })

  it.skipIf(!hasOpenssl)('SHA-256 fingerprints and extension criticality match openssl x509', async () => {
    const {json} = await inspectCli([p('svid.pem')])
    const certs = json.files[0].certificates
    readFileSync(p('svid.pem'), 'utf8')
      .split(/(?=-----BEGIN CERTIFICATE-----)/)
      .forEach((pem, i) => {
        const one = p(`cert-${i}.pem`)
        writeFileSync(one, pem)
        const fp = run('openssl', ['x509', '-in', one, '-noout', '-fingerprint', '-sha256'])
        expect(fp.status).toBe(0)
        const norm = (s: string) => s.replace(/^.*=/, '').replaceAll(':', '').trim().toLowerCase()
        expect(norm(certs[i].sha256)).toBe(norm(fp.stdout))
        const view = opensslView(one)
        const ours = Object.fromEntries(certs[i].extensions.map((e) => [OPENSSL_NAMES[e.name] ?? e.oid, e.critical]))
        const theirs = Object.fromEntries(Object.entries(view.extensions).map(([name, e]) => [name, e.critical]))
        expect(ours).toEqual(theirs)
        expect(certs[i].serial).toBe(view.serial.toLowerCase().replace(/^0+/, ''))
      })
  })

  it('the human report names roles, fingerprint and critical extensions', async () => {
    const {human, json} = await inspectCli([p('svid.pem')])
    const [leaf, inter] = json.files[0].certificates
    expect(human).toMatch(/\(chain\)/)
    expect(human).toMatch(new RegExp(`1\\. leaf ${ID}`))
    expect(human).toMatch(/2\. intermediate spiffe:\/\/example\.org/)
    expect(human).toContain(leaf.sha256)
    expect(human).toContain(inter.sha256)
    expect(human).toMatch(
      /extensions +basicConstraints \(critical\), keyUsage \(critical\), extKeyUsage, subjectAltName/,
    )
  })
})

describe('inspect of bundles', () => {
  it('a SPIFFE JWKS bundle: format, sequence and its root', () => {
    const f = inspectFile(p('ca-example/bundle.spiffe.json'), new Date(AT))
    expect(f.kind).toBe('bundle')
    expect(f.bundle).toMatchObject({format: 'jwks', sequence: 1})
    expect(f.certificates).toHaveLength(1)
    expect(f.certificates[0]).toMatchObject({
      role: 'root',
      spiffeId: 'spiffe://example.org',
      isCa: true,
      selfSigned: true,
    })
    expect(f.certificates[0].sha256).toBe(example.roots[0].cert.sha256)
    expect(f.certificates[0].violations).toEqual([])
    expect(f.certificates[0].nameConstraints).toEqual({permitted: ['uri:example.org'], excluded: []})
    expect(f.certificates[0].extensions.find((e) => e.name === 'nameConstraints')?.critical).toBe(true)
  })

  it('a bundle map: one entry per trust domain', async () => {
    const r = await runCli([
      'bundle',
      'convert',
      p('ca-example/bundle.pem'),
      p('ca-partner/bundle.spiffe.json'),
      '--to',
      'map',
      '--out',
      p('federation.json'),
    ])
    expect(r.exit, r.stderr).toBe(0)
    const f = inspectFile(p('federation.json'), new Date(AT))
    expect(f.kind).toBe('bundle-map')
    expect(f.trustDomains?.map((t) => [t.trustDomain, t.certificates.map((c) => c.spiffeId)])).toEqual([
      ['example.org', ['spiffe://example.org']],
      ['partner.test', ['spiffe://partner.test']],
    ])
    const {human} = await inspectCli([p('federation.json')])
    expect(human).toMatch(/trust domain example\.org: 1 authority/)
    expect(human).toMatch(/trust domain partner\.test: 1 authority/)
  })
})

describe('inspect of bundles: JSON detection', () => {
  it('a JWKS after more than 64 bytes of leading whitespace is still a bundle, as verify reads it', () => {
    const file = p('indented.json')
    writeFileSync(file, `${' '.repeat(80)}${readFileSync(p('ca-example/bundle.spiffe.json'), 'utf8')}`)
    expect(inspectFile(file, new Date(AT)).kind).toBe('bundle')
  })
})

describe('inspect of keys', () => {
  it('SEC1 "EC PRIVATE KEY": read with a warning, format sec1', async () => {
    const f = inspectFile(p('sec1.pem'), new Date(AT))
    expect(f.kind).toBe('key')
    expect(f.keys).toHaveLength(1)
    expect(f.keys[0]).toMatchObject({keyType: 'ec-p256', format: 'sec1', matchesCertificate: null})
    expect(f.keys[0].warnings.join(' ')).toMatch(/PKCS#8/)
    const {human} = await inspectCli([p('sec1.pem')])
    expect(human).toMatch(/private key: ec-p256 \(SEC1\)/)
    expect(human).toMatch(/go-spiffe and spiffe-helper load only PKCS#8/)
  })

  it('PKCS#1 "RSA PRIVATE KEY" (openssl genrsa -traditional): read with a warning, format pkcs1', () => {
    expect(readFileSync(p('pkcs1.pem'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/)
    const f = inspectFile(p('pkcs1.pem'), new Date(AT))
    expect(f.keys[0]).toMatchObject({keyType: 'rsa-2048', format: 'pkcs1'})
    expect(f.keys[0].warnings).toHaveLength(1)
  })

  it('a credential bundle: the key belongs to certificate 1', async () => {
    const f = inspectFile(p('credential.pem'), new Date(AT))
    expect(f.kind).toBe('credential-bundle')
    expect(f.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate'])
    expect(f.keys).toEqual([{keyType: 'ec-p256', format: 'pkcs8', matchesCertificate: 0, warnings: []}])
    const {human} = await inspectCli([p('credential.pem')])
    expect(human).toMatch(/private key: ec-p256 \(PKCS8\), belongs to certificate 1/)
  })

  it('no private key byte appears in the output, human or JSON', async () => {
    const files = ['svid_key.pem', 'credential.pem', 'sec1.pem', 'pkcs1.pem'].map(p)
    const {human, json} = await inspectCli(files)
    const out = `${human}\n${JSON.stringify(json)}`
    expect(json.files.map((f) => f.kind)).toEqual(['key', 'credential-bundle', 'key', 'key'])
    for (const file of files) {
      const pem = readFileSync(file, 'utf8')
      const keyPemText = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/.exec(pem)![0]
      const key = createPrivateKey(keyPemText)
      const jwk = key.export({format: 'jwk'}) as Record<string, string>
      const der = key.export({format: 'der', type: 'pkcs8'})
      const secrets = [
        ...keyPemText.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')),
        der.toString('base64'),
        der.toString('hex'),
        ...['d', 'p', 'q', 'dp', 'dq', 'qi']
          .filter((k) => jwk[k])
          .flatMap((k) => [
            jwk[k],
            Buffer.from(jwk[k], 'base64url').toString('hex'),
            Buffer.from(jwk[k], 'base64url').toString('base64'),
          ]),
      ]
      for (const s of secrets) {
        expect(out.includes(s), `a secret of ${file} is printed`).toBe(false)
        expect(out.toLowerCase().includes(s.toLowerCase().slice(0, 32)), `a secret of ${file} is printed`).toBe(false)
      }
    }
  })
})

describe('static rule checks', () => {
  it('a leaf with keyCertSign shows leaf-key-cert-sign', async () => {
    const keys = await generateKeyPair('ec-p256')
    const leaf = await buildCertificate({
      subject: 'O=bad leaf',
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 3_600_000),
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      basicConstraints: {ca: false, critical: true},
      keyUsage: {names: ['digitalSignature', 'keyCertSign'], critical: true},
      san: {uris: [ID], critical: false},
    })
    writeFileSync(p('leaf-kcs.pem'), toPem('CERTIFICATE', leaf.der))
    const f = inspectFile(p('leaf-kcs.pem'), new Date(AT))
    expect(f.certificates[0].role).toBe('leaf')
    expect(f.certificates[0].violations.map((v) => v.code)).toEqual(['leaf-key-cert-sign'])
    const r = await runCli(['inspect', p('leaf-kcs.pem'), '--at', AT])
    // a rule broken is shown, not an error of inspect itself
    expect(r.exit).toBe(0)
    expect(plain(r.stdout)).toMatch(
      /\[leaf-key-cert-sign\] leaf certificate must not have 'keyCertSign' set as key usage/,
    )
  })

  /** The warning for a URI name constraint written as a URI. */
  const MATCHES_NOTHING =
    /URI constraint "spiffe:\/\/example\.org" is written as a URI or with a path and matches nothing/

  it('a CA with URI name constraint spiffe://example.org (library-built) warns that it matches nothing', async () => {
    const keys = await generateKeyPair('ec-p256')
    const ca = await buildCertificate({
      subject: 'O=constrained CA',
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 86_400_000),
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      basicConstraints: {ca: true, critical: true},
      keyUsage: {names: ['keyCertSign', 'cRLSign'], critical: true},
      san: {uris: ['spiffe://example.org'], critical: false},
      nameConstraints: {permitted: [{type: 'uri', value: 'spiffe://example.org'}], critical: true},
    })
    writeFileSync(p('nc-ca.pem'), toPem('CERTIFICATE', ca.der))
    const f = inspectFile(p('nc-ca.pem'), new Date(AT))
    const c = f.certificates[0]
    expect(c.role).toBe('root')
    expect(c.nameConstraints).toEqual({permitted: ['uri:spiffe://example.org'], excluded: []})
    expect(c.violations).toEqual([])
    expect(
      c.warnings.some((w) => MATCHES_NOTHING.test(w)),
      JSON.stringify(c.warnings),
    ).toBe(true)
    const {human} = await inspectCli([p('nc-ca.pem')])
    expect(human).toMatch(MATCHES_NOTHING)
    expect(human).toMatch(/use the bare trust-domain name/)
  })

  it.skipIf(!hasOpenssl)('the same CA made by openssl req -x509 -addext nameConstraints warns too', () => {
    const r = run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      p('nc-openssl.key'),
      '-out',
      p('nc-openssl.pem'),
      '-subj',
      '/O=openssl constrained CA',
      '-days',
      '3650',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectAltName=URI:spiffe://example.org',
      '-addext',
      'nameConstraints=critical,permitted;URI:spiffe://example.org',
    ])
    expect(r.status, r.stderr).toBe(0)
    const c = inspectFile(p('nc-openssl.pem'), new Date()).certificates[0]
    expect(c.extensions.find((e) => e.name === 'nameConstraints')?.critical).toBe(true)
    expect(c.warnings.some((w) => MATCHES_NOTHING.test(w))).toBe(true)
  })
})

describe('bundle convert', () => {
  const ders = (file: string) =>
    readCertificates(readFileSync(file), file).map((c) => Buffer.from(c.der).toString('base64'))

  it('PEM → JWKS → PEM keeps the same certificates', async () => {
    const a = await runCli([
      'bundle',
      'convert',
      `example.org=${p('ca-example/bundle.pem')}`,
      '--to',
      'jwks',
      '--out',
      p('rt.json'),
    ])
    expect(a.exit, a.stderr).toBe(0)
    const jwks = JSON.parse(readFileSync(p('rt.json'), 'utf8')) as {
      keys: {use: string; x5c: string[]; kid?: string}[]
      spiffe_sequence: number
    }
    expect(jwks.keys.map((k) => [k.use, k.x5c.length, k.kid])).toEqual([['x509-svid', 1, undefined]])
    expect(jwks.keys.map((k) => k.x5c[0])).toEqual(ders(p('ca-example/bundle.pem')))
    const b = await runCli(['bundle', 'convert', p('rt.json'), '--to', 'pem', '--out', p('rt.pem')])
    expect(b.exit, b.stderr).toBe(0)
    expect(ders(p('rt.pem'))).toEqual(ders(p('ca-example/bundle.pem')))
    expect(readFileSync(p('rt.pem'), 'utf8')).toBe(readFileSync(p('ca-example/bundle.pem'), 'utf8'))
  })

  it('to stdout: --to pem prints the PEM bundle', async () => {
    const r = await runCli(['bundle', 'convert', p('ca-example/bundle.spiffe.json'), '--to', 'pem'])
    expect(r.exit, r.stderr).toBe(0)
    expect(r.stdout).toBe(readFileSync(p('ca-example/bundle.pem'), 'utf8'))
  })

  it('two labelled bundles --to map give both trust domains', async () => {
    const r = await runCli([
      'bundle',
      'convert',
      `example.org=${p('ca-example/bundle.pem')}`,
      `partner.test=${p('ca-partner/bundle.pem')}`,
      '--to',
      'map',
    ])
    expect(r.exit, r.stderr).toBe(0)
    const map = JSON.parse(r.stdout) as {trust_domains: Record<string, {keys: {x5c: string[]}[]}>}
    expect(Object.keys(map.trust_domains).sort()).toEqual(['example.org', 'partner.test'])
    expect(map.trust_domains['example.org'].keys.map((k) => k.x5c[0])).toEqual(ders(p('ca-example/bundle.pem')))
    expect(map.trust_domains['partner.test'].keys.map((k) => k.x5c[0])).toEqual(ders(p('ca-partner/bundle.pem')))
  })

  it('--to pem with two trust domains and no --trust-domain exits 2, human and --json', async () => {
    const args = [
      'bundle',
      'convert',
      `example.org=${p('ca-example/bundle.pem')}`,
      `partner.test=${p('ca-partner/bundle.pem')}`,
      '--to',
      'pem',
    ]
    const h = await runCli(args)
    expect(h.exit).toBe(2)
    expect(h.stdout).toBe('')
    expect(plain(h.stderr)).toMatch(/^error \[usage\]: the inputs hold several trust domains/)
    expect(h.stderr).not.toMatch(STACK_LINE)
    const j = await runCli([...args, '--json'])
    expect(j.exit).toBe(2)
    expect((jsonOf(j.stdout) as {error: {code: string}}).error.code).toBe('usage')
    const picked = await runCli([...args, '--trust-domain', 'partner.test'])
    expect(picked.exit, picked.stderr).toBe(0)
    expect(picked.stdout).toBe(readFileSync(p('ca-partner/bundle.pem'), 'utf8'))
  })

  it('refuses a leaf (non-CA) as an authority: exit 3 bundle-invalid, unless --allow-non-ca-authorities', async () => {
    const args = ['bundle', 'convert', `example.org=${p('svid.pem')}`, '--to', 'jwks']
    const h = await runCli(args)
    expect({exit: h.exit, stdout: h.stdout}).toEqual({exit: 3, stdout: ''})
    expect(plain(h.stderr)).toMatch(
      /^error \[bundle-invalid\]: authority "spiffe:\/\/example\.org\/.*" of trust domain "example\.org" is not a CA certificate/,
    )
    expect(plain(h.stderr)).toMatch(/hint: .*--allow-non-ca-authorities/)
    const j = await runCli([...args, '--json'])
    expect({exit: j.exit, code: (jsonOf(j.stdout) as {error: {code: string}}).error.code}).toEqual({
      exit: 3,
      code: 'bundle-invalid',
    })
    const allowed = await runCli([...args, '--allow-non-ca-authorities'])
    expect(allowed.exit, allowed.stderr).toBe(0)
    expect((JSON.parse(allowed.stdout) as {keys: unknown[]}).keys.length).toBeGreaterThan(0)
  })
})

describe('inspect --format', () => {
  it('pem prints the certificates only (no key) as PEM; json equals --json; text is the default report', async () => {
    const pem = await runCli(['inspect', p('credential.pem'), '--format', 'pem'])
    expect(pem.exit, pem.stderr).toBe(0)
    expect(pem.stdout).toBe(chainPem(readCertificates(readFileSync(p('svid.pem')), 'svid.pem')))
    expect(pem.stdout).not.toMatch(/PRIVATE KEY/)
    const asJson = await runCli(['inspect', p('svid.pem'), '--format', 'json', '--at', AT])
    const viaFlag = await runCli(['inspect', p('svid.pem'), '--json', '--at', AT])
    expect(JSON.parse(asJson.stdout)).toEqual(JSON.parse(viaFlag.stdout))
    const text = await runCli(['inspect', p('svid.pem'), '--format', 'text', '--at', AT])
    const dflt = await runCli(['inspect', p('svid.pem'), '--at', AT])
    expect(text.stdout).toBe(dflt.stdout)
    const keyOnly = await runCli(['inspect', p('svid_key.pem'), '--format', 'pem'])
    expect({exit: keyOnly.exit, stdout: keyOnly.stdout}).toEqual({exit: 3, stdout: ''})
  })
})
