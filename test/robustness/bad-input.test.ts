/**
 * A corpus of broken and misplaced inputs, generated in a temp dir, fed to `verify` (as the
 * chain, as --key, as --bundle) and to `inspect`, through the library and, for a sample,
 * through the CLI. Every case must end in a deliberate SvidkitError with the right reason
 * code (exit 3), a one-line message and a hint: never an uncaught exception, an internal
 * error or a stack trace.
 */
import {createCipheriv, generateKeyPairSync} from 'node:crypto'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {isSvidkitError, type ReasonCode} from '../../src/core/errors.js'
import {inspectFile} from '../../src/core/inspect/inspect.js'
import {verifyFiles} from '../../src/core/verify/verify-files.js'
import {crypto, x509} from '../../src/core/x509/provider.js'
import {failureOf, jsonOf, runCli, STACK_LINE, type FailureDoc} from '../helpers/cli.js'
import {certBlocks} from '../helpers/pem.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {SPIFFE_DATA, SVID_DATA, goSpiffe as fx} from '../helpers/go-spiffe.js'

/** A valid chain, key and labelled bundle: only the input under test is broken. */
const CHAIN = fx(`${SVID_DATA}/good-leaf-and-intermediate.pem`)
const KEY = fx(`${SVID_DATA}/key-pkcs8-ecdsa.pem`)
const BUNDLE = `example.org=${fx(`${SPIFFE_DATA}/spiffebundle_valid_1.json`)}`
const AT = new Date('2020-03-24T14:30:00Z')

/** Returns `n` deterministic pseudo-random bytes (AES-256-CTR keystream under a fixed key). */
function noise(n: number, seed: number): Buffer {
  const key = Buffer.alloc(32, seed)
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16, 0))
  return Buffer.concat([c.update(Buffer.alloc(n)), c.final()])
}

const LEAF_PEM = readFileSync(fx(`${SVID_DATA}/good-leaf-only.pem`), 'utf8')
const LEAF_DER = Buffer.from(
  certBlocks(LEAF_PEM)[0]
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join(''),
  'base64',
)
const LEAF_BODY = LEAF_PEM.split('\n').filter((l) => l && !l.startsWith('-----'))

type Mode = 'chain' | 'key' | 'bundle' | 'inspect'

/**
 * What each mode must produce for a case: a reason code, `ok` where the input is fine in
 * that role, `empty-bundle` where §4.1 reads it as a valid empty bundle, or `skip`.
 */
type Outcome = ReasonCode | 'ok' | 'empty-bundle' | 'skip'

interface Case {
  name: string
  /** File name in the corpus dir; `make` writes it (absent for the missing file). */
  file: string
  make?: (path: string) => void | Promise<void>
  expect: Record<Mode, Outcome>
  /** Known deviations from the expected outcome in src/, by mode (reported, tests marked it.fails). */
  knownBugs?: Partial<Record<Mode, string>>
}

const all = (chain: Outcome, key: Outcome, bundle: Outcome, inspect: Outcome): Record<Mode, Outcome> => ({
  chain,
  key,
  bundle,
  inspect,
})
const invalid = (inspect: Outcome = 'pem-invalid') => all('pem-invalid', 'key-invalid', 'bundle-invalid', inspect)

