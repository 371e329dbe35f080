/**
 * Every reason code of cli-contract.md that `verify` can produce is reachable from the
 * command line, with the contract's exit code, in human and `--json` mode alike (same
 * exit; a code and a hint; never a stack trace). Also the usage errors of §3.1 binding,
 * `--at` moving the evaluation time, and chain files holding more than one candidate path.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REASON_EXIT} from '../../src/index.js'
import {DEFECTS} from '../../src/core/defects/index.js'
import {verifyFiles} from '../../src/core/verify/verify-files.js'
import {X509Certificate} from 'node:crypto'
import {runCli, STACK_LINE, type CliResult} from '../helpers/cli.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {
  concatFiles,
  fromNow,
  HOUR,
  issueTo,
  makeCa,
  OTHER_TD,
  plain,
  svidFiles,
  TD,
  writeBundleMap,
  writePlainRootBundle,
  type CaFixture,
} from './fixtures.js'

/** Paths made once in beforeAll and shared by the rows. */
interface Fx {
  base: string
  ca: CaFixture
  /** Another CA of the same trust domain: same subject names, other keys (a look-alike). */
  lookAlike: CaFixture
  other: CaFixture
  web: string
  db: string
  /** SVID directory per defect name. */
  defect: Record<string, string>
  garbage: string
  empty: string
  badJwks: string
  twoTds: string
  plainA: string
  plainB: string
  map: string
}

interface Row {
  name: string
  /** Creates extra files (run once, before the first mode). */
  setup?: (f: Fx) => void
  args: (f: Fx) => string[]
  exit: 0 | 2 | 3 | 4
  /** errors[0].code (exit 4), error.code (exits 2, 3); null for a valid SVID. */
  code: string | null
}

const base = suiteTmpDir()
let fx: Fx

beforeAll(async () => {
  const b = base()
  const [ca, lookAlike, other] = await Promise.all([
    makeCa(join(b, 'ca'), TD),
    makeCa(join(b, 'ca-look-alike'), TD),
    makeCa(join(b, 'ca-other'), OTHER_TD),
  ])
  const defect: Record<string, string> = {}
  for (const d of DEFECTS) defect[d.name] = await issueTo(ca, join(b, `defect-${d.name}`), {defects: [d.name]})
  fx = {
    base: b,
    ca,
    lookAlike,
    other,
    web: await issueTo(ca, join(b, 'web')),
    db: await issueTo(ca, join(b, 'db'), {id: `spiffe://${TD}/db`}),
    defect,
    garbage: join(b, 'garbage.pem'),
    empty: join(b, 'empty.pem'),
    badJwks: join(b, 'bad.spiffe.json'),
    twoTds: concatFiles(join(b, 'two-tds.pem'), [ca.bundlePem, other.bundlePem]),
    plainA: await writePlainRootBundle(ca, join(b, 'plain-a.pem')),
    plainB: await writePlainRootBundle(other, join(b, 'plain-b.pem')),
    map: writeBundleMap(join(b, 'map.json'), {[TD]: ca.bundleJwks, [OTHER_TD]: other.bundleJwks}),
  }
  writeFileSync(fx.garbage, 'this is not a certificate\n')
  writeFileSync(fx.empty, '')
  writeFileSync(fx.badJwks, JSON.stringify({keys: 5}))
})

const cert = (dir: string) => svidFiles(dir).cert
const key = (dir: string) => svidFiles(dir).key

/** One row per reason code that a defect produces: the first defect with that code. */
const defectRows: Row[] = DEFECTS.filter((d, i) => DEFECTS.findIndex((x) => x.code === d.code) === i).map((d) => ({
  name: `${d.code} (defect ${d.name})`,
  args: (f) => ['verify', '--dir', f.defect[d.name], '--strict'],
  exit: 4,
  code: d.code,
}))

