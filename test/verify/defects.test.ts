/**
 * Every deliberate defect of `issue --defect` (the exported DEFECTS table, so a new defect
 * is covered automatically) is rejected by verify with exactly its reason code as the
 * primary reason (spiffe-rules.md §3), through the library and the real CLI; OpenSSL
 * 3.0's `verify -x509_strict` is the cross-check for the rules OpenSSL also enforces.
 */
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import * as lib from '../../src/index.js'
import {REASON_EXIT, isSvidkitError} from '../../src/index.js'
import {DEFECTS, parseDefects, type Defect} from '../../src/core/defects/index.js'
import {verifyFiles} from '../../src/core/verify/verify-files.js'
import {jsonOf, runCli, STACK_LINE} from '../helpers/cli.js'
import {hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {issueTo, makeCa, plain, spawnCli, svidFiles, TD, writeLeafOnly, type CaFixture} from './fixtures.js'

warnIfMissing('openssl', hasOpenssl)

interface VerifyJson {
  valid: boolean
  errors: {code: string; message: string; hint: string}[]
  warnings: string[]
  checks: {name: string; status: string; code?: string; message: string}[]
}

const base = suiteTmpDir()
let ca: CaFixture
let good: string
const dirs = new Map<string, string>()
const dirOf = (name: string): string => {
  const d = dirs.get(name)
  if (!d) throw new Error(`no SVID directory for defect ${name}`)
  return d
}

beforeAll(async () => {
  ca = await makeCa(join(base(), 'ca'), TD)
  good = await issueTo(ca, join(base(), 'good'))
  for (const d of DEFECTS) dirs.set(d.name, await issueTo(ca, join(base(), `defect-${d.name}`), {defects: [d.name]}))
})

/**
 * The go-spiffe-style message each reason code carries (spiffe-rules.md §3), and for
 * spiffe-id-invalid the §1 rule each SAN defect breaks.
 */
const MESSAGE: Partial<Record<string, RegExp>> = {
  'no-uri-san': /^certificate contains no URI SAN$/,
  'multiple-uri-sans': /^certificate contains more than one URI SAN$/,
  'leaf-root-path': /^leaf certificate SPIFFE ID must have a non-root path$/,
  'leaf-is-ca': /^leaf certificate must not have CA flag set to true$/,
  'leaf-no-digital-signature': /^leaf certificate must have 'digitalSignature' set as key usage$/,
  'leaf-key-cert-sign': /^leaf certificate must not have 'keyCertSign' set as key usage$/,
  'leaf-crl-sign': /^leaf certificate must not have 'cRLSign' set as key usage$/,
  'signing-cert-not-ca': /^signing certificate must have CA flag set to true$/,
  'signing-cert-no-key-cert-sign': /^signing certificate must have 'keyCertSign' set as key usage$/,
  'key-mismatch': /^leaf certificate does not match private key$/,
  'untrusted-chain': /certificate signed by unknown authority/,
  'cert-expired': /^certificate has expired or is not yet valid: current time \S+ is after \S+/,
  'cert-not-yet-valid': /^certificate has expired or is not yet valid: current time \S+ is before \S+/,
  'name-constraint-violation': /URI "spiffe:\/\/example\.org\/web" is not permitted by any constraint/,
  'path-length-exceeded': /^too many intermediates for path length constraint/,
  'unhandled-critical-extension': /unhandled critical extension/,
  'eku-incomplete': /^missing serverAuth extended key usage$/,
}
const ID_RULE: Record<string, RegExp> = {
  'non-spiffe-uri': /^scheme is missing or invalid: "https:\/\//,
  'id-uppercase':
    /^trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores: "spiffe:\/\/EXAMPLE\.ORG\/web"$/,
  'id-port':
    /^trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores: "spiffe:\/\/example\.org:8443\/web"$/,
  'id-percent-encoded': /^path segment characters are limited to letters, numbers, dots, dashes, and underscores: /,
  'id-dot-segment': /^path cannot contain dot segments: /,
  'id-trailing-slash': /^path cannot have a trailing slash: /,
}

const cases = DEFECTS.map((d) => [d.name, d] as [string, Defect])

describe('the DEFECTS table', () => {
  it('names each defect once, with a verification reason code (exit 4)', () => {
    expect(new Set(DEFECTS.map((d) => d.name)).size).toBe(DEFECTS.length)
    for (const d of DEFECTS) expect(REASON_EXIT[d.code], `${d.name} -> ${d.code}`).toBe(4)
  })

  it('has a message expectation for every code it produces (extend MESSAGE when adding a code)', () => {
    for (const d of DEFECTS)
      expect(d.code === 'spiffe-id-invalid' ? ID_RULE[d.name] : MESSAGE[d.code], d.name).toBeDefined()
  })
})

/** The library entry exports what `issue --defect` and `verify --dir` use. */
it('the library entry exports DEFECTS, parseDefects and verifyFiles', () => {
  expect(Object.keys(lib)).toEqual(expect.arrayContaining(['DEFECTS', 'parseDefects', 'verifyFiles']))
})

describe('verify (library, --strict) rejects each defect with exactly its reason code', () => {
  it.each(cases)('%s', (_name, d) => {
    const r = verifyFiles({dir: dirOf(d.name), strict: true})
    expect(r.valid).toBe(false)
    expect(r.errors[0].code, JSON.stringify(r.errors)).toBe(d.code)
    // A defect breaks exactly one rule: no other reason is reported.
    expect([...new Set(r.errors.map((e) => e.code))]).toEqual([d.code])
    const e = r.errors[0]
    expect(e.message).toMatch(d.code === 'spiffe-id-invalid' ? ID_RULE[d.name] : (MESSAGE[d.code] as RegExp))
    // go-spiffe style: lowercase start, no final period; every failure has a hint.
    expect(e.message).toMatch(/^[a-z]/)
    expect(e.message).not.toMatch(/\.$/)
    expect(e.hint.length).toBeGreaterThan(10)
    // The failing check row carries the same code.
    expect(r.checks.find((c) => c.status === 'fail')?.code).toBe(d.code)
  })
})

describe('verify (library) without --strict', () => {
  it.each(cases)('%s', (_name, d) => {
    const r = verifyFiles({dir: dirOf(d.name)})
    if (d.strictOnly) {
      expect(r.valid, JSON.stringify(r.errors)).toBe(true)
      expect(r.errors).toEqual([])
      expect(r.warnings.join('\n')).toMatch(/missing serverAuth extended key usage/)
      expect(r.checks.find((c) => c.name === 'eku')?.status).toBe('warn')
    } else {
      expect(r.valid).toBe(false)
      expect(r.errors[0].code).toBe(d.code)
    }
  })

  it('only eku-client-only needs --strict', () => {
    expect(DEFECTS.filter((d) => d.strictOnly).map((d) => d.name)).toEqual(['eku-client-only'])
  })

  it('a correct SVID is valid, strict or not', () => {
    for (const strict of [false, true]) {
      const r = verifyFiles({dir: good, strict})
      expect(r.valid, JSON.stringify(r.errors)).toBe(true)
      expect(r.warnings).toEqual([])
    }
  })
})

describe('hints (spiffe-rules.md §3 steps 9 and 10b)', () => {
  it('missing-intermediate: the hint names the leaf issuer (subject, AKI) and says the chain holds only the leaf', () => {
    const r = verifyFiles({dir: dirOf('missing-intermediate')})
    expect(r.errors[0].hint).toContain('O=svidkit, OU=example.org, CN=intermediate CA 1')
    expect(r.errors[0].hint).toMatch(/AKI [0-9a-f]{40}/)
    expect(r.errors[0].hint).toMatch(/only the leaf/)
    expect(r.errors[0].hint).toMatch(/-untrusted/)
  })

  it('untrusted and bad-signature: the hint points at a key that did not sign (look-alike CA)', () => {
    for (const name of ['untrusted', 'bad-signature']) {
      expect(verifyFiles({dir: dirOf(name)}).errors[0].hint, name).toMatch(/look-alike|did not sign/)
    }
  })

  it('name-constraint-violation: the hint says the constraint is written as a URI and to use the bare name', () => {
    expect(verifyFiles({dir: dirOf('name-constraint-violation')}).errors[0].hint).toMatch(/bare trust-domain name/)
  })
})

describe('verify through the real CLI (child processes: exit codes as a shell sees them)', () => {
  it('--json: exit 4 with errors[0].code for missing-intermediate and path-length', () => {
    for (const name of ['missing-intermediate', 'path-length']) {
      const d = DEFECTS.find((x) => x.name === name) as Defect
      const r = spawnCli(['verify', '--dir', dirOf(name), '--json', '--strict'])
      expect(r.status, r.stderr).toBe(4)
      const doc = JSON.parse(r.stdout) as VerifyJson
      expect(doc.valid).toBe(false)
      expect(doc.errors[0].code).toBe(d.code)
      expect(r.stderr).not.toMatch(STACK_LINE)
    }
  })

  it('human mode: exit 4, the code and a hint on stdout, no stack trace', () => {
    const r = spawnCli(['verify', '--dir', dirOf('name-constraint-violation')])
    expect(r.status).toBe(4)
    const out = plain(r.stdout)
    expect(out).toMatch(/^INVALID/)
    expect(out).toMatch(/reason\s+\[name-constraint-violation\]/)
    expect(out).toMatch(/hint\s+\S/)
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE)
  })

  it('eku-client-only: exit 4 with --strict, exit 0 with a warning without it', () => {
    const strict = spawnCli(['verify', '--dir', dirOf('eku-client-only'), '--json', '--strict'])
    expect(strict.status).toBe(4)
    expect((JSON.parse(strict.stdout) as VerifyJson).errors[0].code).toBe('eku-incomplete')
    const lax = spawnCli(['verify', '--dir', dirOf('eku-client-only'), '--json'])
    expect(lax.status).toBe(0)
    const doc = JSON.parse(lax.stdout) as VerifyJson
    expect(doc.valid).toBe(true)
    expect(doc.warnings.join('\n')).toMatch(/missing serverAuth/)
  })
})