const CASES: Case[] = [
  {
    name: 'empty file',
    file: 'empty.pem',
    make: (p) => writeFileSync(p, ''),
    expect: all('pem-invalid', 'key-invalid', 'empty-bundle', 'pem-invalid'),
  },
  {
    name: 'whitespace only',
    file: 'blank.pem',
    make: (p) => writeFileSync(p, ' \n\t\r\n  \n'),
    expect: all('pem-invalid', 'key-invalid', 'empty-bundle', 'pem-invalid'),
  },
  {
    name: 'PEM cut in the middle of the base64 (END line missing)',
    file: 'cut.pem',
    make: (p) => writeFileSync(p, LEAF_PEM.slice(0, Math.floor(LEAF_PEM.length / 2))),
    expect: invalid(),
  },
  {
    name: 'PEM with the END line missing',
    file: 'no-end.pem',
    make: (p) => writeFileSync(p, `-----BEGIN CERTIFICATE-----\n${LEAF_BODY.join('\n')}\n`),
    expect: invalid(),
  },
  {
    name: 'PEM whose base64 body is cut short (END line present, length not a multiple of 4)',
    file: 'short-body.pem',
    make: (p) =>
      writeFileSync(p, `-----BEGIN CERTIFICATE-----\n${LEAF_BODY.join('').slice(0, 401)}\n-----END CERTIFICATE-----\n`),
    expect: all('pem-invalid', 'key-invalid', 'bundle-invalid', 'pem-invalid'),
  },
  {
    name: 'PEM whose base64 body is cut short (END line present, whole quanta)',
    file: 'short-der.pem',
    make: (p) =>
      writeFileSync(p, `-----BEGIN CERTIFICATE-----\n${LEAF_BODY.join('').slice(0, 400)}\n-----END CERTIFICATE-----\n`),
    expect: all('pem-invalid', 'key-invalid', 'bundle-invalid', 'pem-invalid'),
  },
  {
    name: 'garbage base64 in a CERTIFICATE block',
    file: 'garbage.pem',
    make: (p) => writeFileSync(p, '-----BEGIN CERTIFICATE-----\n!!not*base64~~\n@@@@\n-----END CERTIFICATE-----\n'),
    expect: invalid(),
  },
  {
    name: 'valid base64 of non-DER bytes in a CERTIFICATE block',
    file: 'not-der.pem',
    make: (p) =>
      writeFileSync(p, `-----BEGIN CERTIFICATE-----\n${noise(300, 7).toString('base64')}\n-----END CERTIFICATE-----\n`),
    expect: all('pem-invalid', 'key-invalid', 'bundle-invalid', 'pem-invalid'),
  },
  {
    name: 'DER with trailing bytes',
    file: 'trailing.der',
    make: (p) => writeFileSync(p, Buffer.concat([LEAF_DER, Buffer.from([0, 1, 2, 3])])),
    expect: invalid(),
  },
  {
    name: 'truncated DER',
    file: 'truncated.der',
    make: (p) => writeFileSync(p, LEAF_DER.subarray(0, 500)),
    expect: invalid(),
  },
  {
    name: 'a CSR (CERTIFICATE REQUEST block)',
    file: 'csr.pem',
    make: async (p) => {
      const keys = (await crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-256'}, true, [
        'sign',
        'verify',
      ])) as CryptoKeyPair
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: 'CN=workload',
        keys,
        signingAlgorithm: {name: 'ECDSA', hash: 'SHA-256'},
      })
      writeFileSync(p, csr.toString('pem'))
    },
    // inspect reads CSRs since issue 20 (item 2); as a chain, key or bundle a CSR is still refused.
    expect: invalid('ok'),
  },
  {
    name: 'a PUBLIC KEY block',
    file: 'public.pem',
    make: (p) =>
      writeFileSync(
        p,
        generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey.export({format: 'pem', type: 'spki'}),
      ),
    expect: invalid(),
  },
  {
    name: 'a private key where a certificate is expected',
    file: 'key.pem',
    make: (p) => writeFileSync(p, readFileSync(KEY)),
    // as --key it is the right input; inspect shows a key file
    expect: all('pem-invalid', 'ok', 'bundle-invalid', 'ok'),
  },
  {
    name: 'a certificate where a key is expected',
    file: 'cert.pem',
    make: (p) => writeFileSync(p, LEAF_PEM),
    expect: all('skip', 'key-invalid', 'skip', 'skip'),
  },
  {
    name: 'an encrypted PKCS#8 key',
    file: 'encrypted.pem',
    make: (p) =>
      writeFileSync(
        p,
        generateKeyPairSync('ec', {
          namedCurve: 'P-256',
          privateKeyEncoding: {type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret'},
          publicKeyEncoding: {type: 'spki', format: 'pem'},
        }).privateKey,
      ),
    expect: invalid('key-invalid'),
  },
  {
    name: 'PEM armour with a lowercase label only',
    file: 'lowercase.pem',
    make: (p) => writeFileSync(p, `-----BEGIN certificate-----\n${LEAF_BODY.join('\n')}\n-----END certificate-----\n`),
    expect: invalid(),
  },
  {
    name: 'a directory',
    file: 'a-directory',
    make: (p) => mkdirSync(p),
    expect: all('not-a-regular-file', 'not-a-regular-file', 'not-a-regular-file', 'not-a-regular-file'),
  },
  {
    name: 'a missing file',
    file: 'does-not-exist.pem',
    expect: all('file-not-found', 'file-not-found', 'file-not-found', 'file-not-found'),
  },
  {
    name: 'a 50 MB file of random bytes',
    file: 'big.bin',
    make: (p) => writeFileSync(p, noise(50 * 1024 * 1024, 1)),
    expect: invalid(),
  },
  {name: 'binary noise (4 KB)', file: 'noise.bin', make: (p) => writeFileSync(p, noise(4096, 2)), expect: invalid()},
  {
    name: 'binary noise (4 KB) starting like DER',
    file: 'noise-0x30.bin',
    make: (p) => writeFileSync(p, Buffer.concat([Buffer.from([0x30, 0x82, 0x0f, 0xfc]), noise(4092, 3)])),
    expect: invalid(),
  },
  // JSON is a bundle to inspect, so a broken one is bundle-invalid there
  {name: 'JSON "{"', file: 'brace.json', make: (p) => writeFileSync(p, '{\n'), expect: invalid('bundle-invalid')},
  {name: 'JSON []', file: 'array.json', make: (p) => writeFileSync(p, '[]\n'), expect: invalid('bundle-invalid')},
  {
    name: 'JSON {"keys": 5}',
    file: 'keys5.json',
    make: (p) => writeFileSync(p, '{"keys": 5}\n'),
    expect: invalid('bundle-invalid'),
  },
  {
    name: 'JSON bundle map with a bad key',
    file: 'map.json',
    make: (p) => writeFileSync(p, '{"trust_domains": {"Bad Name!": {"keys": []}}}\n'),
    expect: invalid('bundle-invalid'),
  },
]

