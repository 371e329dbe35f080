/**
 * Path building is bounded (issue 8 item 4): a chain of look-alike certificates cannot
 * make `verify` explore every ordering. The work is counted (signature checks and search
 * steps), never timed. Legitimate shapes (a cross-signed root during a rollover, a chain
 * given out of order with duplicates) still verify.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildPaths, PATH_LIMITS} from '../../src/core/verify/path.js'
import {verifySvid} from '../../src/core/verify/verify.js'
import {singleBundleSet} from '../../src/core/bundle/single-set.js'
import {certificatePem, type ParsedCertificate} from '../../src/core/x509/certificate.js'
import {runCli, jsonOf} from '../helpers/cli.js'
import {tmpDir} from '../helpers/tmp.js'
import {caCert, KIT_AT, leafCert, newKey} from './chain-kit.js'

const X = 'CN=X,O=attack'
const Y = 'CN=Y,O=attack'

/** The attack of issue 8: 13 certificates of two names signing each other (shared keys, other serials), plus the leaf. */
async function mutualChain(): Promise<{chain: ParsedCertificate[]; anchor: ParsedCertificate}> {
  const kx = newKey()
  const ky = newKey()
  const middle: ParsedCertificate[] = []
  for (let i = 0; i < 12; i++) middle.push(i % 2 === 0 ? await caCert(X, kx, Y, ky) : await caCert(Y, ky, X, kx))
  // The anchor has one of the names but another key: every attempt to end a path fails.
  const anchor = await caCert(Y, newKey(), Y, newKey())
  return {chain: [await leafCert(X, kx), ...middle], anchor}
}

function verify(chain: ParsedCertificate[], anchors: ParsedCertificate[]) {
  return verifySvid({chain, bundles: singleBundleSet('example.org', anchors), at: KIT_AT})
}

