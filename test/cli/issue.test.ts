/**
 * `svidkit issue` through oclif, in-process: exit and reason codes of every bad input in
 * human and JSON mode (cli-contract.md), then what a successful run writes: layouts,
 * file-name overrides, --count, --dns, --csr and key file modes.
 */
import {X509Certificate, createPrivateKey, createPublicKey} from 'node:crypto'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {fixedClock, initCa, readCertificates, type IssueResult} from '../../src/index.js'
import {expectFailure, jsonOf, runCli, type FailureCase} from '../helpers/cli.js'
import {certBlocks, pemBlocks} from '../helpers/pem.js'
import {hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir, tmpDir} from '../helpers/tmp.js'

warnIfMissing('openssl', hasOpenssl)

const ID = 'spiffe://example.org/web'
const base = suiteTmpDir()
/** A good CA (1 intermediate), another CA, an expired CA, a CA whose intermediate lives 2 h, and a CSR. */
const at = {
  ca: () => join(base(), 'ca'),
  other: () => join(base(), 'other'),
  expired: () => join(base(), 'expired'),
  short: () => join(base(), 'short'),
  csr: () => join(base(), 'r.csr'),
  csrKey: () => join(base(), 'k.pem'),
}

beforeAll(async () => {
  await initCa({trustDomain: 'example.org', out: at.ca()})
  await initCa({trustDomain: 'example.org', out: at.other()})
  // Made 2020-01-01T00:00:00Z with a one-hour root: long expired.
  await initCa({
    trustDomain: 'example.org',
    out: at.expired(),
    ttlMs: 3_600_000,
    clock: fixedClock(new Date('2020-01-01T00:00:00Z')),
  })
  await initCa({trustDomain: 'example.org', out: at.short(), intermediateTtlMs: 2 * 3_600_000})
  if (hasOpenssl) {
    const r = run('openssl', [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=x',
      '-addext',
      'subjectAltName=DNS:ignored.example',
      '-keyout',
      at.csrKey(),
      '-out',
      at.csr(),
    ])
    expect(r.status).toBe(0)
  }
})

/** A bad-input row; `mutate` breaks a copy of the good CA, which then becomes --ca. */
type BadCase = FailureCase & {mutate?: (ca: string) => void; needsCsr?: boolean; message?: RegExp}

const metadata = (ca: string) => JSON.parse(readFileSync(join(ca, 'ca.json'), 'utf8')) as Record<string, unknown>
const writeMetadata = (ca: string, m: unknown) => writeFileSync(join(ca, 'ca.json'), JSON.stringify(m))

