/**
 * The "Full verification recipes" of /work/shared/conformance/README.md: every row through
 * the real `verify` command (in process, human and --json mode) and through the library,
 * and the OpenSSL cross-check stated under the table.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {isSvidkitError} from '../../src/core/errors.js'
import {verifyFiles} from '../../src/core/verify/verify-files.js'
import {jsonOf, runCli, STACK_LINE} from '../helpers/cli.js'
import {certBlocks} from '../helpers/pem.js'
import {hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {SPIFFE_DATA, SVID_DATA, X509_DATA, fx} from './fixtures.js'
import {requireConformance} from '../helpers/shared.js'

requireConformance()

warnIfMissing('openssl', hasOpenssl)

const C = fx(`${SVID_DATA}/good-leaf-and-intermediate.pem`)
const B = fx(`${SPIFFE_DATA}/spiffebundle_valid_1.json`)
const AT = '2020-03-24T14:30:00Z'
const ID = 'spiffe://example.org/workload-1'
const EC_KEY = fx(`${SVID_DATA}/key-pkcs8-ecdsa.pem`)
const RSA_KEY = fx(`${SVID_DATA}/key-pkcs8-rsa.pem`)

/** The warning for a bundle labelled example.org whose CA names trust domain `local`. */
const LOCAL_WARNING = /labelled "example\.org" but its authorities name trust domain "local"/

interface Recipe {
  name: string
  /** `verify` arguments (--at is added unless present). */
  args: string[]
  /** `ok` or the reason code of errors[0]. */
  expect: string
  /** A warning that must be reported. */
  warning?: RegExp
}

const RECIPES: Recipe[] = [
  {
    name: 'labelled bundle, expected ID',
    args: [C, '--bundle', `example.org=${B}`, '--expect-id', ID],
    expect: 'ok',
    warning: LOCAL_WARNING,
  },
  {
    name: '+ --key EC key',
    args: [C, '--bundle', `example.org=${B}`, '--expect-id', ID, '--key', EC_KEY],
    expect: 'ok',
    warning: LOCAL_WARNING,
  },
  {
    name: '+ --strict',
    args: [C, '--bundle', `example.org=${B}`, '--expect-id', ID, '--strict'],
    expect: 'ok',
    warning: LOCAL_WARNING,
  },
  {
    name: '+ --key RSA key',
    args: [C, '--bundle', `example.org=${B}`, '--expect-id', ID, '--key', RSA_KEY],
    expect: 'key-mismatch',
  },
  {name: 'unlabelled bundle binds to "local"', args: [C, '--bundle', B], expect: 'bundle-not-found'},
  {
    name: '--at after the leaf ended',
    args: [C, '--bundle', `example.org=${B}`, '--at', '2020-03-24T16:00:00Z'],
    expect: 'cert-expired',
  },
  {
    name: '--at before the leaf started',
    args: [C, '--bundle', `example.org=${B}`, '--at', '2020-03-24T14:06:00Z'],
    expect: 'cert-not-yet-valid',
  },
  {
    name: 'other expected ID',
    args: [C, '--bundle', `example.org=${B}`, '--expect-id', 'spiffe://example.org/workload-2'],
    expect: 'id-mismatch',
  },
  {
    name: 'JWKS entry with two x5c certificates',
    args: [C, '--bundle', `example.org=${fx(`${SPIFFE_DATA}/spiffebundle_multiple_x509.json`)}`],
    expect: 'ok',
    warning: /expected a single certificate in x509-svid entry 0; got 2/,
  },
  {
    name: 'JWKS entry with two x5c certificates, --strict',
    args: [C, '--bundle', `example.org=${fx(`${SPIFFE_DATA}/spiffebundle_multiple_x509.json`)}`, '--strict'],
    expect: 'bundle-invalid',
  },
  {
    name: 'unrelated roots',
    args: [C, '--bundle', `example.org=${fx(`${X509_DATA}/certs.pem`)}`],
    expect: 'untrusted-chain',
  },
  {
    name: 'empty bundle',
    args: [C, '--bundle', `example.org=${fx(`${X509_DATA}/empty.pem`)}`],
    expect: 'untrusted-chain',
  },
  {
    name: 'JWKS without keys',
    args: [C, '--bundle', `example.org=${fx(`${SPIFFE_DATA}/spiffebundle_no_keys.json`)}`],
    expect: 'bundle-invalid',
  },
]