const dir = suiteTmpDir()
const pathOf = (c: Case) => join(dir(), c.file)

beforeAll(async () => {
  for (const c of CASES) await c.make?.(pathOf(c))
})

/** Runs one mode through the library; returns `ok`, `empty-bundle`-style results or the error. */
function runMode(mode: Mode, path: string): {ok: true; value: unknown} | {ok: false; err: unknown} {
  try {
    switch (mode) {
      case 'chain':
        return {ok: true, value: verifyFiles({file: path, bundles: [BUNDLE], at: AT})}
      case 'key':
        return {ok: true, value: verifyFiles({file: CHAIN, key: path, bundles: [BUNDLE], at: AT})}
      case 'bundle':
        return {ok: true, value: verifyFiles({file: CHAIN, bundles: [`example.org=${path}`], at: AT})}
      case 'inspect':
        return {ok: true, value: inspectFile(path, AT)}
    }
  } catch (err) {
    return {ok: false, err}
  }
}

const MODES: Mode[] = ['chain', 'key', 'bundle', 'inspect']

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
  for (const mode of MODES) {
    const outcome = c.expect[mode]
    if (outcome === 'skip') continue
    const bug = c.knownBugs?.[mode]
    const test = bug ? it.fails : it
    test(`${mode}: ${outcome}${bug ? ` (known bug: ${bug})` : ''}`, () => {
      const r = runMode(mode, pathOf(c))
      if (outcome === 'ok') {
        if (!r.ok) throw r.err
        if (mode !== 'inspect') expect((r.value as {valid: boolean}).valid).toBe(true)
        return
      }
      if (outcome === 'empty-bundle') {
        // spiffe-rules §4.1: a 0-byte or blank PEM bundle is valid and empty, so nothing is trusted
        if (!r.ok) throw r.err
        const v = r.value as {errors: {code: string}[]; warnings: string[]}
        expect(v.errors.map((e) => e.code)).toEqual(['untrusted-chain'])
        expect(v.warnings.some((w) => /no X\.509 authority/.test(w))).toBe(true)
        return
      }
      expect(r.ok, `expected ${outcome}, got a result`).toBe(false)
      const err = (r as {err: unknown}).err
      expect(isSvidkitError(err), `not a SvidkitError: ${String(err)}`).toBe(true)
      if (!isSvidkitError(err)) return
      expect(err.code).toBe(outcome)
      expect(err.exit).toBe(3)
      expect(err.message).not.toMatch(/\n/)
      // go-spiffe style (cli-contract.md): lowercase, no final period
      expect(err.message).toMatch(/^(?![A-Z][a-z]).*[^.]$/)
      expect(err.message.length).toBeLessThan(300)
      expect(err.hint).toBeTruthy()
      expect(err.hint).not.toMatch(/\n/)
    })
  }
})