/** `<tmp>`, `<other>`, `<expired>` and `<csr>` in arguments are replaced by their paths. */
const bad: BadCase[] = [
  {
    name: 'uppercase trust domain in the ID',
    args: ['--spiffe-id', 'spiffe://Example.org/x'],
    exit: 2,
    code: 'spiffe-id-invalid',
  },
  {
    name: 'ID with a trailing slash',
    args: ['--spiffe-id', 'spiffe://example.org/x/'],
    exit: 2,
    code: 'spiffe-id-invalid',
  },
  {
    name: 'ID with a dot segment',
    args: ['--spiffe-id', 'spiffe://example.org/a/../b'],
    exit: 2,
    code: 'spiffe-id-invalid',
  },
  {name: 'https URI as ID', args: ['--spiffe-id', 'https://example.org/x'], exit: 2, code: 'spiffe-id-invalid'},
  {name: 'root-path ID', args: ['--spiffe-id', 'spiffe://example.org'], exit: 2, code: 'usage'},
  {name: 'ID in another trust domain', args: ['--spiffe-id', 'spiffe://other.org/x'], exit: 2, code: 'usage'},
  {name: 'no --spiffe-id', args: ['--spiffe-id', '<none>'], exit: 2, code: 'usage'},
  {name: 'missing CA directory', args: ['--ca', '<tmp>/nope'], exit: 3, code: 'file-not-found'},
  {
    name: 'CA directory without ca.json',
    args: [],
    exit: 3,
    code: 'file-not-found',
    mutate: (ca) => rmSync(join(ca, 'ca.json')),
  },
  {
    name: 'corrupt ca.json',
    args: [],
    exit: 3,
    code: 'ca-invalid',
    mutate: (ca) => writeFileSync(join(ca, 'ca.json'), '{"version": 1,'),
  },
  {
    name: 'ca.json without roots',
    args: [],
    exit: 3,
    code: 'ca-invalid',
    mutate: (ca) => writeMetadata(ca, {...metadata(ca), roots: []}),
  },
  {
    name: 'ca.json naming a file outside the directory',
    args: [],
    exit: 3,
    code: 'ca-invalid',
    mutate: (ca) => writeMetadata(ca, {...metadata(ca), roots: [{cert: '../other/root.pem', key: 'root-key.pem'}]}),
  },
  {
    name: 'ca.json with an invalid trust domain',
    args: [],
    exit: 3,
    code: 'ca-invalid',
    mutate: (ca) => writeMetadata(ca, {...metadata(ca), trustDomain: 'Example.org'}),
  },
  {
    name: 'truncated root.pem',
    args: [],
    exit: 3,
    code: 'pem-invalid',
    mutate: (ca) => truncateSync(join(ca, 'root.pem'), 300),
  },
  {
    name: 'empty intermediate certificate',
    args: [],
    exit: 3,
    code: 'pem-invalid',
    mutate: (ca) => writeFileSync(join(ca, 'intermediate-1.pem'), ''),
  },
  {
    name: 'garbage key file',
    args: [],
    exit: 3,
    code: 'key-invalid',
    mutate: (ca) => writeFileSync(join(ca, 'intermediate-1-key.pem'), 'garbage\n'),
  },
  {
    name: 'missing key file',
    args: [],
    exit: 3,
    code: 'file-not-found',
    mutate: (ca) => rmSync(join(ca, 'intermediate-1-key.pem')),
  },
  {
    name: "key swapped with another CA's key",
    args: [],
    exit: 3,
    code: 'key-mismatch',
    mutate: (ca) => cpSync(join(ca, '..', 'other-ca', 'intermediate-1-key.pem'), join(ca, 'intermediate-1-key.pem')),
  },
  {name: 'expired CA', args: ['--ca', '<expired>'], exit: 3, code: 'ca-expired'},
  {name: 'unknown key type', args: ['--key-type', 'ec-p521'], exit: 2, code: 'usage'},
  {name: 'TTL in days', args: ['--ttl', '5days'], exit: 2, code: 'usage'},
  {name: 'zero TTL', args: ['--ttl', '0'], exit: 2, code: 'usage'},
  {
    name: 'negative TTL',
    args: ['--ttl', '-1h'],
    exit: 2,
    code: 'usage',
    message: /--ttl "-1h" is negative: a lifetime must be positive/,
  },
  {name: 'notAfter not a time', args: ['--not-after', 'yesterday'], exit: 2, code: 'usage'},
  {name: 'notAfter before notBefore', args: ['--not-before', '+2h', '--not-after', '+1h'], exit: 2, code: 'usage'},
  {name: 'unknown layout', args: ['--layout', 'pem'], exit: 2, code: 'usage'},
  {name: 'file name with a slash', args: ['--cert-file', 'a/b.pem'], exit: 2, code: 'usage'},
  {name: 'key file named like the chain file', args: ['--key-file', 'svid.pem'], exit: 2, code: 'usage'},
  {name: 'keyEncipherment on an EC key', args: ['--key-encipherment'], exit: 2, code: 'usage'},
  {name: 'count 0', args: ['--count', '0'], exit: 2, code: 'usage'},
  {name: 'CSR with count 2', args: ['--csr', '<csr>', '--count', '2'], exit: 2, code: 'usage', needsCsr: true},
  {name: 'missing CSR file', args: ['--csr', '<tmp>/nope.csr'], exit: 3, code: 'file-not-found'},
  {name: 'CSR that is not PEM or DER', args: ['--csr', '<tmp>/file'], exit: 3, code: 'pem-invalid'},
  {name: 'out under a regular file', args: ['--out', '<tmp>/file/x'], exit: 3, code: 'output-not-writable'},
  {
    name: 'out is a regular file',
    args: ['--out', '<tmp>/file'],
    exit: 3,
    code: 'output-not-writable',
    message: /is a file, not a directory/,
  },
  {
    name: 'CSR with --key-type',
    args: ['--csr', '<csr>', '--key-type', 'ec-p384'],
    exit: 2,
    code: 'usage',
    message: /the CSR decides the key/,
    needsCsr: true,
  },
  {
    name: 'pkcs12 without a password',
    args: ['--format', 'pkcs12'],
    exit: 2,
    code: 'usage',
    message: /needs a password/,
  },
  {
    name: 'pkcs12 password with pem format',
    args: ['--p12-password', 'x'],
    exit: 2,
    code: 'usage',
    message: /applies to --format pkcs12 only/,
  },
  {
    name: 'missing pkcs12 password file',
    args: ['--format', 'pkcs12', '--p12-password-file', '<tmp>/nope'],
    exit: 3,
    code: 'file-not-found',
  },
  {
    name: 'pkcs12 for a k8s Secret',
    args: ['--format', 'pkcs12', '--p12-password', 'x', '--layout', 'k8s-secret'],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'invalid Secret name',
    args: ['--layout', 'k8s-secret', '--secret-name', 'Web_SVID'],
    exit: 2,
    code: 'usage',
    message: /invalid Secret name "Web_SVID"/,
  },
  {name: 'Secret name without k8s-secret', args: ['--secret-name', 'web'], exit: 2, code: 'usage'},
]