const ROWS: Row[] = [
  // exit 3: reading
  {
    name: 'pem-invalid: not PEM, not DER',
    args: (f) => ['verify', f.garbage, '--bundle', f.ca.bundlePem],
    exit: 3,
    code: 'pem-invalid',
  },
  {
    name: 'pem-invalid: a key file given as the chain',
    args: (f) => ['verify', key(f.web), '--bundle', f.ca.bundlePem],
    exit: 3,
    code: 'pem-invalid',
  },
  {
    name: 'pem-invalid: bytes after the certificate inside its block',
    setup: (f) => {
      const pem = readFileSync(cert(f.web), 'utf8').split('-----END CERTIFICATE-----')[0]
      const der = Buffer.concat([
        Buffer.from(pem.replace(/-----BEGIN CERTIFICATE-----|\s/g, ''), 'base64'),
        Buffer.from([0, 0]),
      ])
      writeFileSync(
        join(f.base, 'trailing.pem'),
        `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`,
      )
    },
    args: (f) => ['verify', join(f.base, 'trailing.pem'), '--bundle', f.ca.bundlePem],
    exit: 3,
    code: 'pem-invalid',
  },
  {
    name: 'key-invalid: garbage key',
    args: (f) => ['verify', cert(f.web), '--key', f.garbage, '--bundle', f.ca.bundlePem],
    exit: 3,
    code: 'key-invalid',
  },
  {
    name: 'key-invalid: no key in the key file',
    args: (f) => ['verify', cert(f.web), '--key', cert(f.web), '--bundle', f.ca.bundlePem],
    exit: 3,
    code: 'key-invalid',
  },
  {
    name: 'bundle-invalid: JWKS whose keys is not an array',
    args: (f) => ['verify', cert(f.web), '--bundle', f.badJwks],
    exit: 3,
    code: 'bundle-invalid',
  },
  {
    name: 'bundle-invalid: a key file as bundle',
    args: (f) => ['verify', cert(f.web), '--bundle', `${TD}=${key(f.web)}`],
    exit: 3,
    code: 'bundle-invalid',
  },
  {
    name: 'file-not-found: chain',
    args: (f) => ['verify', join(f.base, 'nope.pem'), '--bundle', f.ca.bundlePem],
    exit: 3,
    code: 'file-not-found',
  },
  {
    name: 'file-not-found: bundle',
    args: (f) => ['verify', cert(f.web), '--bundle', `${TD}=${join(f.base, 'nope.pem')}`],
    exit: 3,
    code: 'file-not-found',
  },
  {
    name: 'file-not-found: key',
    args: (f) => ['verify', cert(f.web), '--key', join(f.base, 'nope.pem'), '--bundle', f.ca.bundlePem],
    exit: 3,
    code: 'file-not-found',
  },
  {
    name: 'file-not-found: --dir',
    args: (f) => ['verify', '--dir', join(f.base, 'no-such-dir')],
    exit: 3,
    code: 'file-not-found',
  },

  // exit 4: every defect's code
  ...defectRows,
  // exit 4: trust, authorization, policy
  {
    name: 'bundle-not-found: only the bundle of other.org',
    args: (f) => ['verify', cert(f.web), '--bundle', f.other.bundlePem],
    exit: 4,
    code: 'bundle-not-found',
  },
  {name: 'bundle-not-found: no bundle at all', args: (f) => ['verify', cert(f.web)], exit: 4, code: 'bundle-not-found'},
  {
    name: 'untrusted-chain: empty bundle file',
    args: (f) => ['verify', cert(f.web), '--bundle', f.empty],
    exit: 4,
    code: 'untrusted-chain',
  },
  {
    name: 'untrusted-chain: JWKS with "keys": []',
    setup: (f) => writeFileSync(join(f.base, 'empty.json'), '{"keys": []}'),
    args: (f) => ['verify', cert(f.web), '--bundle', `${TD}=${join(f.base, 'empty.json')}`],
    exit: 4,
    code: 'untrusted-chain',
  },
  {
    name: 'untrusted-chain: look-alike CA of the same trust domain',
    args: (f) => ['verify', cert(f.web), '--bundle', f.lookAlike.bundlePem],
    exit: 4,
    code: 'untrusted-chain',
  },
  {
    name: 'untrusted-chain: unrelated CA labelled as example.org',
    args: (f) => ['verify', cert(f.web), '--bundle', `${TD}=${f.other.bundlePem}`],
    exit: 4,
    code: 'untrusted-chain',
  },
  {
    name: 'id-mismatch',
    args: (f) => ['verify', '--dir', f.web, '--expect-id', `spiffe://${TD}/db`],
    exit: 4,
    code: 'id-mismatch',
  },
  {
    name: 'id-mismatch: none of several --expect-id',
    args: (f) => ['verify', '--dir', f.web, '--expect-id', `spiffe://${TD}/db`, '--expect-id', `spiffe://${TD}/web/x`],
    exit: 4,
    code: 'id-mismatch',
  },
  {
    name: 'id matches one of several --expect-id',
    args: (f) => ['verify', '--dir', f.web, '--expect-id', `spiffe://${TD}/db`, '--expect-id', `spiffe://${TD}/web`],
    exit: 0,
    code: null,
  },
  {
    name: 'trust-domain-mismatch',
    args: (f) => ['verify', '--dir', f.web, '--expect-trust-domain', OTHER_TD],
    exit: 4,
    code: 'trust-domain-mismatch',
  },
  {
    name: 'trust domain matches (spiffe:// form)',
    args: (f) => ['verify', '--dir', f.web, '--expect-trust-domain', `spiffe://${TD}`],
    exit: 0,
    code: null,
  },
  {
    name: 'eku-incomplete only with --strict',
    args: (f) => ['verify', '--dir', f.defect['eku-client-only'], '--strict'],
    exit: 4,
    code: 'eku-incomplete',
  },
  {
    name: 'eku-client-only without --strict is valid',
    args: (f) => ['verify', '--dir', f.defect['eku-client-only']],
    exit: 0,
    code: null,
  },
  {
    name: 'key-mismatch: --key of another SVID',
    args: (f) => ['verify', cert(f.web), '--key', key(f.db), '--bundle', f.ca.bundlePem],
    exit: 4,
    code: 'key-mismatch',
  },
  {
    name: 'key-mismatch: --key overrides the directory key',
    args: (f) => ['verify', '--dir', f.web, '--key', key(f.db)],
    exit: 4,
    code: 'key-mismatch',
  },

  // exit 2: usage
  {
    name: 'usage: invalid --expect-id (code spiffe-id-invalid, exit 2: it came from a flag)',
    args: (f) => ['verify', '--dir', f.web, '--expect-id', 'spiffe://Example.org/web'],
    exit: 2,
    code: 'spiffe-id-invalid',
  },
  {
    name: 'usage: --expect-trust-domain with a path',
    args: (f) => ['verify', '--dir', f.web, '--expect-trust-domain', `spiffe://${OTHER_TD}/x`],
    exit: 2,
    code: 'spiffe-id-invalid',
  },
  {
    name: 'usage: label Bad_TD= on --bundle',
    args: (f) => ['verify', cert(f.web), '--bundle', `Bad_TD=${f.ca.bundlePem}`],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'usage: two unlabelled bundles naming no trust domain',
    args: (f) => ['verify', cert(f.web), '--bundle', f.plainA, '--bundle', f.plainB],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'usage: an unlabelled no-trust-domain bundle beside another bundle',
    args: (f) => ['verify', cert(f.web), '--bundle', f.plainA, '--bundle', f.ca.bundlePem],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'usage: one PEM bundle with roots of two trust domains',
    args: (f) => ['verify', cert(f.web), '--bundle', f.twoTds],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'usage: TD= on a bundle map',
    args: (f) => ['verify', cert(f.web), '--bundle', `${TD}=${f.map}`],
    exit: 2,
    code: 'usage',
  },
  {name: 'usage: both a file and --dir', args: (f) => ['verify', cert(f.web), '--dir', f.web], exit: 2, code: 'usage'},
  {
    name: 'usage: neither a file nor --dir',
    args: (f) => ['verify', '--bundle', f.ca.bundlePem],
    exit: 2,
    code: 'usage',
  },
  {
    name: 'usage: --at that is neither RFC 3339 nor a duration',
    args: (f) => ['verify', '--dir', f.web, '--at', 'yesterday'],
    exit: 2,
    code: 'usage',
  },
  {name: 'usage: unknown flag', args: (f) => ['verify', '--dir', f.web, '--no-such-flag'], exit: 2, code: 'usage'},

  // --at moves the evaluation time (CAs were made a day ago; the leaf lives now-10s .. now+1h)
  {
    name: '--at: RFC 3339 inside the leaf validity',
    args: (f) => ['verify', '--dir', f.web, '--at', fromNow(30 * 60_000)],
    exit: 0,
    code: null,
  },
  {
    name: '--at: RFC 3339 two hours ahead',
    args: (f) => ['verify', '--dir', f.web, '--at', fromNow(2 * HOUR)],
    exit: 4,
    code: 'cert-expired',
  },
  {
    name: '--at: RFC 3339 with an offset, two hours back',
    args: (f) => ['verify', '--dir', f.web, '--at', offsetTime(-2 * HOUR)],
    exit: 4,
    code: 'cert-not-yet-valid',
  },
  {name: '--at +2h', args: (f) => ['verify', '--dir', f.web, '--at', '+2h'], exit: 4, code: 'cert-expired'},
  {name: '--at -2h', args: (f) => ['verify', '--dir', f.web, '--at', '-2h'], exit: 4, code: 'cert-not-yet-valid'},
  {name: '--at=-2h', args: (f) => ['verify', '--dir', f.web, '--at=-2h'], exit: 4, code: 'cert-not-yet-valid'},
  {
    name: '--at -90m: the expired defect was valid then',
    args: (f) => ['verify', '--dir', f.defect.expired, '--at', '-90m'],
    exit: 0,
    code: null,
  },
  {
    name: '--at +90m: the not-yet-valid defect is valid then',
    args: (f) => ['verify', '--dir', f.defect['not-yet-valid'], '--at', '+90m'],
    exit: 0,
    code: null,
  },
  {name: '--at 30m (unsigned = from now)', args: (f) => ['verify', '--dir', f.web, '--at', '30m'], exit: 0, code: null},

  // several candidate paths
  {
    name: 'multi-path: extra unrelated and look-alike CAs in the chain file, a valid path exists',
    setup: (f) =>
      void concatFiles(join(f.base, 'multi.pem'), [
        cert(f.web).replace(/svid\.pem$/, 'leaf-only.pem'),
        join(f.other.dir, 'intermediate-1.pem'),
        join(f.lookAlike.dir, 'intermediate-1.pem'),
        join(f.ca.dir, 'intermediate-1.pem'),
        join(f.other.dir, 'root.pem'),
      ]),
    args: (f) => ['verify', join(f.base, 'multi.pem'), '--bundle', f.ca.bundlePem, '--expect-id', `spiffe://${TD}/web`],
    exit: 0,
    code: null,
  },
  {
    name: 'multi-path: only the look-alike intermediate: untrusted-chain',
    setup: (f) =>
      void concatFiles(join(f.base, 'look-alike-only.pem'), [
        cert(f.web).replace(/svid\.pem$/, 'leaf-only.pem'),
        join(f.lookAlike.dir, 'intermediate-1.pem'),
      ]),
    args: (f) => ['verify', join(f.base, 'look-alike-only.pem'), '--bundle', f.ca.bundlePem],
    exit: 4,
    code: 'untrusted-chain',
  },
]

