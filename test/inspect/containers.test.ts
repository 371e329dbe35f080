/**
 * Issue 20 item 2 (and item 13): svidkit reads its own outputs and the containers people have.
 * `inspect` and `verify` read PKCS#12 (svidkit's and OpenSSL 3's default), the Kubernetes
 * Secret manifests `issue --layout k8s-secret` writes (one or many documents), encrypted PKCS#8
 * keys; `inspect` reads CSRs; an `issue --csr` directory verifies without a key and says so;
 * `issue --csr` warns that the CSR's subject is dropped.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {parseK8sSecrets} from '../../src/core/container/k8s-secret-read.js'
import {REPO, jsonOf, runCli} from '../helpers/cli.js'
import {hasOpenssl, OPENSSL_NEW_P256, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'

warnIfMissing('openssl', hasOpenssl)

const base = suiteTmpDir()
const p = (name: string) => join(base(), name)
const ID = 'spiffe://example.org/web'

interface Doc {
  kind: string
  certificates: {role: string; spiffeId: string | null}[]
  keys: {keyType: string; matchesCertificate: number | null}[]
  parts?: Doc[]
  path: string
  csr?: {subject: string; sans: string[]; keyType: string; signature: string}
  protection?: string
}

/** `openssl pkcs12 -export` of the test SVID with the test password. */
const p12Export = (out: string, extra: string[] = []) => [
  'pkcs12',
  '-export',
  ...extra,
  ...['-in', p('svid/svid.pem'), '-inkey', p('svid/svid_key.pem'), '-passout', 'pass:correct horse', '-out', p(out)],
]

async function ok(args: string[]): Promise<unknown> {
  const r = await runCli([...args, '--json'])
  expect(r.exit, r.stdout + r.stderr).toBe(0)
  return jsonOf(r.stdout)
}

async function failure(args: string[]): Promise<{exit: number; code: string; message: string; hint: string}> {
  const r = await runCli([...args, '--json'])
  const doc = jsonOf(r.stdout) as {
    error?: {code: string; message: string; hint: string}
    errors?: {code: string; message: string; hint: string}[]
  }
  return {exit: r.exit, ...(doc.error ?? doc.errors?.[0] ?? {code: '', message: '', hint: ''})}
}

beforeAll(async () => {
  expect((await runCli(['ca', 'init', '--trust-domain', 'example.org', '--out', p('ca')])).exit).toBe(0)
  writeFileSync(p('pw'), 'correct horse\n')
  writeFileSync(p('wrong'), 'battery staple\n')
  for (const [out, extra] of [
    ['svid', []],
    ['p12', ['--format', 'pkcs12', '--p12-password-file', p('pw')]],
    ['secret', ['--layout', 'k8s-secret']],
  ] as const) {
    const r = await runCli(['issue', '--ca', p('ca'), '--spiffe-id', ID, '--out', p(out), ...extra])
    expect(r.exit, r.stderr).toBe(0)
  }
})