/** Returns `issue` arguments: the row's, then defaults for --spiffe-id, --ca and --out it does not set. */
function argsFor(row: BadCase, tmp: string, ca: string): string[] {
  const sub = (a: string) =>
    a
      .replaceAll('<tmp>', tmp)
      .replaceAll('<other>', at.other())
      .replaceAll('<expired>', at.expired())
      .replaceAll('<csr>', at.csr())
  const args = row.args.map(sub)
  const has = (f: string) => args.includes(f)
  const noId = args[0] === '--spiffe-id' && args[1] === '<none>'
  return [
    'issue',
    ...(noId ? args.slice(2) : args),
    ...(has('--spiffe-id') || noId ? [] : ['--spiffe-id', ID]),
    ...(has('--ca') ? [] : ['--ca', ca]),
    ...(has('--out') ? [] : ['--out', join(tmp, 'svid')]),
  ]
}

describe('issue: bad input', () => {
  for (const json of [false, true]) {
    // Rows that need a CSR from openssl run only where it exists (warned about once above).
    it.for(bad.filter((row) => !row.needsCsr || hasOpenssl))(
      `$name → exit $exit, $code${json ? ' (--json)' : ''}`,
      async (row, ctx) => {
        const tmp = tmpDir(ctx)
        writeFileSync(join(tmp, 'file'), 'not a directory\n')
        let ca = at.ca()
        if (row.mutate) {
          ca = join(tmp, 'ca')
          cpSync(at.ca(), ca, {recursive: true})
          cpSync(at.other(), join(tmp, 'other-ca'), {recursive: true})
          row.mutate(ca)
        }
        const r = await runCli([...argsFor(row, tmp, ca), ...(json ? ['--json'] : [])])
        expectFailure(r, {exit: row.exit, code: row.code, json})
        if (row.message)
          expect(json ? (jsonOf(r.stdout) as {error: {message: string}}).error.message : r.stderr).toMatch(row.message)
        // A refused run writes nothing.
        expect(existsSync(join(tmp, 'svid'))).toBe(false)
      },
    )
  }
})

/** Returns the sorted names in a directory. */
const names = (dir: string) => readdirSync(dir).sort()
const mode = (file: string) => statSync(file).mode & 0o777

/** Returns the result document(s) of a successful `issue --json` run. */
async function issueJson<T = IssueDoc>(args: string[]): Promise<{doc: T; stderr: string}> {
  const r = await runCli(['issue', ...args, '--json'])
  expect({exit: r.exit, error: r.error?.message}).toEqual({exit: 0, error: undefined})
  return {doc: jsonOf(r.stdout) as T, stderr: r.stderr}
}

/** The document `issue --json` prints: the library's IssueResult. */
type IssueDoc = IssueResult

/** Asserts that the key in `keyFile` belongs to the leaf, first certificate of `chainFile`. */
function expectKeyOfLeaf(keyFile: string, chainFile: string): void {
  const leaf = new X509Certificate(certBlocks(readFileSync(chainFile, 'utf8'))[0])
  expect(leaf.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))).toBe(true)
}

const layouts = [
  {layout: 'spiffe-helper', cert: 'svid.pem', key: 'svid_key.pem', bundle: 'svid_bundle.pem'},
  {layout: 'spire', cert: 'svid.pem', key: 'key.pem', bundle: 'bundle.pem'},
  {layout: 'k8s', cert: 'tls.crt', key: 'tls.key', bundle: 'ca.crt'},
]