/** Returns now + ms as RFC 3339 with a +02:00 offset. */
function offsetTime(ms: number): string {
  const d = new Date(Date.now() + ms + 2 * HOUR)
  return d.toISOString().replace(/\.\d+Z$/, '+02:00')
}

interface Doc {
  valid?: boolean
  errors?: {code: string; message: string; hint: string}[]
  error?: {code: string; message: string; hint: string}
}

const results = new Map<string, {human: CliResult; json: CliResult}>()

describe('reason codes through runCommand, human and --json', () => {
  beforeAll(() => {
    // The multi-path rows need the leaf alone.
    const pem = readFileSync(cert(fx.web), 'utf8')
    writeFileSync(
      cert(fx.web).replace(/svid\.pem$/, 'leaf-only.pem'),
      `${pem.split('-----END CERTIFICATE-----')[0]}-----END CERTIFICATE-----\n`,
    )
    for (const row of ROWS) row.setup?.(fx)
  })

  it('covers every exit-3 and exit-4 reason code of the contract', () => {
    const want = Object.entries(REASON_EXIT)
      .filter(([, exit]) => exit === 3 || exit === 4)
      .map(([code]) => code)
      // Not verify's: `ca`, `issue`, `rotate`, `serve` and `race` codes (test/race covers the last two).
      .filter(
        (c) =>
          ![
            'output-exists',
            'output-not-writable',
            'ca-invalid',
            'ca-expired',
            'unsafe-link',
            'signal-failed',
            'pid-invalid',
            'address-in-use',
            'target-unreachable',
            // writers (test/robustness/safety-dirs.test.ts, test/rotate/unsafe-files.test.ts) and
            // race --target's setup (test/race/acceptance.test.ts).
            'unsafe-dir',
            'unsafe-file',
            'baseline-failed',
            'ca-mismatch',
          ].includes(c),
      )
      // Covered through the CLI in both modes by their own files: read-input.test.ts (not-a-regular-file,
      // permission-denied), parse-strictness.test.ts (duplicate-extension, time-invalid), path-limits.test.ts,
      // x509-profile.test.ts (weak-key, name-constraint-invalid, profile-violation).
      .filter(
        (c) =>
          ![
            'not-a-regular-file',
            'not-a-directory',
            'permission-denied',
            'duplicate-extension',
            'time-invalid',
            'path-limit',
            'weak-key',
            'name-constraint-invalid',
            'profile-violation',
          ].includes(c),
      )
      // `jwt verify` and `conformance run` codes: test/jwt/jwt-cli.test.ts and test/conformance-kit cover them through the CLI.
      .filter((c) => !c.startsWith('jwt-') && c !== 'conformance-disagreement')
    const have = new Set(ROWS.map((r) => r.code))
    expect(want.filter((c) => !have.has(c))).toEqual([])
  })

  it.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const args = row.args(fx)
    const human = await runCli(args)
    const json = await runCli([...args, '--json'])
    results.set(row.name, {human, json})
    const all = `${human.stdout}\n${human.stderr}`
    expect(human.exit, all).toBe(row.exit)
    expect(json.exit, json.stdout + json.stderr).toBe(row.exit)
    for (const r of [human, json]) expect(r.stdout + r.stderr).not.toMatch(STACK_LINE)

    // --json: exactly one JSON document on stdout.
    const doc = JSON.parse(json.stdout) as Doc
    const out = plain(human.stdout)
    const err = plain(human.stderr)
    if (row.exit === 0) {
      expect(doc.valid).toBe(true)
      expect(doc.errors).toEqual([])
      expect(out).toMatch(/^VALID {2}spiffe:\/\//)
    } else if (row.exit === 4) {
      expect(doc.valid).toBe(false)
      expect(doc.errors?.[0].code, JSON.stringify(doc.errors)).toBe(row.code)
      expect(doc.errors?.[0].hint).toMatch(/\S/)
      expect(out).toMatch(/^INVALID/)
      expect(out).toContain(`reason  [${row.code}] `)
      expect(out).toMatch(/^ {2}hint {4}\S/m)
    } else {
      // Exits 2 and 3 end the run before a verdict: one error with its code and hint.
      const code = doc.errors?.[0]?.code ?? doc.error?.code
      expect(code, json.stdout).toBe(row.code)
      expect(err).toContain(`error [${row.code}]: `)
      expect(err).toMatch(/^ {2}hint: \S/m)
      expect(human.stdout).toBe('')
    }
  })

  /** With --json an exit-3 read failure still prints the verify document (cli-contract.md): valid false, errors[0]. */
  it('--json read failures (exit 3) use the verify document: valid false, errors[0].code', () => {
    const rows = ROWS.filter((r) => r.exit === 3)
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      const doc = JSON.parse(results.get(row.name)?.json.stdout ?? '{}') as Doc
      expect(doc.valid, row.name).toBe(false)
      expect(doc.errors?.[0].code, row.name).toBe(row.code)
    }
  })
})

