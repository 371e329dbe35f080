/**
 * Shared fixtures of the verify tests: CA directories, SVID directories (spiffe-helper
 * layout), bundles that name no trust domain, bundle maps, and the real CLI as a child.
 * Everything is written under a directory the caller owns (see test/helpers/tmp.ts).
 */
import {createPublicKey} from 'node:crypto'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {
  chainPem,
  createAuthority,
  fixedClock,
  issueToDirectory,
  saveAuthority,
  type Authority,
} from '../../src/index.js'
import {parseDefects} from '../../src/core/defects/index.js'
import {buildCertificate} from '../../src/core/x509/build.js'
import {REPO} from '../helpers/cli.js'
import {certBlocks} from '../helpers/pem.js'
import {run, type RunResult} from '../helpers/peers.js'

export const TD = 'example.org'
export const OTHER_TD = 'other.org'
export const WEB = `spiffe://${TD}/web`

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** A CA directory written by saveAuthority, with the authority kept in memory. */
export interface CaFixture {
  dir: string
  authority: Authority
  /** `<dir>/bundle.pem`: the roots, PEM. */
  bundlePem: string
  /** `<dir>/bundle.spiffe.json`: the roots, SPIFFE JWKS. */
  bundleJwks: string
}

/**
 * Returns a CA of `td` (root + 1 intermediate, ec-p256, default name constraints) written
 * to `dir`. It is created as if a day ago, so `--at -2h` still falls inside its validity.
 */
export async function makeCa(dir: string, td: string): Promise<CaFixture> {
  const {authority} = await createAuthority({
    trustDomain: td,
    intermediates: 1,
    keyType: 'ec-p256',
    clock: fixedClock(new Date(Date.now() - DAY)),
  })
  saveAuthority(dir, authority)
  return {dir, authority, bundlePem: join(dir, 'bundle.pem'), bundleJwks: join(dir, 'bundle.spiffe.json')}
}

/** Returns `out` after issuing an SVID there (spiffe-helper layout), with deliberate defects by name. */
export async function issueTo(
  ca: CaFixture,
  out: string,
  opts: {id?: string; defects?: string[]} = {},
): Promise<string> {
  await issueToDirectory({ca: ca.dir, out, spiffeId: opts.id ?? WEB, defects: parseDefects(opts.defects ?? [])})
  return out
}

/** The files of an SVID directory in spiffe-helper layout. */
export function svidFiles(dir: string): {cert: string; key: string; bundle: string} {
  return {cert: join(dir, 'svid.pem'), key: join(dir, 'svid_key.pem'), bundle: join(dir, 'svid_bundle.pem')}
}

/** Returns the path written: the first certificate of `chainFile` alone (what `openssl verify` checks). */
export function writeLeafOnly(chainFile: string, out: string): string {
  writeFileSync(out, certBlocks(readFileSync(chainFile, 'utf8'))[0])
  return out
}

/** Returns `out` after concatenating `files` into it. */
export function concatFiles(out: string, files: string[]): string {
  mkdirSync(dirname(out), {recursive: true})
  writeFileSync(out, files.map((f) => readFileSync(f, 'utf8')).join(''))
  return out
}

/** Returns `out` after writing a bundle map (spiffe-rules.md §4.3) of the given JWKS files. */
export function writeBundleMap(out: string, entries: Record<string, string>): string {
  const trust_domains = Object.fromEntries(
    Object.entries(entries).map(([td, jwks]) => [td, JSON.parse(readFileSync(jwks, 'utf8'))]),
  )
  writeFileSync(out, JSON.stringify({trust_domains}, null, 2))
  return out
}

/**
 * Returns `out` after writing the CA's root re-certified without its URI SAN (same name,
 * same key, self-signed, still CA:TRUE with keyCertSign): a bundle that names no trust
 * domain, under which the CA's existing intermediates and leaves still verify.
 */
export async function writePlainRootBundle(ca: CaFixture, out: string): Promise<string> {
  const root = ca.authority.roots[0]
  const cert = await buildCertificate({
    subject: '',
    subjectName: root.cert.subjectDer,
    notBefore: root.cert.notBefore,
    notAfter: root.cert.notAfter,
    publicKey: new Uint8Array(createPublicKey(root.key).export({format: 'der', type: 'spki'})),
    signingKey: root.key,
    basicConstraints: {ca: true, critical: true},
    keyUsage: {names: ['keyCertSign', 'cRLSign'], critical: true},
  })
  if (cert.san?.uris.length) throw new Error('fixture: the plain root still has a URI SAN')
  writeFileSync(out, chainPem([cert]))
  return out
}

/** Returns a time `ms` from now as RFC 3339. */
export function fromNow(ms: number): string {
  return new Date(Date.now() + ms).toISOString()
}
export {HOUR}

/** ANSI colour escapes, stripped before matching human output. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;]*m/g, '')
}

/** Returns the outcome of the real CLI (`node bin/run.js <args>`) run as a child process (about 0.6 s each). */
export function spawnCli(args: string[]): RunResult {
  // No colour, and no DEBUG=svidkit* from the developer's shell (it adds the stack traces the tests forbid).
  const {DEBUG: _debug, FORCE_COLOR: _force, ...env} = process.env
  return run(process.execPath, [join(REPO, 'bin/run.js'), ...args], {cwd: REPO, env: {...env, NO_COLOR: '1'}})
}
