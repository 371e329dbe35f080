/**
 * The interop proof table (spiffe-rules.md §2): for every key type and chain depth, an SVID
 * directory written by the library is accepted by OpenSSL and GnuTLS as they ship, the key
 * file is the leaf's PKCS#8 key with mode 0600, and the chain file never holds the root.
 */
import {X509Certificate} from 'node:crypto'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {
  KEY_TYPES,
  createAuthority,
  initCa,
  issueToDirectory,
  parseCertificateDer,
  saveAuthority,
  type KeyType,
} from '../../src/index.js'
import {certBlocks, pemBlocks} from '../helpers/pem.js'
import {hasCerttool, hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'

warnIfMissing('openssl', hasOpenssl)
warnIfMissing('certtool', hasCerttool)

const TD = 'example.org'
const DEPTHS = [0, 1, 2, 3] as const

/**
 * Key types whose key generation costs about a second: one CA with 3 intermediates is made
 * and depths 0–2 keep only its first intermediates; the others get a fresh CA per depth,
 * exactly as `ca init --intermediates N` makes it.
 */
const SLOW = new Set<KeyType>(['rsa-3072', 'rsa-4096'])

/** Signature algorithm OIDs by the signing key's type (spiffe-rules.md §2). */
const SIGNATURE_OID: Record<KeyType, string> = {
  'ec-p256': '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
  'ec-p384': '1.2.840.10045.4.3.3', // ecdsa-with-SHA384
  'rsa-2048': '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  'rsa-3072': '1.2.840.113549.1.1.11',
  'rsa-4096': '1.2.840.113549.1.1.11',
  ed25519: '1.3.101.112',
}

const base = suiteTmpDir()

/** One cell of the table: a key type, a chain depth, and the SVID directory issued for it. */
interface Cell {
  kt: KeyType
  depth: number
  id: string
  dir: string
  svidPem: string
  keyPem: string
  bundlePem: string
  /** The leaf alone, split out of svid.pem for `openssl verify`. */
  leafPem: string
}

const CELLS: Cell[] = []
const cellsOf = (kt: KeyType) => DEPTHS.map((depth) => ({kt, depth}))

/** Returns the CA directories of one key type, by depth (see SLOW). */
async function caDirsFor(kt: KeyType): Promise<string[]> {
  const dirs = DEPTHS.map((d) => join(base(), `ca-${kt}-${d}`))
  if (SLOW.has(kt)) {
    const {authority} = await createAuthority({trustDomain: TD, keyType: kt, intermediates: 3})
    DEPTHS.forEach((d) => saveAuthority(dirs[d], {...authority, intermediates: authority.intermediates.slice(0, d)}))
  } else {
    await Promise.all(DEPTHS.map((d) => initCa({trustDomain: TD, keyType: kt, intermediates: d, out: dirs[d]})))
  }
  return dirs
}

beforeAll(async () => {
  // All in parallel: WebCrypto key generation runs on libuv's thread pool, so RSA keys overlap.
  const cells = await Promise.all(
    KEY_TYPES.map(async (kt) => {
      const caDirs = await caDirsFor(kt)
      return Promise.all(
        DEPTHS.map(async (depth): Promise<Cell> => {
          const dir = join(base(), `svid-${kt}-${depth}`)
          const id = `spiffe://${TD}/interop/${kt}/${depth}`
          const [issued] = await issueToDirectory({spiffeId: id, ca: caDirs[depth], out: dir, keyType: kt})
          const c = {
            kt,
            depth,
            id,
            dir,
            svidPem: join(dir, 'svid.pem'),
            keyPem: join(dir, 'svid_key.pem'),
            bundlePem: join(dir, 'svid_bundle.pem'),
            leafPem: join(dir, 'leaf.pem'),
          }
          expect(issued.files).toEqual({cert: c.svidPem, key: c.keyPem, bundle: c.bundlePem})
          writeFileSync(c.leafPem, certBlocks(readFileSync(c.svidPem, 'utf8'))[0])
          return c
        }),
      )
    }),
  )
  CELLS.push(...cells.flat())
}, 120_000)

function cell(kt: KeyType, depth: number): Cell {
  const c = CELLS.find((x) => x.kt === kt && x.depth === depth)
  if (!c) throw new Error(`no SVID issued for ${kt} at depth ${depth}`)
  return c
}

/** Returns true when the certificate is self-signed (its own issuer, by signature). */
function selfSigned(c: X509Certificate): boolean {
  return c.checkIssued(c) && c.verify(c.publicKey)
}

describe.each(KEY_TYPES)('%s', (kt) => {
  it.for(cellsOf(kt))(
    'depth $depth: chain file is leaf then intermediates, never the root; key file is PKCS#8, 0600',
    ({depth}) => {
      const {svidPem, bundlePem, keyPem, id} = cell(kt, depth)
      const chain = certBlocks(readFileSync(svidPem, 'utf8'))
      expect(chain).toHaveLength(1 + depth)
      const certs = chain.map((p) => new X509Certificate(p))
      const roots = certBlocks(readFileSync(bundlePem, 'utf8')).map((p) => new X509Certificate(p))
      expect(roots).toHaveLength(1)
      expect(selfSigned(roots[0])).toBe(true)
      for (const c of certs) {
        expect(selfSigned(c)).toBe(false)
        expect(c.fingerprint256).not.toBe(roots[0].fingerprint256)
      }
      const path = [...certs, roots[0]]
      for (let i = 0; i < certs.length; i++) {
        expect(path[i].checkIssued(path[i + 1])).toBe(true)
        expect(path[i].verify(path[i + 1].publicKey)).toBe(true)
      }
      expect(certs[0].subjectAltName).toBe(`URI:${id}`)
      for (const c of path) expect(parseCertificateDer(new Uint8Array(c.raw)).signatureOid).toBe(SIGNATURE_OID[kt])

      const keyText = readFileSync(keyPem, 'utf8')
      expect(keyText.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true)
      expect(pemBlocks(keyText).map((b) => b.type)).toEqual(['PRIVATE KEY'])
      expect(statSync(keyPem).mode & 0o777).toBe(0o600)
    },
  )

  it.skipIf(!hasOpenssl).for(cellsOf(kt))(
    'depth $depth: openssl verify -x509_strict accepts it and the key matches',
    ({depth}) => {
      const {svidPem, bundlePem, keyPem, leafPem} = cell(kt, depth)
      const untrusted = depth === 0 ? [] : ['-untrusted', svidPem]
      const v = run('openssl', ['verify', '-x509_strict', '-CAfile', bundlePem, ...untrusted, leafPem])
      expect({status: v.status, stdout: v.stdout.trim(), stderr: v.stderr}).toEqual({
        status: 0,
        stdout: `${leafPem}: OK`,
        stderr: '',
      })
      // Both TLS roles: the EKU lists serverAuth and clientAuth.
      for (const purpose of ['sslserver', 'sslclient']) {
        const p = run('openssl', [
          'verify',
          '-x509_strict',
          '-purpose',
          purpose,
          '-CAfile',
          bundlePem,
          ...untrusted,
          leafPem,
        ])
        expect({purpose, status: p.status, stdout: p.stdout.trim()}).toEqual({
          purpose,
          status: 0,
          stdout: `${leafPem}: OK`,
        })
      }
      const fromKey = run('openssl', ['pkey', '-in', keyPem, '-pubout'])
      const fromCert = run('openssl', ['x509', '-in', leafPem, '-pubkey', '-noout'])
      expect([fromKey.status, fromCert.status]).toEqual([0, 0])
      expect(fromKey.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
      expect(fromKey.stdout).toBe(fromCert.stdout)
    },
  )

  it.skipIf(!hasCerttool).for(cellsOf(kt))(
    'depth $depth: certtool --verify accepts it against the bundle',
    ({depth}) => {
      const {svidPem, bundlePem} = cell(kt, depth)
      // Not `--verify-chain`: it trusts whatever the file ends with (certtool 3.7.9 reports
      // "Verified" for leaf+intermediates with no root at all). `--verify` takes the bundle as
      // the trusted set, and fails against another trust domain's bundle.
      const g = run('certtool', [
        '--verify',
        '--verify-profile',
        'medium',
        '--load-ca-certificate',
        bundlePem,
        '--infile',
        svidPem,
      ])
      expect(g.stdout).toContain('Chain verification output: Verified. The certificate is trusted.')
      expect(g.stdout).not.toMatch(/Not verified|not trusted/i)
      expect(g.status).toBe(0)
    },
  )
})
