/**
 * Issue 20 item 3: `ca import` turns a CA made by openssl into a svidkit CA directory after
 * checking it can sign SVIDs (and refuses broken ones, saying why); `SVIDKIT_CA` names the
 * default CA directory; `issue --ip` adds IP SANs (openssl shows them) and `--dns` refuses IP
 * literals.
 */
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {jsonOf, runCli} from '../helpers/cli.js'
import {hasOpenssl, OPENSSL_NEW_P256, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'

warnIfMissing('openssl', hasOpenssl)

const base = suiteTmpDir()
const p = (name: string) => join(base(), name)

/** Makes a self-signed CA with `openssl req -x509` and the given extensions. */
function opensslCa(name: string, exts: string[], extra: string[] = []): void {
  const r = run('openssl', [
    'req',
    '-x509',
    ...OPENSSL_NEW_P256,
    '-keyout',
    p(`${name}.key`),
    '-out',
    p(`${name}.pem`),
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    ...exts.flatMap((e) => ['-addext', e]),
    ...extra,
  ])
  expect(r.status, r.stderr).toBe(0)
}

async function failure(args: string[]): Promise<{exit: number; code: string; message: string; hint: string}> {
  const r = await runCli([...args, '--json'])
  const {error} = jsonOf(r.stdout) as {error: {code: string; message: string; hint: string}}
  return {exit: r.exit, ...error}
}

describe.skipIf(!hasOpenssl)('ca import of an openssl CA', () => {
  beforeAll(() => {
    opensslCa('good', [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      'nameConstraints=critical,permitted;URI:example.net',
    ])
    opensslCa('plain', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'])
    opensslCa('no-cert-sign', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature'])
    opensslCa('not-ca', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,keyCertSign'])
    // An intermediate signed by "plain", with only its own key imported.
    const csr = run('openssl', [
      'req',
      '-new',
      ...OPENSSL_NEW_P256,
      '-keyout',
      p('int.key'),
      '-subj',
      '/CN=int',
      '-out',
      p('int.csr'),
    ])
    expect(csr.status, csr.stderr).toBe(0)
    const ext = join(base(), 'int.ext')
    run('sh', [
      '-c',
      `printf 'basicConstraints=critical,CA:TRUE,pathlen:0\\nkeyUsage=critical,keyCertSign\\nsubjectAltName=URI:spiffe://example.com\\n' > ${ext}`,
    ])
    const signed = run('openssl', [
      'x509',
      '-req',
      '-in',
      p('int.csr'),
      '-CA',
      p('plain.pem'),
      '-CAkey',
      p('plain.key'),
      '-days',
      '20',
      '-extfile',
      ext,
      '-out',
      p('int.pem'),
    ])
    expect(signed.status, signed.stderr).toBe(0)
  })

  it('imports a root with a URI name constraint: the trust domain comes from it, and SVIDs verify with openssl', async () => {
    const r = await runCli([
      'ca',
      'import',
      '--cert',
      p('good.pem'),
      '--key',
      p('good.key'),
      '--out',
      p('ca-good'),
      '--json',
    ])
    expect(r.exit, r.stdout).toBe(0)
    expect(jsonOf(r.stdout)).toMatchObject({trustDomain: 'example.net', limits: expect.any(Array)})
    expect(statSync(p('ca-good/root-key.pem')).mode & 0o777).toBe(0o600)
    const issued = await runCli([
      'issue',
      '--ca',
      p('ca-good'),
      '--spiffe-id',
      'spiffe://example.net/web',
      '--out',
      p('svid-good'),
    ])
    expect(issued.exit, issued.stderr).toBe(0)
    expect(run('openssl', ['verify', '-CAfile', p('ca-good/bundle.pem'), p('svid-good/svid.pem')]).status).toBe(0)
    expect((await runCli(['verify', '--dir', p('svid-good')])).exit).toBe(0)
  })

  it('imports an intermediate with --chain: only its key is copied, and the limits say what that means', async () => {
    const r = await runCli([
      'ca',
      'import',
      '--cert',
      p('int.pem'),
      '--key',
      p('int.key'),
      '--chain',
      p('plain.pem'),
      '--out',
      p('ca-int'),
      '--json',
    ])
    expect(r.exit, r.stdout).toBe(0)
    const doc = jsonOf(r.stdout) as {trustDomain: string; limits: string[]}
    expect(doc.trustDomain).toBe('example.com') // from the intermediate's spiffe:// SAN
    expect(doc.limits).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^only the signing CA key is imported/),
        expect.stringMatching(/^no URI name constraint/),
      ]),
    )
    expect(readdirSync(p('ca-int')).sort()).toEqual([
      'bundle.pem',
      'bundle.spiffe.json',
      'ca.json',
      'intermediate-1-key.pem',
      'intermediate-1.pem',
      'root.pem',
    ])
    const issued = await runCli([
      'issue',
      '--ca',
      p('ca-int'),
      '--spiffe-id',
      'spiffe://example.com/api',
      '--out',
      p('svid-int'),
    ])
    expect(issued.exit, issued.stderr).toBe(0)
    expect((await runCli(['verify', '--dir', p('svid-int')])).exit).toBe(0)
  })

  it.each([
    [
      'a CA without keyCertSign',
      ['--cert', 'no-cert-sign.pem', '--key', 'no-cert-sign.key', '--trust-domain', 'example.org'],
      'ca-invalid',
      /lacks keyCertSign/,
    ],
    [
      'a certificate with CA:FALSE',
      ['--cert', 'not-ca.pem', '--key', 'not-ca.key', '--trust-domain', 'example.org'],
      'ca-invalid',
      /is not a CA/,
    ],
    ['a key of another CA', ['--cert', 'good.pem', '--key', 'plain.key'], 'key-mismatch', /does not belong to/],
    [
      'a trust domain its name constraints exclude',
      ['--cert', 'good.pem', '--key', 'good.key', '--trust-domain', 'example.org'],
      'ca-invalid',
      /exclude the trust domain "example.org"/,
    ],
    [
      'an intermediate without its root',
      ['--cert', 'int.pem', '--key', 'int.key'],
      'ca-invalid',
      /whose certificate was not given/,
    ],
  ])('refuses %s, and writes nothing', async (_name, args, code, message) => {
    const out = p(`refused-${code}-${String(message).length}`)
    const f = await failure([
      'ca',
      'import',
      ...args.map((a) => (a.includes('.') && !a.startsWith('example') ? p(a) : a)),
      '--out',
      out,
    ])
    expect(f).toMatchObject({exit: 3, code})
    expect(f.message).toMatch(message)
    expect(existsSync(out)).toBe(false)
  })

  it('without a trust domain to find, asks for --trust-domain (exit 2)', async () => {
    expect(
      await failure(['ca', 'import', '--cert', p('plain.pem'), '--key', p('plain.key'), '--out', p('ca-plain')]),
    ).toMatchObject({
      exit: 2,
      hint: 'give it with --trust-domain example.org',
    })
  })

  it('SVIDKIT_CA is the default --ca (and ca import --out)', async () => {
    const saved = process.env.SVIDKIT_CA
    process.env.SVIDKIT_CA = p('ca-env')
    try {
      expect(
        (
          await runCli([
            'ca',
            'import',
            '--cert',
            p('plain.pem'),
            '--key',
            p('plain.key'),
            '--trust-domain',
            'example.org',
          ])
        ).exit,
      ).toBe(0)
      const r = await runCli(['issue', '--spiffe-id', 'spiffe://example.org/env', '--out', p('svid-env')])
      expect(r.exit, r.stderr).toBe(0)
      expect(run('openssl', ['verify', '-CAfile', p('ca-env/bundle.pem'), p('svid-env/svid.pem')]).status).toBe(0)
    } finally {
      if (saved === undefined) delete process.env.SVIDKIT_CA
      else process.env.SVIDKIT_CA = saved
    }
  })
})

