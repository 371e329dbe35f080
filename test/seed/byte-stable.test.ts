/**
 * Byte-stable fixtures: `--seed S --now T` on ca init, issue (one SVID, --count, pkcs12), jwt
 * issue, and bundle convert give the same bytes in two separate processes; openssl and
 * certtool accept the seeded chain. A run without --seed is the control: it differs. RSA keys,
 * defects that make new CA keys and the conformance suite are byte-stable too.
 */
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {tmpDir} from '../helpers/tmp.js'

const BIN = join(REPO, 'bin/run.js')
// Today at 00:00 UTC: fixed for both runs of a test, and recent enough for verifiers that read the real clock.
const NOW = `${new Date().toISOString().slice(0, 10)}T00:00:00Z`

function svidkit(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {cwd, encoding: 'utf8', timeout: 60_000})
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

/** Makes every fixture kind in `dir`, each command in its own process. */
function makeFixtures(dir: string, seed: string[]): {jwt: string; stderr: string} {
  const at = ['--now', NOW]
  writeFileSync(join(dir, 'pw.txt'), 'secret\n')
  const init = svidkit(dir, [
    'ca',
    'init',
    '--trust-domain',
    'example.org',
    '--out',
    'ca',
    '--key-type',
    'ec-p384',
    ...seed,
    ...at,
  ])
  svidkit(dir, [
    'issue',
    '--spiffe-id',
    'spiffe://example.org/web',
    '--ca',
    'ca',
    '--out',
    'svid',
    '--ttl',
    '48h',
    ...seed,
    ...at,
  ])
  svidkit(dir, [
    'issue',
    '--spiffe-id',
    'spiffe://example.org/w{n}',
    '--ca',
    'ca',
    '--out',
    'many/{n}',
    '--count',
    '2',
    '--key-type',
    'ed25519',
    ...seed,
    ...at,
  ])
  svidkit(dir, [
    'issue',
    '--spiffe-id',
    'spiffe://example.org/p12',
    '--ca',
    'ca',
    '--out',
    'p12',
    '--format',
    'pkcs12',
    '--p12-password-file',
    'pw.txt',
    ...seed,
    ...at,
  ])
  svidkit(dir, [
    'issue',
    '--spiffe-id',
    'spiffe://example.org/bad',
    '--ca',
    'ca',
    '--out',
    'defect',
    '--defect',
    'leaf-is-ca',
    ...seed,
    ...at,
  ])
  svidkit(dir, [
    'bundle',
    'convert',
    'ca/bundle.pem',
    '--to',
    'jwks',
    '--trust-domain',
    'example.org',
    '--out',
    'converted.json',
  ])
  const jwt = svidkit(dir, [
    'jwt',
    'issue',
    '--spiffe-id',
    'spiffe://example.org/web',
    '--audience',
    'db',
    '--ca',
    'ca',
    ...seed,
    ...at,
  ]).stdout
  return {jwt, stderr: init.stderr}
}

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(dir, p), readFileSync(p))
    }
  }
  walk(dir)
  return out
}

