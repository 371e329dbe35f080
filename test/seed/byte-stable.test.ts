/**
 * Byte-stable fixtures: `--seed S --now T` on ca init, issue (one SVID, --count, pkcs12), jwt
 * issue, and bundle convert give the same bytes in two separate processes; openssl and
 * certtool accept the seeded chain. A run without --seed is the control: it differs.
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
  const init = svidkit(dir, ['ca', 'init', '--trust-domain', 'example.org', '--out', 'ca', '--key-type', 'ec-p384', ...seed, ...at])
  svidkit(dir, ['issue', '--spiffe-id', 'spiffe://example.org/web', '--ca', 'ca', '--out', 'svid', '--ttl', '48h', ...seed, ...at])
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
  svidkit(dir, ['issue', '--spiffe-id', 'spiffe://example.org/bad', '--ca', 'ca', '--out', 'defect', '--defect', 'leaf-is-ca', ...seed, ...at])
  svidkit(dir, ['bundle', 'convert', 'ca/bundle.pem', '--to', 'jwks', '--trust-domain', 'example.org', '--out', 'converted.json'])
  const jwt = svidkit(dir, ['jwt', 'issue', '--spiffe-id', 'spiffe://example.org/web', '--audience', 'db', '--ca', 'ca', ...seed, ...at]).stdout
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
    const v = spawnSync('openssl', ['verify', '-CAfile', 'ca/root.pem', '-untrusted', 'svid/svid.pem', 'svid/svid.pem'], {cwd: a, encoding: 'utf8'})
    expect(v.stdout.trim(), v.stderr).toBe('svid/svid.pem: OK')
    const g = spawnSync('certtool', ['--verify', '--load-ca-certificate', 'ca/root.pem', '--infile', 'svid/svid.pem'], {cwd: a, encoding: 'utf8'})
    expect(g.stdout).toMatch(/Chain verification output: Verified/)
    const p = spawnSync('openssl', ['pkcs12', '-in', 'p12/svid.p12', '-passin', 'pass:secret', '-nodes'], {cwd: a, encoding: 'utf8'})
    expect(p.stdout.match(/-----BEGIN (PRIVATE KEY|CERTIFICATE)-----/g)?.sort()).toEqual([
      '-----BEGIN CERTIFICATE-----',
      '-----BEGIN CERTIFICATE-----',
      '-----BEGIN PRIVATE KEY-----',
    ])
  })

  it('refuses RSA keys and CA-reshaping defects with a clear usage error (exit 2)', (ctx) => {
    const d = tmpDir(ctx)
    const rsa = spawnSync(process.execPath, [BIN, 'ca', 'init', '--trust-domain', 'example.org', '--out', 'ca', '--key-type', 'rsa-2048', '--seed', 's'], {
      cwd: d,
      encoding: 'utf8',
    })
    expect([rsa.status, rsa.stderr]).toEqual([2, expect.stringMatching(/--seed cannot make rsa-2048 keys/)])
    svidkit(d, ['ca', 'init', '--trust-domain', 'example.org', '--out', 'ca2', '--seed', 's'])
    const bad = spawnSync(
      process.execPath,
      [BIN, 'issue', '--spiffe-id', 'spiffe://example.org/x', '--ca', 'ca2', '--out', 'o', '--defect', 'untrusted', '--seed', 's'],
      {cwd: d, encoding: 'utf8'},
    )
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/--seed does not cover defects/)])
  })
})