describe('issue: layouts and file names', () => {
  it.for(layouts)(
    '--layout $layout writes $cert, $key (0600) and $bundle',
    async ({layout, cert, key, bundle}, ctx) => {
      const out = join(tmpDir(ctx), 'svid')
      const {doc, stderr} = await issueJson(['--spiffe-id', ID, '--ca', at.ca(), '--out', out, '--layout', layout])
      expect(stderr).toBe('')
      expect(names(out)).toEqual([cert, key, bundle].sort())
      expect(doc.files).toEqual({cert: join(out, cert), key: join(out, key), bundle: join(out, bundle)})
      expect([mode(join(out, cert)), mode(join(out, key)), mode(join(out, bundle))]).toEqual([0o644, 0o600, 0o644])
      expect(pemBlocks(readFileSync(join(out, key), 'utf8')).map((b) => b.type)).toEqual(['PRIVATE KEY'])
      expect(certBlocks(readFileSync(join(out, cert), 'utf8'))).toEqual([
        expect.any(String),
        readFileSync(join(at.ca(), 'intermediate-1.pem'), 'utf8'),
      ])
      expect(readFileSync(join(out, bundle), 'utf8')).toBe(readFileSync(join(at.ca(), 'bundle.pem'), 'utf8'))
      expectKeyOfLeaf(join(out, key), join(out, cert))
      expect(doc).toMatchObject({spiffeId: ID, keyType: 'ec-p256', warnings: []})
      expect(doc.serial).toBe(readCertificates(readFileSync(join(out, cert)), cert)[0].serial)
    },
  )

  it('--layout credential-bundle writes one 0600 file, key then chain, and bundle.pem', async (ctx) => {
    const out = join(tmpDir(ctx), 'svid')
    const {doc} = await issueJson(['--spiffe-id', ID, '--ca', at.ca(), '--out', out, '--layout', 'credential-bundle'])
    expect(names(out)).toEqual(['bundle.pem', 'credentials.pem'])
    const creds = join(out, 'credentials.pem')
    expect(doc.files).toEqual({cert: creds, key: creds, bundle: join(out, 'bundle.pem')})
    expect(mode(creds)).toBe(0o600)
    expect(pemBlocks(readFileSync(creds, 'utf8')).map((b) => b.type)).toEqual([
      'PRIVATE KEY',
      'CERTIFICATE',
      'CERTIFICATE',
    ])
    expectKeyOfLeaf(creds, creds)
  })

  it('--cert-file, --key-file and --bundle-file override the layout names', async (ctx) => {
    const out = join(tmpDir(ctx), 'svid')
    const {doc} = await issueJson([
      '--spiffe-id',
      ID,
      '--ca',
      at.ca(),
      '--out',
      out,
      '--layout',
      'k8s',
      '--cert-file',
      'chain.pem',
      '--key-file',
      'private.pem',
      '--bundle-file',
      'roots.pem',
    ])
    expect(names(out)).toEqual(['chain.pem', 'private.pem', 'roots.pem'])
    expect(doc.files).toEqual({
      cert: join(out, 'chain.pem'),
      key: join(out, 'private.pem'),
      bundle: join(out, 'roots.pem'),
    })
    expect(mode(join(out, 'private.pem'))).toBe(0o600)
    expectKeyOfLeaf(join(out, 'private.pem'), join(out, 'chain.pem'))
  })

  it('--cert-file renames the one file of a credential bundle', async (ctx) => {
    const out = join(tmpDir(ctx), 'svid')
    await issueJson([
      '--spiffe-id',
      ID,
      '--ca',
      at.ca(),
      '--out',
      out,
      '--layout',
      'credential-bundle',
      '--cert-file',
      'all.pem',
    ])
    expect(names(out)).toEqual(['all.pem', 'bundle.pem'])
    expect(mode(join(out, 'all.pem'))).toBe(0o600)
  })

  it('--force makes the key 0600 even when svid_key.pem existed with mode 0644', async (ctx) => {
    const out = join(tmpDir(ctx), 'svid')
    mkdirSync(out)
    writeFileSync(join(out, 'svid_key.pem'), 'old key\n')
    chmodSync(join(out, 'svid_key.pem'), 0o644)
    await issueJson(['--spiffe-id', ID, '--ca', at.ca(), '--out', out, '--force'])
    expect(mode(join(out, 'svid_key.pem'))).toBe(0o600)
    expectKeyOfLeaf(join(out, 'svid_key.pem'), join(out, 'svid.pem'))
    expect(names(out)).toEqual(['svid.pem', 'svid_bundle.pem', 'svid_key.pem'])
  })
})