describe('specific messages and hints', () => {
  const lib = (mode: Mode, file: string) => {
    const r = runMode(mode, join(dir(), file))
    if (r.ok) throw new Error('expected an error')
    return r.err as {code: string; message: string; hint: string}
  }

  it('the encrypted key says so and tells how to decrypt it', () => {
    const e = lib('key', 'encrypted.pem')
    expect(e.message).toMatch(/encrypted private key/)
    expect(e.hint).toMatch(/openssl pkcs8/)
  })

  it('a key given as the chain points at --key', () => {
    expect(lib('chain', 'key.pem').hint).toMatch(/--key/)
  })

  it('trailing bytes and truncation are named', () => {
    expect(lib('chain', 'trailing.der').message).toMatch(/4 unexpected bytes after the certificate/)
    expect(lib('chain', 'truncated.der').message).toMatch(/truncated certificate DER/)
    expect(lib('chain', 'no-end.pem').message).toMatch(/no matching END line/)
  })

  it('the oversized file is refused by size without being parsed', () => {
    expect(lib('chain', 'big.bin').message).toMatch(/52428800 bytes, more than the \d+-byte limit/)
  })

  it('a PEM file without any readable block does not say "(found )"', () => {
    expect(lib('chain', 'lowercase.pem').message).not.toMatch(/\(found \)/)
  })

  it('a certificate given as the key names what was found', () => {
    expect(lib('key', 'cert.pem').message).toMatch(/no private key found .*\(found CERTIFICATE\)/)
  })
})

/** Strips ANSI colour codes. */
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')

/** A sample of the corpus through the real commands. */
const CLI_CASES: {args: (p: (f: string) => string) => string[]; code: ReasonCode}[] = [
  {args: (p) => ['verify', p('noise.bin'), '--bundle', BUNDLE], code: 'pem-invalid'},
  {args: (p) => ['verify', p('cut.pem'), '--bundle', BUNDLE], code: 'pem-invalid'},
  {args: (p) => ['verify', CHAIN, '--key', p('encrypted.pem'), '--bundle', BUNDLE], code: 'key-invalid'},
  {args: (p) => ['verify', CHAIN, '--key', p('cert.pem'), '--bundle', BUNDLE], code: 'key-invalid'},
  {args: (p) => ['verify', CHAIN, '--bundle', `example.org=${p('keys5.json')}`], code: 'bundle-invalid'},
  {args: (p) => ['verify', CHAIN, '--bundle', `example.org=${p('array.json')}`], code: 'bundle-invalid'},
  {args: (p) => ['verify', CHAIN, '--bundle', `example.org=${p('trailing.der')}`], code: 'bundle-invalid'},
  {args: (p) => ['verify', p('does-not-exist.pem'), '--bundle', BUNDLE], code: 'file-not-found'},
  {args: (p) => ['verify', p('big.bin'), '--bundle', BUNDLE], code: 'pem-invalid'},
  {args: (p) => ['inspect', p('a-directory')], code: 'not-a-regular-file'},
  {args: (p) => ['inspect', p('garbage.pem')], code: 'pem-invalid'},
  {args: (p) => ['inspect', p('brace.json')], code: 'bundle-invalid'},
]