describe('combined defects', () => {
  it('expired + leaf-is-ca: both codes, the lower step (leaf-is-ca, step 5) first', async () => {
    const dir = await issueTo(ca, join(base(), 'combo-expired-leaf-is-ca'), {defects: ['expired', 'leaf-is-ca']})
    const r = verifyFiles({dir, strict: true})
    expect(r.errors.map((e) => e.code)).toEqual(['leaf-is-ca', 'cert-expired'])
  })

  it('key-mismatch + eku-client-only + leaf-crl-sign: every code, in step order', async () => {
    const dir = await issueTo(ca, join(base(), 'combo-3'), {
      defects: ['eku-client-only', 'key-mismatch', 'leaf-crl-sign'],
    })
    expect(verifyFiles({dir, strict: true}).errors.map((e) => e.code)).toEqual([
      'leaf-crl-sign',
      'key-mismatch',
      'eku-incomplete',
    ])
    expect(verifyFiles({dir}).errors.map((e) => e.code)).toEqual(['leaf-crl-sign', 'key-mismatch'])
  })

  it('two defects of the same aspect are refused as a usage error (library)', () => {
    const byAspect = new Map<string, Defect[]>()
    for (const d of DEFECTS) byAspect.set(d.aspect, [...(byAspect.get(d.aspect) ?? []), d])
    let pairs = 0
    for (const [aspect, list] of byAspect) {
      if (list.length < 2) continue
      pairs++
      let err: unknown
      try {
        parseDefects([list[0].name, list[1].name])
      } catch (e) {
        err = e
      }
      expect(isSvidkitError(err), aspect).toBe(true)
      expect((err as {code: string; exit: number}).code).toBe('usage')
      expect((err as {code: string; exit: number}).exit).toBe(2)
      expect((err as Error).message).toContain(aspect)
    }
    expect(pairs).toBeGreaterThan(0)
  })

  it('CLI: issue --defect expired --defect not-yet-valid exits 2; expired + leaf-is-ca is issued and verify lists both', async () => {
    const args = ['issue', '--ca', ca.dir, '--spiffe-id', `spiffe://${TD}/combo`]
    const same = await runCli([
      ...args,
      '--out',
      join(base(), 'cli-same'),
      '--defect',
      'expired',
      '--defect',
      'not-yet-valid',
      '--json',
    ])
    expect(same.exit).toBe(2)
    expect((jsonOf(same.stdout) as {error: {code: string}}).error.code).toBe('usage')
    const out = join(base(), 'cli-combo')
    const ok = await runCli([...args, '--out', out, '--defect', 'expired', '--defect', 'leaf-is-ca', '--json'])
    expect(ok.exit, ok.stdout + ok.stderr).toBe(0)
    expect((jsonOf(ok.stdout) as {defects: {code: string}[]}).defects.map((d) => d.code)).toEqual([
      'cert-expired',
      'leaf-is-ca',
    ])
    const v = await runCli(['verify', '--dir', out, '--json'])
    expect(v.exit).toBe(4)
    expect((jsonOf(v.stdout) as VerifyJson).errors.map((e) => e.code)).toEqual(['leaf-is-ca', 'cert-expired'])
  })

  /** Defects that mask each other are refused as a usage error (exit 2), never an internal error. */
  it.each([
    ['no-uri-san', 'expired'],
    ['id-uppercase', 'untrusted'],
    ['untrusted', 'path-length'],
    ['untrusted', 'expired-intermediate'],
    ['signing-cert-not-ca', 'missing-intermediate'],
    ['bad-signature', 'expired'],
    ['expired', 'unknown-critical-extension'],
  ])('%s + %s: either issued with both codes or refused as a usage error, never an internal error', async (a, b) => {
    let err: unknown
    let dir: string | undefined
    try {
      dir = await issueTo(ca, join(base(), `mask-${a}-${b}`), {defects: [a, b]})
    } catch (e) {
      err = e
    }
    if (err) {
      expect((err as {code?: string}).code, (err as Error).message).toBe('usage')
      return
    }
    const codes = verifyFiles({dir: dir as string, strict: true}).errors.map((e) => e.code)
    for (const n of [a, b]) expect(codes).toContain(DEFECTS.find((d) => d.name === n)?.code)
  })
})