function withAt(args: string[]): string[] {
  return args.includes('--at') ? args : [...args, '--at', AT]
}

const EXIT: Record<string, number> = {ok: 0, 'bundle-invalid': 3}
const exitOf = (code: string) => EXIT[code] ?? 4

/** Returns the library options for the same arguments. */
function libraryOptions(args: string[]) {
  const flag = (name: string) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []))
  return {
    file: args[0],
    bundles: flag('--bundle'),
    key: flag('--key')[0],
    expectIds: flag('--expect-id'),
    at: new Date(flag('--at')[0]),
    strict: args.includes('--strict'),
  }
}

describe.each(RECIPES.map((r) => [r.name, r] as const))('recipe: %s', (_, recipe) => {
  const args = withAt(recipe.args)

  it(`verify --json: ${recipe.expect}`, async () => {
    const r = await runCli(['verify', ...args, '--json'])
    expect(r.exit).toBe(exitOf(recipe.expect))
    expect(r.stdout).not.toMatch(STACK_LINE)
    expect(r.stderr).not.toMatch(STACK_LINE)
    const doc = jsonOf(r.stdout) as {
      valid?: boolean
      errors?: {code: string}[]
      warnings?: string[]
      error?: {code: string; hint: string}
    }
    if (recipe.expect === 'bundle-invalid') {
      // verify --json keeps its document shape for unreadable input (exit 3).
      expect(doc.valid).toBe(false)
      expect(doc.errors?.[0].code).toBe('bundle-invalid')
      expect((doc.errors?.[0] as {hint?: string} | undefined)?.hint).toBeTruthy()
    } else if (recipe.expect === 'ok') {
      expect(doc.valid).toBe(true)
      expect(doc.errors).toEqual([])
    } else {
      expect(doc.valid).toBe(false)
      expect(doc.errors?.[0].code).toBe(recipe.expect)
    }
    if (recipe.warning)
      expect(
        doc.warnings?.some((w) => recipe.warning!.test(w)),
        JSON.stringify(doc.warnings),
      ).toBe(true)
  })

  it(`verify (human): exit ${exitOf(recipe.expect)}`, async () => {
    const r = await runCli(['verify', ...args])
    expect(r.exit).toBe(exitOf(recipe.expect))
    const out = r.stdout + r.stderr
    expect(out).not.toMatch(STACK_LINE)
    if (recipe.expect === 'ok') expect(r.stdout).toMatch(/^VALID\s+spiffe:\/\/example\.org\/workload-1/m)
    else expect(out).toContain(recipe.expect)
    if (recipe.warning) expect(out).toMatch(recipe.warning)
  })

  it(`library verifyFiles: ${recipe.expect}`, () => {
    const o = libraryOptions(args)
    let result
    try {
      result = verifyFiles(o)
    } catch (err) {
      if (!isSvidkitError(err)) throw err
      expect(err.code).toBe(recipe.expect)
      return
    }
    expect(recipe.expect).not.toBe('bundle-invalid')
    if (recipe.expect === 'ok') {
      expect(result.errors).toEqual([])
      expect(result.valid).toBe(true)
      expect(result.spiffeId).toBe(ID)
    } else expect(result.errors[0].code).toBe(recipe.expect)
    if (recipe.warning) expect(result.warnings.some((w) => recipe.warning!.test(w))).toBe(true)
  })
})