describe('issue: options', () => {
  it('--count 3 with {n} gives 3 SVIDs with distinct IDs and serials in their own directories', async (ctx) => {
    const tmp = tmpDir(ctx)
    const {doc} = await issueJson<IssueDoc[]>([
      '--spiffe-id',
      'spiffe://example.org/worker-{n}',
      '--ca',
      at.ca(),
      '--out',
      join(tmp, 'w-{n}'),
      '--count',
      '3',
    ])
    expect(doc).toHaveLength(3)
    expect(doc.map((d) => d.spiffeId)).toEqual([1, 2, 3].map((n) => `spiffe://example.org/worker-${n}`))
    expect(new Set(doc.map((d) => d.serial)).size).toBe(3)
    expect(doc.map((d) => d.files.cert)).toEqual([1, 2, 3].map((n) => join(tmp, `w-${n}`, 'svid.pem')))
    for (const d of doc)
      expect(new X509Certificate(readFileSync(d.files.cert)).subjectAltName).toBe(`URI:${d.spiffeId}`)
  })

  it('--count 3 without {n} in --out writes <out>/1 to <out>/3; human output has one line each', async (ctx) => {
    const out = join(tmpDir(ctx), 'many')
    const r = await runCli([
      'issue',
      '--spiffe-id',
      'spiffe://example.org/w{n}',
      '--ca',
      at.ca(),
      '--out',
      out,
      '--count',
      '3',
    ])
    expect({exit: r.exit, stderr: r.stderr}).toEqual({exit: 0, stderr: ''})
    expect(names(out)).toEqual(['1', '2', '3'])
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.slice(0, 3).map((l) => l.split(' ')[0])).toEqual([
      'spiffe://example.org/w1',
      'spiffe://example.org/w2',
      'spiffe://example.org/w3',
    ])
    expect(lines[3]).toBe('issued 3 SVIDs')
  })

  it('--dns adds DNS SANs after the one URI SAN; --subject "" makes the SAN critical', async (ctx) => {
    const out = join(tmpDir(ctx), 'svid')
    await issueJson([
      '--spiffe-id',
      ID,
      '--ca',
      at.ca(),
      '--out',
      out,
      '--dns',
      'web.example',
      '--dns',
      'web2.example',
      '--subject',
      '',
    ])
    const leaf = readCertificates(readFileSync(join(out, 'svid.pem')), 'svid.pem')[0]
    expect(leaf.san).toMatchObject({uris: [ID], dns: ['web.example', 'web2.example'], critical: true})
    expect(leaf.subject).toBe('')
  })

  it('--not-after -1h writes an expired SVID and exits 0', async (ctx) => {
    const out = join(tmpDir(ctx), 'svid')
    const {doc} = await issueJson(['--spiffe-id', ID, '--ca', at.ca(), '--out', out, '--not-after=-1h'])
    expect(Date.parse(doc.notAfter)).toBeLessThan(Date.now() - 3_500_000)
    expect(Date.parse(doc.notBefore)).toBeLessThan(Date.parse(doc.notAfter))
  })

  it('warns on stderr, or in the JSON document, when the TTL is capped at the CA', async (ctx) => {
    const tmp = tmpDir(ctx)
    const human = await runCli(['issue', '--spiffe-id', ID, '--ca', at.short(), '--out', join(tmp, 'a'), '--ttl', '5h'])
    expect(human.exit).toBe(0)
    expect(human.stderr).toMatch(/^warning: notAfter capped at the issuer's notAfter \S+Z/)
    const {doc, stderr} = await issueJson([
      '--spiffe-id',
      ID,
      '--ca',
      at.short(),
      '--out',
      join(tmp, 'b'),
      '--ttl',
      '5h',
    ])
    expect(stderr).toBe('')
    expect(doc.warnings).toEqual([expect.stringContaining('capped')])
    expect(doc.notAfter).toBe(
      readCertificates(readFileSync(join(at.short(), 'intermediate-1.pem')), 'i').map((c) =>
        c.notAfter.toISOString().replace('.000Z', 'Z'),
      )[0],
    )
  })
})