describe('details of some failures', () => {
  it('bundle-not-found names the trust domains given and never falls back to them', async () => {
    const r = await runCli(['verify', cert(fx.web), '--bundle', fx.other.bundlePem, '--json'])
    const doc = JSON.parse(r.stdout) as Doc & {checks: {name: string; status: string}[]}
    expect(doc.errors?.[0].message).toBe('no X.509 bundle for trust domain "example.org"')
    expect(doc.errors?.[0].hint).toContain('"other.org"')
    expect(doc.errors?.[0].hint).toContain('--bundle example.org=')
    expect(doc.checks.find((c) => c.name === 'path')?.status).toBe('skip')
  })

  it('the empty bundle warns at load and reports untrusted-chain for its trust domain', async () => {
    const r = await runCli(['verify', cert(fx.web), '--bundle', `${TD}=${fx.empty}`, '--json'])
    const doc = JSON.parse(r.stdout) as Doc & {warnings: string[]}
    expect(doc.errors?.[0].code).toBe('untrusted-chain')
    expect(doc.warnings.join('\n')).toMatch(/empty/)
  })

  it('several failures in one run: errors sorted by step, all listed in human mode', async () => {
    const args = [
      'verify',
      cert(fx.defect['leaf-is-ca']),
      '--key',
      key(fx.db),
      '--bundle',
      fx.ca.bundlePem,
      '--expect-id',
      `spiffe://${TD}/db`,
    ]
    const json = await runCli([...args, '--json'])
    expect(json.exit).toBe(4)
    expect((JSON.parse(json.stdout) as Doc).errors?.map((e) => e.code)).toEqual([
      'leaf-is-ca',
      'key-mismatch',
      'id-mismatch',
    ])
    const human = plain((await runCli(args)).stdout)
    expect(human).toContain('reason  [leaf-is-ca]')
    expect(human).toContain('also    [key-mismatch]')
    expect(human).toContain('also    [id-mismatch]')
  })
})

describe('--at boundaries (spiffe-rules.md §3 step 10a: notBefore <= T <= notAfter, no skew allowance)', () => {
  it('valid at notBefore and at notAfter exactly, invalid one millisecond outside', () => {
    const leaf = new X509Certificate(readFileSync(cert(fx.web)))
    const nb = new Date(leaf.validFrom).getTime()
    const na = new Date(leaf.validTo).getTime()
    const at = (ms: number) => verifyFiles({dir: fx.web, at: new Date(ms)})
    expect(at(nb).valid).toBe(true)
    expect(at(na).valid).toBe(true)
    expect(at(nb - 1).errors[0].code).toBe('cert-not-yet-valid')
    expect(at(na + 1).errors[0].code).toBe('cert-expired')
  })

  /** Impossible RFC 3339 fields (31 April, hour 24, offset +25:00) are usage errors, never rolled over. */
  it('an impossible RFC 3339 date or offset in --at is a usage error (exit 2)', async () => {
    for (const bad of [
      '2026-04-31T00:00:00Z',
      '2026-02-30T12:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:00+25:00',
    ]) {
      expect((await runCli(['verify', '--dir', fx.web, '--at', bad, '--json'])).exit, bad).toBe(2)
    }
  })
})