describe('through the CLI: exit 3, one error line and one hint line, no stack', () => {
  const p = (f: string) => join(dir(), f)
  it.each(CLI_CASES.map((c) => [c.args((f) => `<${f}>`).join(' '), c] as const))('%s', async (_, c) => {
    const args = [...c.args(p), ...(c.args(p)[0] === 'verify' ? ['--at', AT.toISOString()] : [])]
    const human = await runCli(args)
    expect(human.exit).toBe(3)
    expect(human.stdout).toBe('')
    const lines = plain(human.stderr).trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(new RegExp(`^error \\[${c.code}\\]: \\S`))
    expect(lines[1]).toMatch(/^ {2}hint: \S/)
    expect(human.stderr).not.toMatch(STACK_LINE)

    const json = await runCli([...args, '--json'])
    expect(json.exit).toBe(3)
    expect(json.stderr).not.toMatch(STACK_LINE)
    const {failed, error} = failureOf(jsonOf(json.stdout) as FailureDoc)
    expect(failed).toBe(true)
    expect(error?.code).toBe(c.code)
    expect(error?.message).not.toMatch(/\n/)
    expect(error?.hint).toBeTruthy()
  })

  it('inspect of a CSR shows it (issue 20 item 2), and verify of one exits 3 with pem-invalid', async () => {
    const r = await runCli(['inspect', p('csr.pem')])
    expect(r.exit).toBe(0)
    expect(plain(r.stdout)).toMatch(/\(csr\)\n {3}subject +CN=workload\n/)
    const v = await runCli(['verify', p('csr.pem'), '--bundle', p('csr.pem')])
    expect(v.exit).toBe(3)
    expect(plain(v.stderr)).toMatch(/^error \[pem-invalid\]/)
  })

  it('a JSON syntax error in a bundle gives a one-line message', async () => {
    const file = p('syntax-error.json')
    writeFileSync(file, '{"keys":\n[x]}\n')
    const r = await runCli(['verify', CHAIN, '--bundle', `example.org=${file}`, '--at', AT.toISOString()])
    expect(r.exit).toBe(3)
    expect(plain(r.stderr).trimEnd().split('\n')).toHaveLength(2)
  })

  it('a bundle map nested 50 000 levels deep is bundle-invalid or read, not an internal error', async () => {
    const file = p('deep-map.json')
    writeFileSync(file, `{"trust_domains": {}, "x": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`)
    const r = await runCli(['verify', CHAIN, '--bundle', file, '--at', AT.toISOString()])
    expect(r.exit).not.toBe(1)
    expect(plain(r.stderr)).not.toMatch(/\[internal\]/)
  })

  it('an X25519 key (cannot sign) is key-invalid, exit 3', async () => {
    const file = p('x25519.pem')
    writeFileSync(file, generateKeyPairSync('x25519').privateKey.export({format: 'pem', type: 'pkcs8'}))
    const r = await runCli(['verify', CHAIN, '--key', file, '--bundle', BUNDLE, '--at', AT.toISOString()])
    expect(r.exit).toBe(3)
    expect(plain(r.stderr)).toMatch(/^error \[key-invalid\]/)
  })

  it('an empty bundle file is read as an empty bundle: exit 4 untrusted-chain, with a warning', async () => {
    const r = await runCli([
      'verify',
      CHAIN,
      '--bundle',
      `example.org=${p('empty.pem')}`,
      '--at',
      AT.toISOString(),
      '--json',
    ])
    expect(r.exit).toBe(4)
    const doc = jsonOf(r.stdout) as {errors: {code: string}[]; warnings: string[]}
    expect(doc.errors[0].code).toBe('untrusted-chain')
    expect(doc.warnings.some((w) => /no X\.509 authority/.test(w))).toBe(true)
  })
})