describe('recipe details', () => {
  it('the valid chain reports its path to the spiffe://local root, bound by label', () => {
    const r = verifyFiles({file: C, bundles: [`example.org=${B}`], expectIds: [ID], at: new Date(AT)})
    expect(r.bundle).toMatchObject({
      trustDomain: 'example.org',
      sources: [{path: B, binding: 'label'}],
      anchor: 'C=US, O=SPIFFE',
    })
    expect(r.chain.map((c) => [c.role, c.spiffeId])).toEqual([
      ['leaf', ID],
      ['intermediate', 'spiffe://example.org'],
      ['root', 'spiffe://local'],
    ])
    // earliest notAfter on the path is the leaf's 15:07:40
    expect(r.expiresInMs).toBe(Date.parse('2020-03-24T15:07:40Z') - Date.parse(AT))
  })

  it('without a label the bundle binds to "local" and the hint names it', () => {
    const r = verifyFiles({file: C, bundles: [B], at: new Date(AT)})
    expect(r.errors[0]).toMatchObject({
      code: 'bundle-not-found',
      message: 'no X.509 bundle for trust domain "example.org"',
    })
    expect(r.errors[0].hint).toContain('"local"')
  })

  it('cert-expired names the leaf; cert-not-yet-valid names the leaf, the intermediate being valid already', () => {
    const expired = verifyFiles({file: C, bundles: [`example.org=${B}`], at: new Date('2020-03-24T16:00:00Z')})
    expect(expired.errors.map((e) => e.code)).toEqual(['cert-expired'])
    expect(expired.errors[0].message).toMatch(/after 2020-03-24T15:07:40Z/)
    expect(`${expired.errors[0].message} ${expired.errors[0].hint}`).toMatch(/SPIRE/)
    const early = verifyFiles({file: C, bundles: [`example.org=${B}`], at: new Date('2020-03-24T14:06:00Z')})
    expect(early.errors.map((e) => e.code)).toEqual(['cert-not-yet-valid'])
    expect(`${early.errors[0].message} ${early.errors[0].hint}`).toMatch(/SPIRE/)
  })
})

describe.skipIf(!hasOpenssl)('openssl verify -attime agrees on the valid chain and the two time failures', () => {
  const dir = suiteTmpDir()

  /** Writes root (from B's x5c), intermediate and leaf as PEM files; returns their paths. */
  function files() {
    const jwks = JSON.parse(readFileSync(B, 'utf8')) as {keys: {use: string; x5c: string[]}[]}
    const x5c = jwks.keys.find((k) => k.use === 'x509-svid')!.x5c[0]
    const root = join(dir(), 'root.pem')
    writeFileSync(
      root,
      `-----BEGIN CERTIFICATE-----\n${x5c.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`,
    )
    const [leafPem, interPem] = certBlocks(readFileSync(C, 'utf8'))
    const leaf = join(dir(), 'leaf.pem')
    const inter = join(dir(), 'intermediate.pem')
    writeFileSync(leaf, leafPem)
    writeFileSync(inter, interPem)
    return {root, inter, leaf}
  }

  const CASES = [
    {at: AT, svidkit: 'ok', openssl: null},
    {
      at: '2020-03-24T16:00:00Z',
      svidkit: 'cert-expired',
      openssl: 'error 10 at 0 depth lookup: certificate has expired',
    },
    {
      at: '2020-03-24T14:06:00Z',
      svidkit: 'cert-not-yet-valid',
      openssl: 'error 9 at 0 depth lookup: certificate is not yet valid',
    },
  ]

  it.each(CASES)('at $at: $svidkit', ({at, svidkit, openssl}) => {
    const {root, inter, leaf} = files()
    const unix = String(Date.parse(at) / 1000)
    const o = run('openssl', ['verify', '-attime', unix, '-CAfile', root, '-untrusted', inter, leaf])
    if (openssl === null) {
      expect(o.status, o.stderr).toBe(0)
      expect(o.stdout.trim()).toBe(`${leaf}: OK`)
    } else {
      expect(o.status).not.toBe(0)
      expect(o.stdout + o.stderr).toContain(openssl)
    }
    const r = verifyFiles({file: C, bundles: [`example.org=${B}`], at: new Date(at)})
    expect(r.errors[0]?.code ?? 'ok').toBe(svidkit)
  })
})