describe('issue --csr', () => {
  it.skipIf(!hasOpenssl)(
    "certifies the CSR's key, writes no key file, and warns that its SANs are ignored",
    async (ctx) => {
      const tmp = tmpDir(ctx)
      const human = await runCli([
        'issue',
        '--spiffe-id',
        ID,
        '--ca',
        at.ca(),
        '--out',
        join(tmp, 'a'),
        '--csr',
        at.csr(),
      ])
      expect(human.exit).toBe(0)
      expect(human.stderr).toMatch(/^warning: the SANs in CSR .*dns:ignored\.example.*are ignored/i)
      expect(human.stdout).not.toMatch(/^ {2}key {2,}/m) // no "key <file>" line

      const out = join(tmp, 'b')
      const {doc} = await issueJson(['--spiffe-id', ID, '--ca', at.ca(), '--out', out, '--csr', at.csr()])
      expect(names(out)).toEqual(['svid.pem', 'svid_bundle.pem'])
      expect(doc.files).toEqual({cert: join(out, 'svid.pem'), bundle: join(out, 'svid_bundle.pem')})
      // The subject too is dropped, with the warning docs/design.md promises (issue 20 item 13).
      expect(doc.warnings).toEqual([
        expect.stringContaining('ignored.example'),
        expect.stringMatching(/^the subject of CSR .* is ignored/),
      ])
      // The key type of the CSR's key, named as everywhere else (cli-contract.md "Key types").
      expect(doc.keyType).toBe('ec-p256')
      const leaf = new X509Certificate(certBlocks(readFileSync(join(out, 'svid.pem'), 'utf8'))[0])
      const csrKey = createPublicKey(createPrivateKey(readFileSync(at.csrKey())))
      expect(leaf.publicKey.export({format: 'der', type: 'spki'})).toEqual(csrKey.export({format: 'der', type: 'spki'}))
      expect(leaf.checkPrivateKey(createPrivateKey(readFileSync(at.csrKey())))).toBe(true)
      expect(leaf.subjectAltName).toBe(`URI:${ID}`)
      // And as OpenSSL sees it: the CSR's public key is the certificate's.
      const fromCsr = run('openssl', ['req', '-in', at.csr(), '-pubkey', '-noout'])
      const fromCert = run('openssl', ['x509', '-in', join(out, 'svid.pem'), '-pubkey', '-noout'])
      expect(fromCsr.stdout).toBe(fromCert.stdout)
    },
  )
})

describe('issue: existing output is never overwritten silently', () => {
  const rows: {name: string; first: string[]; second: string[]; exit: number; message?: RegExp}[] = [
    {
      name: 'same layout without --force',
      first: [],
      second: [],
      exit: 3,
      message: /already holds an SVID \(svid\.pem, svid_bundle\.pem, svid_key\.pem\)/,
    },
    {
      name: 'another layout without --force',
      first: ['--layout', 'k8s'],
      second: [],
      exit: 3,
      message: /already holds an SVID \(ca\.crt, tls\.crt, tls\.key\)/,
    },
    {
      name: 'another layout with --force (never mixed)',
      first: [],
      second: ['--layout', 'spire', '--force'],
      exit: 3,
      message: /would mix two layouts/,
    },
    {
      name: 'a k8s Secret, then PEM files with --force',
      first: ['--layout', 'k8s-secret'],
      second: ['--force'],
      exit: 3,
      message: /secret\.yaml of another layout/,
    },
    {name: 'same layout with --force', first: ['--layout', 'spire'], second: ['--layout', 'spire', '--force'], exit: 0},
  ]
  it.for(rows)('$name → exit $exit', async ({first, second, exit, message}, ctx) => {
    const out = join(tmpDir(ctx), 'svid')
    expect((await runCli(['issue', '--spiffe-id', ID, '--ca', at.ca(), '--out', out, ...first])).exit).toBe(0)
    const before = Object.fromEntries(names(out).map((n) => [n, readFileSync(join(out, n), 'latin1')]))
    const r = await runCli(['issue', '--spiffe-id', `${ID}2`, '--ca', at.ca(), '--out', out, ...second])
    expect(r.exit).toBe(exit)
    if (exit !== 0) {
      expectFailure(r, {exit, code: 'output-exists', json: false})
      expect(r.stderr).toMatch(message!)
      // Nothing written: the same files with the same bytes.
      expect(Object.fromEntries(names(out).map((n) => [n, readFileSync(join(out, n), 'latin1')]))).toEqual(before)
    } else {
      expect(new X509Certificate(readFileSync(join(out, 'svid.pem'))).subjectAltName).toBe(`URI:${ID}2`)
    }
  })

  it('never writes into a CA directory, even with --force', async (ctx) => {
    const ca = join(tmpDir(ctx), 'ca')
    cpSync(at.ca(), ca, {recursive: true})
    const before = Object.fromEntries(names(ca).map((n) => [n, readFileSync(join(ca, n), 'latin1')]))
    for (const extra of [[], ['--force'], ['--layout', 'spire', '--force']]) {
      const r = await runCli(['issue', '--spiffe-id', ID, '--ca', ca, '--out', ca, ...extra, '--json'])
      expectFailure(r, {exit: 3, code: 'output-exists', json: true})
      expect((jsonOf(r.stdout) as {error: {message: string}}).error.message).toMatch(
        /is a CA directory \(it holds ca\.json\)/,
      )
    }
    expect(Object.fromEntries(names(ca).map((n) => [n, readFileSync(join(ca, n), 'latin1')]))).toEqual(before)
  })

  it('--count checks every directory before writing any', async (ctx) => {
    const tmp = tmpDir(ctx)
    expect((await runCli(['issue', '--spiffe-id', ID, '--ca', at.ca(), '--out', join(tmp, 'w-3')])).exit).toBe(0)
    const r = await runCli(['issue', '--spiffe-id', ID, '--ca', at.ca(), '--out', join(tmp, 'w-{n}'), '--count', '4'])
    expectFailure(r, {exit: 3, code: 'output-exists', json: false})
    expect(names(tmp)).toEqual(['w-3'])
  })
})