describe('path search budget', () => {
  it('a 13-certificate chain of two names signing each other is rejected after a bounded number of signature checks', async () => {
    const {chain, anchor} = await mutualChain()
    expect(chain).toHaveLength(13)
    const search = buildPaths(chain[0], chain.slice(1), [anchor])
    expect(search.paths).toEqual([])
    // Two identities (subject+key) exist, so a path holds at most both of them, and each
    // certificate is checked against each issuer key once: at most 13 certificates x 2 keys.
    expect(search.signatureChecks).toBeLessThanOrEqual(26)
    expect(search.steps).toBeLessThanOrEqual(PATH_LIMITS.maxSteps)
    const r = verify(chain, [anchor])
    expect({valid: r.valid, code: r.errors[0]?.code}).toEqual({valid: false, code: 'untrusted-chain'})
  })

  it('with one key per certificate, each link is checked at most once (no ordering explodes)', async () => {
    // 12 CAs alternating names X and Y, each signed by the previous one's key: one real path and many name matches.
    const keys = Array.from({length: 13}, () => newKey())
    const cas: ParsedCertificate[] = []
    for (let i = 1; i <= 12; i++) cas.push(await caCert(i % 2 ? X : Y, keys[i], i % 2 ? Y : X, keys[i + 1] ?? keys[i]))
    const leaf = await leafCert(X, keys[1])
    const anchor = await caCert(Y, newKey(), Y, newKey())
    const search = buildPaths(leaf, [...cas].reverse(), [anchor])
    expect(search.signatureChecks).toBeLessThanOrEqual(PATH_LIMITS.maxSignatureChecks)
    expect(search.steps).toBeLessThanOrEqual(PATH_LIMITS.maxSteps)
    expect(search.paths).toEqual([])
  })

  it('more look-alike issuers than the signature budget: path-limit, exit 4, counted checks stop at the limit', async () => {
    const signer = newKey()
    const decoys = []
    for (let i = 0; i < PATH_LIMITS.maxSignatureChecks + 20; i++)
      decoys.push(await caCert(X, newKey(), 'CN=root', signer))
    const leaf = await leafCert(X, newKey())
    const root = await caCert('CN=root', signer, 'CN=root', signer)
    const search = buildPaths(leaf, decoys, [root])
    expect({limited: search.limited, checks: search.signatureChecks}).toEqual({
      limited: true,
      checks: PATH_LIMITS.maxSignatureChecks,
    })
    const r = verify([leaf, ...decoys], [root])
    expect({valid: r.valid, code: r.errors[0]?.code}).toEqual({valid: false, code: 'path-limit'})

    const dir = tmpDir()
    const chainFile = join(dir, 'chain.pem')
    writeFileSync(chainFile, [leaf, ...decoys].map(certificatePem).join(''))
    writeFileSync(join(dir, 'root.pem'), certificatePem(root))
    const cli = await runCli([
      'verify',
      chainFile,
      '--bundle',
      `example.org=${join(dir, 'root.pem')}`,
      '--at',
      KIT_AT.toISOString(),
      '--json',
    ])
    const doc = jsonOf(cli.stdout) as {valid: boolean; errors: {code: string; hint: string}[]}
    if (cli.exit !== 4) console.log(cli.stdout, cli.stderr)
    expect({exit: cli.exit, valid: doc.valid, code: doc.errors[0].code}).toEqual({
      exit: 4,
      valid: false,
      code: 'path-limit',
    })
  })

  it('the AKI/SKI match is tried first among issuers with the same name', async () => {
    const signer = newKey()
    const decoys = []
    for (let i = 0; i < 5; i++) decoys.push(await caCert(X, newKey(), 'CN=root', signer))
    const real = newKey()
    const intermediate = await caCert(X, real, 'CN=root', signer)
    const leaf = await (async () => {
      const l = await leafCert(X, real)
      return l
    })()
    const root = await caCert('CN=root', signer, 'CN=root', signer)
    // The leaf built by the kit has no AKI: the order falls back to the file order, so check with an AKI-bearing leaf below.
    expect(buildPaths(leaf, [...decoys, intermediate], [root]).paths).toHaveLength(1)
    const {buildCertificate, nameDer} = await import('../../src/core/x509/build.js')
    const akiLeaf = await buildCertificate({
      subject: 'O=kit',
      issuerName: nameDer(X),
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      publicKey: newKey().publicKey,
      signingKey: real.privateKey,
      authorityKeyId: intermediate.ski,
      san: {uris: ['spiffe://example.org/web'], critical: true},
    })
    const search = buildPaths(akiLeaf, [...decoys, intermediate], [root])
    // Leaf -> intermediate (first try, by SKI) -> root: two checks, the five decoys never tried.
    expect({paths: search.paths.length, checks: search.signatureChecks}).toEqual({paths: 1, checks: 2})
  })
})

describe('legitimate chains still verify', () => {
  it('root rollover: the new root cross-signed by the old one, bundle holding only the old root', async () => {
    const oldRoot = newKey()
    const newRoot = newKey()
    const ik = newKey()
    const oldAnchor = await caCert('CN=root', oldRoot, 'CN=root', oldRoot)
    const crossSigned = await caCert('CN=root', newRoot, 'CN=root', oldRoot)
    const newAnchor = await caCert('CN=root', newRoot, 'CN=root', newRoot)
    const intermediate = await caCert('CN=int', ik, 'CN=root', newRoot)
    const leaf = await leafCert('CN=int', ik)
    expect(verify([leaf, intermediate, crossSigned], [oldAnchor]).valid).toBe(true)
    expect(verify([leaf, intermediate, crossSigned], [newAnchor]).valid).toBe(true)
    expect(verify([leaf, intermediate], [oldAnchor, newAnchor]).valid).toBe(true)
    expect(verify([leaf, intermediate], [oldAnchor]).errors[0]?.code).toBe('untrusted-chain')
  })

  it('intermediates out of order and repeated', async () => {
    const rk = newKey()
    const k1 = newKey()
    const k2 = newKey()
    const root = await caCert('CN=root', rk, 'CN=root', rk)
    const i1 = await caCert('CN=i1', k1, 'CN=root', rk)
    const i2 = await caCert('CN=i2', k2, 'CN=i1', k1)
    const leaf = await leafCert('CN=i2', k2)
    const r = verify([leaf, i1, i2, i1, i2], [root])
    expect({valid: r.valid, errors: r.errors}).toEqual({valid: true, errors: []})
  })
})