describe('--seed and --now', () => {
  it('give byte-identical CA, SVIDs (single, --count, pkcs12, leaf defect), bundle and JWT-SVID in two processes; without --seed they differ', (ctx) => {
    const [a, b, c] = [tmpDir(ctx), tmpDir(ctx), tmpDir(ctx)]
    const ra = makeFixtures(a, ['--seed', 'fixtures-1'])
    const rb = makeFixtures(b, ['--seed', 'fixtures-1'])
    const rc = makeFixtures(c, [])
    const fa = files(a)
    expect([...fa.keys()]).toContain('p12/svid.p12')
    expect([...fa.keys()]).toContain('many/2/svid_key.pem')
    for (const [name, bytes] of fa) expect(files(b).get(name)?.equals(bytes), name).toBe(true)
    expect(ra.jwt).toBe(rb.jwt)
    expect(ra.stderr).toMatch(/for test fixtures only/)
    // control: random keys differ run to run
    expect(
      files(c)
        .get('ca/root-key.pem')
        ?.equals(fa.get('ca/root-key.pem') as Buffer),
    ).toBe(false)
    expect(rc.jwt).not.toBe(ra.jwt)
    // two SVIDs of one --count run get two keys
    expect(fa.get('many/1/svid_key.pem')?.equals(fa.get('many/2/svid_key.pem') as Buffer)).toBe(false)

    // openssl and certtool accept the seeded chain (issued today, 48h)
    const v = spawnSync(
      'openssl',
      ['verify', '-CAfile', 'ca/root.pem', '-untrusted', 'svid/svid.pem', 'svid/svid.pem'],
      {cwd: a, encoding: 'utf8'},
    )
    expect(v.stdout.trim(), v.stderr).toBe('svid/svid.pem: OK')
    const g = spawnSync('certtool', ['--verify', '--load-ca-certificate', 'ca/root.pem', '--infile', 'svid/svid.pem'], {
      cwd: a,
      encoding: 'utf8',
    })
    expect(g.stdout).toMatch(/Chain verification output: Verified/)
    const p = spawnSync('openssl', ['pkcs12', '-in', 'p12/svid.p12', '-passin', 'pass:secret', '-nodes'], {
      cwd: a,
      encoding: 'utf8',
    })
    expect(p.stdout.match(/-----BEGIN (PRIVATE KEY|CERTIFICATE)-----/g)?.sort()).toEqual([
      '-----BEGIN CERTIFICATE-----',
      '-----BEGIN CERTIFICATE-----',
      '-----BEGIN PRIVATE KEY-----',
    ])
  })

  it('RSA: ca init, issue (incl. CA-reshaping defects) and jwt issue are byte-identical in two processes; openssl accepts the keys and the chain', (ctx) => {
    const [a, b] = [tmpDir(ctx), tmpDir(ctx)]
    const make = (dir: string) => {
      const at = ['--seed', 'rsa-1', '--now', NOW]
      svidkit(dir, ['ca', 'init', '--trust-domain', 'example.org', '--out', 'ca', '--key-type', 'rsa-2048', ...at])
      svidkit(dir, [
        'issue',
        '--spiffe-id',
        'spiffe://example.org/web',
        '--ca',
        'ca',
        '--out',
        'svid',
        '--key-type',
        'rsa-2048',
        ...at,
      ])
      // path-length makes a new (RSA) CA key below the signing CA
      svidkit(dir, [
        'issue',
        '--spiffe-id',
        'spiffe://example.org/deep',
        '--ca',
        'ca',
        '--out',
        'deep',
        '--defect',
        'path-length',
        ...at,
      ])
      return svidkit(dir, [
        'jwt',
        'issue',
        '--spiffe-id',
        'spiffe://example.org/web',
        '--audience',
        'db',
        '--ca',
        'ca',
        '--defect',
        'key-x509-entry',
        ...at,
      ]).stdout
    }
    const [ja, jb] = [make(a), make(b)]
    const fa = files(a)
    expect([...fa.keys()]).toEqual(expect.arrayContaining(['ca/root-key.pem', 'svid/svid_key.pem', 'deep/svid.pem']))
    for (const [name, bytes] of fa) expect(files(b).get(name)?.equals(bytes), name).toBe(true)
    expect(ja).toBe(jb)
    for (const key of ['ca/root-key.pem', 'ca/intermediate-1-key.pem', 'svid/svid_key.pem']) {
      const r = spawnSync('openssl', ['rsa', '-in', key, '-check', '-noout'], {cwd: a, encoding: 'utf8'})
      expect([r.status, r.stdout.trim()], `${key}: ${r.stderr}`).toEqual([0, 'RSA key ok'])
    }
    const text = spawnSync('openssl', ['x509', '-in', 'svid/svid.pem', '-noout', '-text'], {
      cwd: a,
      encoding: 'utf8',
    }).stdout
    expect(text).toMatch(/Public-Key: \(2048 bit\)/)
    // The leaf lives 1 h from --now (today 00:00 UTC): judged at --now + 1 min, not at the wall clock.
    const attime = String(Date.parse(NOW) / 1000 + 60)
    const v = spawnSync(
      'openssl',
      ['verify', '-attime', attime, '-CAfile', 'ca/root.pem', '-untrusted', 'svid/svid.pem', 'svid/svid.pem'],
      {cwd: a, encoding: 'utf8'},
    )
    expect(v.stdout.trim(), v.stderr).toBe('svid/svid.pem: OK')
  })

  it('issue --defect X --seed is byte-identical in two processes for every defect; another seed differs', (ctx) => {
    const d = tmpDir(ctx)
    svidkit(d, ['ca', 'init', '--trust-domain', 'example.org', '--out', 'ca', '--seed', 'defects-1', '--now', NOW])
    // One process per run issues every defect through the library's `issue --out -` path.
    writeFileSync(
      join(d, 'all-defects.mjs'),
      `import {DEFECTS, fixedClock, issueToPem} from ${JSON.stringify(join(REPO, 'dist/index.js'))}
const [seed, now] = process.argv.slice(2)
const out = {}
for (const d of DEFECTS) {
  const r = await issueToPem({spiffeId: 'spiffe://example.org/x', ca: 'ca', out: '-', defects: [d], seed, clock: fixedClock(new Date(now))})
  out[d.name] = r.pem
}
process.stdout.write(JSON.stringify(out))
`,
    )
    const run = (seed: string): Record<string, string> => {
      const r = spawnSync(process.execPath, ['all-defects.mjs', seed, NOW], {cwd: d, encoding: 'utf8', timeout: 60_000})
      expect(r.status, r.stderr).toBe(0)
      return JSON.parse(r.stdout) as Record<string, string>
    }
    const [one, two, other] = [run('defects-1'), run('defects-1'), run('defects-2')]
    expect(Object.keys(one).length).toBeGreaterThanOrEqual(26)
    for (const name of Object.keys(one)) {
      expect(two[name], name).toBe(one[name])
      expect(other[name], name).not.toBe(one[name])
    }
  })

  it('conformance generate --seed writes byte-identical trees in two processes; another seed differs', (ctx) => {
    const d = tmpDir(ctx)
    for (const [out, seed] of [
      ['s1', '42'],
      ['s2', '42'],
      ['s3', '43'],
    ])
      svidkit(d, ['conformance', 'generate', '--out', out, '--seed', seed])
    const [one, two, three] = ['s1', 's2', 's3'].map((o) => files(join(d, o)))
    expect([...one.keys()]).toEqual(['spiffe-conformance.json'])
    expect([...two.keys()]).toEqual([...one.keys()])
    for (const [name, bytes] of one) {
      expect(two.get(name)?.equals(bytes), name).toBe(true)
      expect(three.get(name)?.equals(bytes), name).toBe(false)
    }
    // The seed reaches the RSA key of the JWT family and the CA-reshaping defects, not only the recorded field.
    const suite = JSON.parse(one.get('spiffe-conformance.json')?.toString() ?? '{}') as {
      testcases: {id: string; token?: string; peer_certificate?: string}[]
    }
    const other = JSON.parse(three.get('spiffe-conformance.json')?.toString() ?? '{}') as typeof suite
    const pick = (s: typeof suite, id: string) => s.testcases.find((t) => t.id === id)
    expect(pick(suite, 'jwt-svid::valid-ps256')?.token).not.toBe(pick(other, 'jwt-svid::valid-ps256')?.token)
    expect(pick(suite, 'x509-svid::untrusted')?.peer_certificate).not.toBe(
      pick(other, 'x509-svid::untrusted')?.peer_certificate,
    )
  })
})