describe('PKCS#12', () => {
  it("inspect shows svidkit's svid.p12: the chain, and the key of certificate 1", async () => {
    const {files} = (await ok(['inspect', p('p12/svid.p12'), '--p12-password-file', p('pw')])) as {files: Doc[]}
    expect(files[0]).toMatchObject({kind: 'pkcs12', keys: [{keyType: 'ec-p256', matchesCertificate: 0}]})
    expect(files[0].certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate'])
  })

  it('verify reads the key and chain from it', async () => {
    expect(
      await ok(['verify', p('p12/svid.p12'), '--p12-password-file', p('pw'), '--bundle', p('p12/svid_bundle.pem')]),
    ).toMatchObject({
      valid: true,
      spiffeId: ID,
      checks: expect.arrayContaining([expect.objectContaining({name: 'key-match', status: 'pass'})]),
    })
  })

  it('a wrong password is key-invalid (exit 3), a missing one asks for the flag (exit 3, no terminal here)', async () => {
    expect(await failure(['inspect', p('p12/svid.p12'), '--p12-password-file', p('wrong')])).toMatchObject({
      exit: 3,
      code: 'key-invalid',
      message: `wrong password for PKCS#12 "${p('p12/svid.p12')}" (its MAC does not verify)`,
    })
    const f = await failure(['verify', p('p12/svid.p12'), '--bundle', p('p12/svid_bundle.pem')])
    expect(f).toMatchObject({
      exit: 3,
      code: 'key-invalid',
      message: `"${p('p12/svid.p12')}" is a password-protected PKCS#12 file, and no password was given`,
    })
    expect(f.hint).toContain('--p12-password-file FILE')
  })

  it('on a terminal, a missing password is asked for (once)', () => {
    // script(1) runs the command on a pseudo-terminal fed from our stdin.
    const cmd = (pw: string) =>
      spawnSync(
        'script',
        ['-qec', `${process.execPath} ${join(REPO, 'bin/run.js')} inspect ${p('p12/svid.p12')}`, '/dev/null'],
        {
          input: `${pw}\n`,
          encoding: 'utf8',
          timeout: 30_000,
          env: {...process.env, NO_COLOR: '1'},
        },
      )
    const good = cmd('correct horse')
    expect(good.stdout).toContain('PKCS#12 password: ')
    expect(good.stdout).toMatch(/svid\.p12 {2}\(pkcs12\)/)
    expect(good.status).toBe(0)
    const bad = cmd('battery staple')
    expect(bad.stdout).toContain('error [key-invalid]: wrong password for PKCS#12')
    expect(bad.status).toBe(3)
  })

  it.skipIf(!hasOpenssl)(
    'reads what openssl pkcs12 -export writes by default (certificates encrypted with PBES2)',
    async () => {
      const made = run('openssl', p12Export('o.p12'))
      expect(made.status, made.stderr).toBe(0)
      const {files} = (await ok(['inspect', p('o.p12'), '--p12-password-file', p('pw')])) as {files: Doc[]}
      expect(files[0].protection).toMatch(/^certificates encrypted \(PBES2 aes-256-cbc/)
      expect(
        await ok(['verify', p('o.p12'), '--p12-password-file', p('pw'), '--bundle', p('svid/svid_bundle.pem')]),
      ).toMatchObject({valid: true})
    },
  )

  it.skipIf(!hasOpenssl)('a legacy (3DES) PKCS#12 is refused with the command that converts it', async () => {
    const made = run(
      'openssl',
      p12Export('legacy.p12', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']),
    )
    expect(made.status, made.stderr).toBe(0)
    const f = await failure(['inspect', p('legacy.p12'), '--p12-password-file', p('pw')])
    expect(f).toMatchObject({exit: 3, code: 'pem-invalid'})
    expect(f.message).toMatch(/uses a legacy encryption/)
    expect(f.hint).toMatch(/^convert it: openssl pkcs12 -legacy/)
  })
})

describe('Kubernetes Secret manifests', () => {
  it('inspect shows each entry of the Secret issue wrote', async () => {
    const {files} = (await ok(['inspect', p('secret/secret.yaml')])) as {files: Doc[]}
    expect(files[0].kind).toBe('k8s-secret')
    expect(files[0].parts?.map((x) => [x.path.replace(`${p('secret/secret.yaml')}: `, ''), x.kind])).toEqual([
      ['svid-web tls.crt', 'chain'],
      ['svid-web tls.key', 'key'],
      ['svid-web ca.crt', 'certificate'],
    ])
  })

  it('verify takes chain, key and bundle from it', async () => {
    expect(await ok(['verify', p('secret/secret.yaml'), '--expect-id', ID])).toMatchObject({valid: true, spiffeId: ID})
  })

  it('several documents: inspect shows all, verify asks which one and --secret-name picks it', async () => {
    const one = readFileSync(p('secret/secret.yaml'), 'utf8')
    writeFileSync(p('two.yaml'), `# two SVIDs\n${one}---\n${one.replace('name: svid-web', 'name: other')}`)
    const {files} = (await ok(['inspect', p('two.yaml')])) as {files: Doc[]}
    expect(files[0].parts).toHaveLength(6)
    expect(await failure(['verify', p('two.yaml')])).toMatchObject({
      exit: 2,
      message: `"${p('two.yaml')}" holds 2 Secrets ("svid-web", "other"): choose one with --secret-name`,
    })
    expect(await ok(['verify', p('two.yaml'), '--secret-name', 'other'])).toMatchObject({valid: true})
  })

  it('the reader takes kubectl-style output and refuses what it cannot read, naming the line', () => {
    const kubectl = [
      'apiVersion: v1',
      'data:',
      '  ca.crt: "YQ=="',
      '  tls.crt: Yg==  # chain',
      'kind: Secret',
      'metadata:',
      '  annotations:',
      '    name: not-this-one',
      '  name: web',
      '  namespace: default',
      'type: kubernetes.io/tls',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: skipped',
    ].join('\n')
    expect(parseK8sSecrets(kubectl, 'k.yaml')).toEqual([
      {name: 'web', document: 1, data: {'ca.crt': Buffer.from('a'), 'tls.crt': Buffer.from('b')}},
    ])
    expect(() => parseK8sSecrets('apiVersion: v1\nkind: Secret\ndata: {tls.crt: Yg==}\n', 's.yaml')).toThrow(
      'cannot read the Kubernetes Secret in "s.yaml" line 3: "data" in flow style',
    )
    expect(() => parseK8sSecrets('apiVersion: v1\nkind: Secret\ndata:\n  tls.crt: not base64!\n', 's.yaml')).toThrow(
      'line 4: "tls.crt" is not base64',
    )
    expect(() => parseK8sSecrets('apiVersion: v1\nkind: ConfigMap\n', 's.yaml')).toThrow(
      'no Kubernetes Secret in "s.yaml"',
    )
  })
})

describe('CSRs and encrypted keys', () => {
  beforeAll(() => {
    if (!hasOpenssl) return
    const r = run('openssl', [
      'req',
      '-new',
      ...OPENSSL_NEW_P256,
      '-keyout',
      p('csr.key'),
      '-subj',
      '/CN=web/O=acme',
      '-addext',
      'subjectAltName=DNS:web.example.org',
      '-out',
      p('web.csr'),
    ])
    expect(r.status, r.stderr).toBe(0)
  })

  it.skipIf(!hasOpenssl)('inspect shows what a CSR asks for, and whether its signature holds', async () => {
    const {files} = (await ok(['inspect', p('web.csr')])) as {files: Doc[]}
    expect(files[0]).toMatchObject({
      kind: 'csr',
      csr: {subject: 'CN=web, O=acme', sans: ['dns:web.example.org'], keyType: 'ec-p256', signature: 'valid'},
    })
    // One byte of the signed part changed: the signature no longer verifies.
    const der = Buffer.from(
      readFileSync(p('web.csr'), 'utf8')
        .replace(/-----[^-]+-----/g, '')
        .replace(/\s/g, ''),
      'base64',
    )
    const at = der.indexOf(Buffer.from('acme'))
    der[at] ^= 0x20
    writeFileSync(
      p('bad.csr'),
      `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`,
    )
    const bad = (await ok(['inspect', p('bad.csr')])) as {files: Doc[]}
    expect(bad.files[0].csr?.signature).toBe('invalid')
    // The same CSR in DER.
    der[at] ^= 0x20
    writeFileSync(p('web.der'), der)
    expect(((await ok(['inspect', p('web.der')])) as {files: Doc[]}).files[0]).toMatchObject({
      kind: 'csr',
      csr: {signature: 'valid'},
    })
  })

  it.skipIf(!hasOpenssl)(
    'issue --csr warns that the subject is dropped; its directory verifies without a key, saying so',
    async () => {
      const r = await runCli([
        'issue',
        '--ca',
        p('ca'),
        '--spiffe-id',
        ID,
        '--csr',
        p('web.csr'),
        '--out',
        p('from-csr'),
      ])
      expect(r.exit, r.stderr).toBe(0)
      expect(r.stderr).toContain(
        `warning: the subject of CSR "${p('web.csr')}" ("CN=web, O=acme") is ignored: the leaf subject comes from --subject (default O=svidkit)`,
      )
      const doc = (await ok(['verify', '--dir', p('from-csr')])) as {
        valid: boolean
        warnings: string[]
        checks: {name: string; status: string}[]
      }
      expect(doc.valid).toBe(true)
      expect(doc.warnings).toContain(
        `no key file "${p('from-csr/svid_key.pem')}" (an issue --csr directory?): verified without the key check`,
      )
      expect(doc.checks.find((c) => c.name === 'key-match')?.status).toBe('skip')
    },
  )

  it.skipIf(!hasOpenssl)('an encrypted PKCS#8 key is read with --key-password-file', async () => {
    const r = run('openssl', [
      'pkcs8',
      '-topk8',
      '-in',
      p('svid/svid_key.pem'),
      '-passout',
      'pass:correct horse',
      '-out',
      p('enc.pem'),
    ])
    expect(r.status, r.stderr).toBe(0)
    const args = ['verify', p('svid/svid.pem'), '--key', p('enc.pem'), '--bundle', p('svid/svid_bundle.pem')]
    expect(await ok([...args, '--key-password-file', p('pw')])).toMatchObject({valid: true})
    expect(await failure([...args, '--key-password-file', p('wrong')])).toMatchObject({exit: 3, code: 'key-invalid'})
    expect(await failure(args)).toMatchObject({exit: 3, code: 'key-invalid'})
    const {files} = (await ok(['inspect', p('enc.pem'), '--key-password-file', p('pw')])) as {files: Doc[]}
    expect(files[0]).toMatchObject({kind: 'key', keys: [{keyType: 'ec-p256'}]})
  })
})