describe('issue: offline root, defects, streaming', () => {
  it('issues with only root.pem present (the intermediate signs); the chain verifies with openssl', async (ctx) => {
    const tmp = tmpDir(ctx)
    const ca = join(tmp, 'ca')
    cpSync(at.ca(), ca, {recursive: true})
    rmSync(join(ca, 'root-key.pem'))
    const out = join(tmp, 'svid')
    await issueJson(['--spiffe-id', ID, '--ca', ca, '--out', out])
    expectKeyOfLeaf(join(out, 'svid_key.pem'), join(out, 'svid.pem'))
    if (hasOpenssl) {
      const [leaf, ...rest] = certBlocks(readFileSync(join(out, 'svid.pem'), 'utf8'))
      writeFileSync(join(tmp, 'leaf.pem'), leaf)
      writeFileSync(join(tmp, 'untrusted.pem'), rest.join(''))
      const v = run('openssl', [
        'verify',
        '-x509_strict',
        '-CAfile',
        join(ca, 'root.pem'),
        '-untrusted',
        join(tmp, 'untrusted.pem'),
        join(tmp, 'leaf.pem'),
      ])
      expect(v.stdout.trim()).toBe(`${join(tmp, 'leaf.pem')}: OK`)
    }
  })

  it.for(['expired', 'missing-intermediate'])(
    '--defect %s: human output says the SVID is deliberately broken and which rule',
    async (name, ctx) => {
      const r = await runCli([
        'issue',
        '--spiffe-id',
        ID,
        '--ca',
        at.ca(),
        '--out',
        join(tmpDir(ctx), 'svid'),
        '--defect',
        name,
      ])
      expect(r.exit).toBe(0)
      const d = (await import('../../src/index.js')).DEFECTS.find((x) => x.name === name)!
      expect(r.stdout.split('\n')[0]).toMatch(/^DELIBERATELY BROKEN SVID .*never deploy it$/)
      expect(r.stdout).toContain(`breaks     ${d.rule}`)
      expect(r.stdout).toContain(`rejects it with ${d.code}`)
    },
  )

  it('--count --json prints one JSON array, element by element; every SVID is written and 0600', async (ctx) => {
    const out = join(tmpDir(ctx), 'many')
    const r = await runCli([
      'issue',
      '--spiffe-id',
      'spiffe://example.org/w{n}',
      '--ca',
      at.ca(),
      '--out',
      out,
      '--count',
      '25',
      '--json',
    ])
    expect({exit: r.exit, stderr: r.stderr}).toEqual({exit: 0, stderr: ''})
    const doc = jsonOf(r.stdout) as IssueDoc[]
    expect(doc.map((d) => d.spiffeId)).toEqual(Array.from({length: 25}, (_, i) => `spiffe://example.org/w${i + 1}`))
    for (const d of doc) {
      expect(mode(d.files.key!)).toBe(0o600)
      expectKeyOfLeaf(d.files.key!, d.files.cert)
      expect(readCertificates(readFileSync(d.files.cert), d.files.cert)[0].serial).toBe(d.serial)
    }
  })
})

