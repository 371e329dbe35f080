/**
 * Seeded mutation test (issue 8 "Proof"): a few hundred mutants of a valid X509-SVID go
 * through the verify and inspect cores, and a handful through the CLI. Two kinds:
 * - re-signed: bytes of the TBS changed, then signed again with the issuing CA's key, so
 *   the parser and the rule checks (not the signature) must catch what is wrong;
 * - raw: bytes anywhere in the certificate changed without re-signing, so the signature
 *   (or the parser) must refuse it.
 * Invariants: only deliberate SvidkitErrors (never an internal error), every run ends
 * (the path search is bounded), and no mutant whose signature no longer verifies under
 * its issuer's key is accepted. openssl verify is asked about a sample: whatever svidkit
 * accepts, openssl accepts too (svidkit only adds SPIFFE rules on top).
 */
import {X509Certificate, sign} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {isSvidkitError} from '../../src/core/errors.js'
import {readCertificates} from '../../src/core/x509/read.js'
import {verifySvid} from '../../src/core/verify/verify.js'
import {inspectBytes} from '../../src/core/inspect/inspect.js'
import {singleBundleSet} from '../../src/core/bundle/single-set.js'
import {certificatePem, type ParsedCertificate} from '../../src/core/x509/certificate.js'
import {bitString, seq} from '../../src/core/x509/der.js'
import {toPem} from '../../src/core/x509/pem.js'
import {runCli, STACK_LINE} from '../helpers/cli.js'
import {hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {prng} from '../helpers/prng.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {caCert, certParts, KIT_AT, leafCert, newKey, type Kp} from '../verify/chain-kit.js'

const RESIGNED = 240
const RAW = 160
const SEED = 0x5eed

/** Returns `bytes` with 1-3 bytes flipped or replaced at random offsets at or after `from`. */
function mutate(bytes: Uint8Array, rnd: () => number, from = 0): Uint8Array {
  const out = Uint8Array.from(bytes)
  const n = 1 + Math.floor(rnd() * 3)
  for (let i = 0; i < n; i++) {
    const at = from + Math.floor(rnd() * (out.length - from))
    out[at] = rnd() < 0.5 ? out[at] ^ (1 << Math.floor(rnd() * 8)) : Math.floor(rnd() * 256)
  }
  return out
}

interface Mutant {
  kind: 'resigned' | 'raw'
  der: Uint8Array
}

interface Outcome {
  /** parse error code, or the verdict. */
  verdict: string
  accepted: boolean
}

let root: ParsedCertificate
let inter: ParsedCertificate
let interKey: Kp
const mutants: Mutant[] = []
const outcomes: Outcome[] = []
const dir = suiteTmpDir()

beforeAll(async () => {
  const rk = newKey()
  interKey = newKey()
  root = await caCert('CN=root', rk, 'CN=root', rk)
  inter = await caCert('CN=int', interKey, 'CN=root', rk)
  const leaf = await leafCert('CN=int', interKey)
  const {tbs, alg} = certParts(leaf.der)
  const rnd = prng(SEED)
  for (let i = 0; i < RESIGNED; i++) {
    // Keep the TBS's outer tag and length so the certificate stays a SEQUENCE; everything inside may change.
    const t = mutate(tbs, rnd, 4)
    mutants.push({
      kind: 'resigned',
      der: new Uint8Array(seq(t, alg, bitString(sign('sha256', t, interKey.privateKey)))),
    })
  }
  for (let i = 0; i < RAW; i++) mutants.push({kind: 'raw', der: mutate(leaf.der, rnd)})
  writeFileSync(join(dir(), 'root.pem'), certificatePem(root))
  writeFileSync(join(dir(), 'inter.pem'), certificatePem(inter))
})

/** Returns true when the mutant's signature verifies under the intermediate's key (by Node's parser, independent of svidkit's). */
function signatureHolds(der: Uint8Array): boolean {
  try {
    return new X509Certificate(der).verify(inter.node.publicKey)
  } catch {
    return false
  }
}

describe('mutants through the verify and inspect cores', () => {
  it(`${RESIGNED} re-signed and ${RAW} raw mutants: only deliberate errors, no accepted bad signature`, () => {
    const bundles = singleBundleSet('example.org', [root])
    const internal: string[] = []
    for (const [i, m] of mutants.entries()) {
      let outcome: Outcome
      try {
        const chain = readCertificates(m.der, `mutant ${i}`)
        const r = verifySvid({chain: [...chain, inter], bundles, at: KIT_AT})
        expect(r.valid).toBe(r.errors.length === 0)
        outcome = {verdict: r.valid ? 'valid' : r.errors[0].code, accepted: r.valid}
        if (r.valid)
          expect(signatureHolds(m.der), `mutant ${i} (${m.kind}) accepted with a signature that does not verify`).toBe(
            true,
          )
      } catch (err) {
        if (!isSvidkitError(err) || err.exit === 1) internal.push(`mutant ${i} (${m.kind}): ${String(err)}`)
        outcome = {verdict: isSvidkitError(err) ? err.code : 'thrown', accepted: false}
      }
      try {
        JSON.stringify(inspectBytes(`mutant ${i}`, Buffer.from(toPem('CERTIFICATE', m.der)), KIT_AT))
      } catch (err) {
        if (!isSvidkitError(err) || err.exit === 1) internal.push(`inspect mutant ${i} (${m.kind}): ${String(err)}`)
      }
      outcomes.push(outcome)
    }
    expect(internal).toEqual([])
    // The corpus exercises both sides: some re-signed mutants are still valid SVIDs, most raw ones are refused.
    const resigned = outcomes.slice(0, RESIGNED)
    const raw = outcomes.slice(RESIGNED)
    expect(resigned.filter((o) => o.accepted).length).toBeGreaterThan(0)
    expect(resigned.filter((o) => !o.accepted).length).toBeGreaterThan(RESIGNED / 4)
    expect(raw.every((o, i) => !o.accepted || signatureHolds(mutants[RESIGNED + i].der))).toBe(true)
    if (process.env.SVIDKIT_MUTATION_STATS) {
      const tally = (os: Outcome[]) =>
        Object.fromEntries(
          [...new Set(os.map((o) => o.verdict))].map((v) => [v, os.filter((o) => o.verdict === v).length]),
        )
      console.log(JSON.stringify({resigned: tally(resigned), raw: tally(raw)}))
    }
    expect(raw.filter((o) => !o.accepted).length).toBeGreaterThan(RAW * 0.9)
  })
})

describe('a sample through the CLI and openssl', () => {
  /** Every 40th mutant: 10 files, both kinds. */
  const sample = () => mutants.map((m, i) => ({m, i})).filter(({i}) => i % 40 === 7)

  it('verify and inspect exit 0, 3 or 4: never 1, never a stack trace', async () => {
    for (const {m, i} of sample().slice(0, 5)) {
      const f = join(dir(), `cli-${i}.pem`)
      writeFileSync(f, toPem('CERTIFICATE', m.der) + certificatePem(inter))
      const v = await runCli([
        'verify',
        f,
        '--bundle',
        `example.org=${join(dir(), 'root.pem')}`,
        '--at',
        KIT_AT.toISOString(),
      ])
      const ins = await runCli(['inspect', f, '--at', KIT_AT.toISOString()])
      for (const r of [v, ins]) {
        expect([0, 3, 4], `mutant ${i}: ${r.stderr}`).toContain(r.exit)
        expect(r.stderr + r.stdout).not.toMatch(STACK_LINE)
      }
    }
  })

  it('openssl verify accepts whatever svidkit accepts, and refuses the raw mutants svidkit refuses for their signature', () => {
    warnIfMissing('openssl', hasOpenssl)
    if (!hasOpenssl) return
    const attime = String(KIT_AT.getTime() / 1000)
    let compared = 0
    for (const {m, i} of sample()) {
      const f = join(dir(), `ossl-${i}.pem`)
      writeFileSync(f, toPem('CERTIFICATE', m.der))
      const o = run('openssl', [
        'verify',
        '-attime',
        attime,
        '-CAfile',
        join(dir(), 'root.pem'),
        '-untrusted',
        join(dir(), 'inter.pem'),
        f,
      ])
      if (outcomes[i].accepted) expect(o.status, `mutant ${i}: svidkit valid, openssl: ${o.stdout}${o.stderr}`).toBe(0)
      if (m.kind === 'raw' && !signatureHolds(m.der))
        expect(o.status, `mutant ${i}: bad signature accepted by openssl`).not.toBe(0)
      compared++
    }
    expect(compared).toBe(sample().length)
  })
})