/**
 * What OpenSSL 3.0 (`openssl verify -x509_strict -CAfile bundle -untrusted chain leaf`)
 * says about each defect, found empirically with OpenSSL 3.0.19. `null` = OpenSSL accepts
 * it because it does not check that rule; every such row says why.
 */
const OPENSSL: Record<string, {rejects: RegExp; error: string} | {rejects: null; why: string}> = {
  'no-uri-san': {rejects: null, why: 'SPIFFE rule: URI SAN count'},
  'multiple-uri-sans': {rejects: null, why: 'SPIFFE rule: URI SAN count'},
  'non-spiffe-uri': {rejects: null, why: 'SPIFFE ID syntax'},
  'id-uppercase': {rejects: null, why: 'SPIFFE ID syntax'},
  'id-percent-encoded': {rejects: null, why: 'SPIFFE ID syntax'},
  'id-dot-segment': {rejects: null, why: 'SPIFFE ID syntax'},
  'id-trailing-slash': {rejects: null, why: 'SPIFFE ID syntax'},
  'id-port': {rejects: null, why: 'SPIFFE ID syntax'},
  'leaf-root-path': {rejects: null, why: 'SPIFFE rule: leaf ID path'},
  'leaf-is-ca': {rejects: null, why: 'OpenSSL accepts a CA certificate as the leaf'},
  'leaf-no-digital-signature': {
    rejects: null,
    why: 'leaf key usage is checked only per -purpose, and sslserver/sslclient accept keyAgreement',
  },
  'leaf-key-cert-sign': {
    rejects: /error 82 .*Key usage keyCertSign invalid for non-CA cert/,
    error: '82 X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA (-x509_strict only)',
  },
  'leaf-crl-sign': {rejects: null, why: 'OpenSSL does not reject cRLSign on a non-CA certificate'},
  'signing-cert-not-ca': {
    rejects: /error 79 .*invalid CA certificate/,
    error: '79 X509_V_ERR_INVALID_CA (also 82 for its keyCertSign)',
  },
  'signing-cert-no-key-cert-sign': {
    rejects: /error 32 .*key usage does not include certificate signing/,
    error: '32 X509_V_ERR_KEYUSAGE_NO_CERTSIGN (also 79 invalid CA, 81 path length without keyCertSign)',
  },
  'key-mismatch': {rejects: null, why: 'openssl verify is given no private key'},
  untrusted: {
    rejects: /error 20 .*unable to get local issuer certificate/,
    error: '20 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY (the AKI names a key no CA has)',
  },
  'missing-intermediate': {
    rejects: /error 20 .*unable to get local issuer certificate/,
    error: '20 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  },
  'bad-signature': {rejects: /error 7 .*certificate signature failure/, error: '7 X509_V_ERR_CERT_SIGNATURE_FAILURE'},
  expired: {
    rejects: /error 10 at 0 depth .*certificate has expired/,
    error: '10 X509_V_ERR_CERT_HAS_EXPIRED (depth 0)',
  },
  'not-yet-valid': {
    rejects: /error 9 at 0 depth .*certificate is not yet valid/,
    error: '9 X509_V_ERR_CERT_NOT_YET_VALID',
  },
  'expired-intermediate': {
    rejects: /error 10 at 1 depth .*certificate has expired/,
    error: '10 X509_V_ERR_CERT_HAS_EXPIRED (depth 1)',
  },
  'name-constraint-violation': {
    rejects: /error 47 .*permitted subtree violation/,
    error: '47 X509_V_ERR_PERMITTED_VIOLATION',
  },
  'path-length': {rejects: /error 25 .*path length constraint exceeded/, error: '25 X509_V_ERR_PATH_LENGTH_EXCEEDED'},
  'unknown-critical-extension': {
    rejects: /error 34 .*unhandled critical extension/,
    error: '34 X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION',
  },
  'eku-client-only': {
    rejects: null,
    why: 'no -purpose given: EKU unchecked (with -purpose sslserver: error 26, see below)',
  },
}

/** Reason codes of rules OpenSSL does not check, so it may accept what svidkit rejects. */
const OPENSSL_UNCHECKED = new Set([
  'no-uri-san',
  'multiple-uri-sans',
  'spiffe-id-invalid',
  'leaf-root-path',
  'leaf-is-ca',
  'key-mismatch',
  'eku-incomplete',
  // Leaf key-usage bits other than keyCertSign: OpenSSL has no equivalent rule.
  'leaf-no-digital-signature',
  'leaf-crl-sign',
])

function opensslVerify(dir: string, extra: string[] = []): {status: number | null; out: string} {
  const f = svidFiles(dir)
  const leaf = writeLeafOnly(f.cert, join(dir, 'leaf-only.pem'))
  const r = run('openssl', ['verify', '-x509_strict', ...extra, '-CAfile', f.bundle, '-untrusted', f.cert, leaf])
  return {status: r.status, out: r.stdout + r.stderr}
}

describe.skipIf(!hasOpenssl)('OpenSSL cross-check (openssl verify -x509_strict)', () => {
  it('accepts the correct SVID', () => {
    const r = opensslVerify(good)
    expect(r.status, r.out).toBe(0)
    expect(r.out).toMatch(/: OK$/m)
  })

  it('every defect has a row in the OpenSSL table', () => {
    expect(DEFECTS.map((d) => d.name).filter((n) => !(n in OPENSSL))).toEqual([])
  })

  it.each(cases)('%s', (_name, d) => {
    const expected = OPENSSL[d.name]
    if (!expected) throw new Error(`classify defect "${d.name}" in the OPENSSL table`)
    const r = opensslVerify(dirOf(d.name))
    if (expected.rejects) {
      expect(r.status, r.out).not.toBe(0)
      expect(r.out).toMatch(expected.rejects)
    } else {
      expect(r.status, `openssl ${r.out}`).toBe(0)
      // Accepting is fine only for a rule OpenSSL does not check.
      expect(OPENSSL_UNCHECKED.has(d.code), `openssl accepts ${d.name} (${d.code})`).toBe(true)
    }
  })

  it('eku-client-only with -purpose sslserver: unsuitable certificate purpose (error 26)', () => {
    const r = opensslVerify(dirOf('eku-client-only'), ['-purpose', 'sslserver'])
    expect(r.status).not.toBe(0)
    expect(r.out).toMatch(/error 26 .*unsuitable certificate purpose/)
    expect(opensslVerify(dirOf('eku-client-only'), ['-purpose', 'sslclient']).status).toBe(0)
  })
})