describe.skipIf(!hasOpenssl)('issue --ip', () => {
  const ca = () => p('ip-ca')
  beforeAll(async () => {
    expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', ca()])).exit).toBe(0)
  })

  it('adds IPv4 and IPv6 SANs that openssl x509 -text shows', async () => {
    const out = p('ip-svid')
    const r = await runCli([
      'issue',
      '--ca',
      ca(),
      '--spiffe-id',
      'spiffe://example.org/web',
      '--out',
      out,
      '--ip',
      '127.0.0.1',
      '--ip',
      '2001:db8::1',
      '--dns',
      'web.test',
    ])
    expect(r.exit, r.stderr).toBe(0)
    const text = run('openssl', ['x509', '-in', join(out, 'svid.pem'), '-noout', '-text']).stdout
    expect(text).toContain(
      'URI:spiffe://example.org/web, DNS:web.test, IP Address:127.0.0.1, IP Address:2001:DB8:0:0:0:0:0:1',
    )
    const {files} = jsonOf((await runCli(['inspect', join(out, 'svid.pem'), '--json'])).stdout) as {
      files: {certificates: {spiffeId: string}[]}[]
    }
    expect(files[0].certificates[0].spiffeId).toBe('spiffe://example.org/web')
    expect((await runCli(['verify', '--dir', out])).exit).toBe(0)
  })

  it.each([
    [
      ['--dns', '127.0.0.1'],
      '--dns "127.0.0.1" is an IP address, not a DNS name',
      'give it as an IP SAN: --ip 127.0.0.1',
    ],
    [['--dns', '::1'], '--dns "::1" is an IP address, not a DNS name', 'give it as an IP SAN: --ip ::1'],
    [
      ['--ip', 'localhost'],
      'invalid IP address "localhost"',
      'an IP SAN is an IPv4 (127.0.0.1) or IPv6 (::1) address literal; host names go in --dns',
    ],
  ])('%j: exit 2', async (args, message, hint) => {
    expect(
      await failure(['issue', '--ca', ca(), '--spiffe-id', 'spiffe://example.org/web', '--out', p('never'), ...args]),
    ).toEqual({
      exit: 2,
      code: 'usage',
      message,
      hint,
    })
    expect(existsSync(p('never'))).toBe(false)
  })
})