describe('issue: PKCS#12 and Kubernetes Secret outputs', () => {
  it.skipIf(!hasOpenssl)(
    '--format pkcs12 with --p12-password-file: openssl pkcs12 (no -legacy) reads it; the key matches the leaf',
    async (ctx) => {
      const tmp = tmpDir(ctx)
      const out = join(tmp, 'p12')
      writeFileSync(join(tmp, 'pass.txt'), 'correct horse\n')
      const {doc} = await issueJson([
        '--spiffe-id',
        ID,
        '--ca',
        at.ca(),
        '--out',
        out,
        '--format',
        'pkcs12',
        '--p12-password-file',
        join(tmp, 'pass.txt'),
      ])
      const p12 = join(out, 'svid.p12')
      expect(names(out)).toEqual(['svid.p12', 'svid_bundle.pem'])
      expect(doc.files).toEqual({cert: p12, key: p12, bundle: join(out, 'svid_bundle.pem')})
      expect(mode(p12)).toBe(0o600)
      const info = run('openssl', ['pkcs12', '-info', '-in', p12, '-passin', 'pass:correct horse', '-nodes'])
      expect(info.status).toBe(0)
      expect(info.stderr).toMatch(/MAC: sha256, Iteration 2048/)
      expect(info.stderr).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/)
      const certs = certBlocks(info.stdout)
      const key = pemBlocks(info.stdout).find((b) => b.type === 'PRIVATE KEY')
      expect(certs).toHaveLength(2)
      expect(new X509Certificate(certs[0]).serialNumber.toLowerCase().replace(/^0+/, '')).toBe(doc.serial)
      expect(new X509Certificate(certs[0]).checkPrivateKey(createPrivateKey(key!.text))).toBe(true)
      // A wrong password fails the MAC check.
      expect(run('openssl', ['pkcs12', '-info', '-in', p12, '-passin', 'pass:wrong', '-nodes']).status).not.toBe(0)
      // The inline password flag gives the same kind of file.
      await issueJson([
        '--spiffe-id',
        ID,
        '--ca',
        at.ca(),
        '--out',
        join(tmp, 'p12b'),
        '--format',
        'pkcs12',
        '--p12-password',
        'pw',
      ])
      expect(
        run('openssl', ['pkcs12', '-info', '-in', join(tmp, 'p12b', 'svid.p12'), '-passin', 'pass:pw', '-noout'])
          .status,
      ).toBe(0)
    },
  )

  it('--layout k8s-secret writes a kubernetes.io/tls Secret (0600) whose fields decode to the chain, key and bundle', async (ctx) => {
    const {parse} = await import('yaml')
    const tmp = tmpDir(ctx)
    for (const [extra, name] of [
      [[], 'svid-web'],
      [['--secret-name', 'web-tls.prod'], 'web-tls.prod'],
    ] as const) {
      const out = join(tmp, name)
      const {doc} = await issueJson([
        '--spiffe-id',
        ID,
        '--ca',
        at.ca(),
        '--out',
        out,
        '--layout',
        'k8s-secret',
        ...extra,
      ])
      const file = join(out, 'secret.yaml')
      expect(names(out)).toEqual(['secret.yaml'])
      expect(doc.files).toEqual({cert: file, key: file, bundle: file})
      expect(mode(file)).toBe(0o600)
      const secret = parse(readFileSync(file, 'utf8')) as {
        apiVersion: string
        kind: string
        type: string
        metadata: {name: string}
        data: Record<string, string>
      }
      expect({apiVersion: secret.apiVersion, kind: secret.kind, type: secret.type, name: secret.metadata.name}).toEqual(
        {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/tls',
          name,
        },
      )
      expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key'])
      const decoded = (k: string) => Buffer.from(secret.data[k], 'base64').toString('utf8')
      expect(certBlocks(decoded('tls.crt'))).toHaveLength(2)
      expect(decoded('ca.crt')).toBe(readFileSync(join(at.ca(), 'bundle.pem'), 'utf8'))
      const leaf = new X509Certificate(certBlocks(decoded('tls.crt'))[0])
      expect(leaf.subjectAltName).toBe(`URI:${ID}`)
      expect(leaf.checkPrivateKey(createPrivateKey(decoded('tls.key')))).toBe(true)
    }
  })
})
