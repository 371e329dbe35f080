import {join} from 'node:path'
import {SvidkitError} from '../errors.js'
import {bundleAuthorities, type Authority} from '../ca/authority.js'
import type {SvidFileNames} from '../fs/layout.js'
import {readInput} from '../fs/read-input.js'
import type {HandshakeResult} from '../handshake/client.js'
import {SpiffeId} from '../spiffe-id/index.js'
import {singleBundleSet} from '../bundle/single-set.js'
import {verifySvid} from '../verify/verify.js'
import {readCertificates} from '../x509/read.js'
import {canConnect} from './server-process.js'

/** What the race knows of the SVID in --dir before it writes anything. */
interface DirIdentity {
  spiffeId: SpiffeId
  serial: string
}

const short = (s: string | null | undefined) => (s ? `${s.slice(0, 16)}${s.length > 16 ? '…' : ''}` : '(none)')

/**
 * Returns the SPIFFE ID and serial of the SVID in `dir`, after proving that `--ca` issued it:
 * its chain (with the CA's intermediates) must verify against the CA's bundle. A different CA
 * of the same trust domain would otherwise overwrite the server's live SVID (exit 3, nothing written).
 */
export function dirIssuedByCa(
  dir: string,
  names: SvidFileNames,
  ca: string,
  authority: Authority,
  at: Date,
): DirIdentity {
  const path = join(dir, names.cert)
  const chain = readCertificates(readInput(path, 'pem-invalid'), path)
  const leaf = chain[0]
  const uri = leaf.san?.uris[0]
  if (!uri)
    throw new SvidkitError('no-uri-san', `"${path}" has no SPIFFE ID`, {
      exit: 3,
      hint: 'race --target rotates an SVID directory: issue one with svidkit issue --out DIR',
    })
  const spiffeId = SpiffeId.parse(uri)
  if (spiffeId.trustDomain.name !== authority.trustDomain.name) {
    throw new SvidkitError(
      'ca-mismatch',
      `the SVID in "${dir}" is in "${spiffeId.trustDomain.name}", the CA "${ca}" in "${authority.trustDomain.name}"`,
    )
  }
  const pool = [
    ...chain,
    ...authority.intermediates.map((c) => c.cert).filter((c) => !chain.some((x) => x.serial === c.serial)),
  ]
  const verdict = verifySvid({
    chain: pool,
    bundles: singleBundleSet(authority.trustDomain.name, bundleAuthorities(authority), join(ca, 'bundle.pem')),
    at,
  })
  const e = verdict.errors[0]
  if (e && (e.code === 'untrusted-chain' || e.code === 'bundle-not-found')) {
    throw new SvidkitError(
      'ca-mismatch',
      `the SVID in "${dir}" (serial ${short(leaf.serial)}) was not issued by the CA "${ca}": ${e.message}`,
    )
  }
  return {spiffeId, serial: leaf.serial}
}

/** Throws exit 3 when HOST:PORT accepts connections before `--server-cmd` started: the race would test another server. */
export async function portFree(host: string, port: number): Promise<void> {
  if (await canConnect(host, port, 500)) {
    throw new SvidkitError('address-in-use', `another process listens on ${host}:${port} before --server-cmd started`, {
      hint: 'stop that process (ss -ltnp shows it) or give --target a free port: the race must test the server it started',
    })
  }
}

/** Transport failures worth a retry in the baseline (a server that just started may drop the first connection). */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ERR_TLS_PEER_CLOSED', 'ETIMEDOUT'])

const baseline = (message: string, hint: string) => new SvidkitError('baseline-failed', message, {hint})

/**
 * Returns the first probe's result once it proves the setup (docs/race.md, step 2 "Baseline" of `race --target`: what happens): the target
 * presents the SVID in --dir (serial match), its chain verifies with --ca's bundle, and it accepts
 * our client SVID by the probe. Otherwise throws `baseline-failed` (exit 3) saying what is wrong;
 * nothing has been rotated yet.
 */
export async function baselineProbe(
  probe: () => Promise<HandshakeResult>,
  expected: {dir: string; serial: string; target: string},
): Promise<HandshakeResult> {
  let r = await probe()
  for (let i = 0; i < 2 && !r.ok && r.peer.serial === null && TRANSIENT.has(String(r.errors[0]?.code)); i++) {
    await new Promise((res) => setTimeout(res, 200))
    r = await probe()
  }
  if (r.ok && r.peer.serial === expected.serial) return r
  const e = r.errors[0]
  if (r.peer.serial !== null && r.peer.serial !== expected.serial) {
    throw baseline(
      `${expected.target} presents serial ${short(r.peer.serial)}, the SVID in "${expected.dir}" is serial ${short(expected.serial)}: the server does not read this directory`,
      'point --dir at the directory the server loads its certificate from (and --cert-file/--key-file/--bundle-file at its file names)',
    )
  }
  if (r.peer.serial === null) {
    throw baseline(
      `${expected.target} completed no handshake before the first rotation: [${e?.code}] ${e?.message}`,
      'check that --target speaks TLS and asks for a client certificate',
    )
  }
  if (e?.side === 'local') {
    const leafOnly = (r.peer.presented ?? 0) === 1 && e.code === 'untrusted-chain'
    throw baseline(
      leafOnly
        ? `${expected.target} sends only its leaf, without the intermediates of its chain: clients cannot reach --ca's root (${e.message})`
        : `the chain ${expected.target} presents does not verify with --ca's bundle: [${e.code}] ${e.message}`,
      leafOnly
        ? 'configure the server to send its whole chain file (openssl s_server: -cert_chain FILE; most servers send what the certificate file holds)'
        : 'the server must present the SVID in --dir, issued by --ca',
    )
  }
  if (e?.code === 'unexpected-reply') {
    throw baseline(
      `${expected.target} accepted the handshake, but its reply proves no acceptance: ${e.message}`,
      e.hint,
    )
  }
  throw baseline(
    `${expected.target} refuses our client SVID from --ca: [${e?.code}] ${e?.message}: its trust bundle does not hold --ca's root`,
    "load the bundle file of --dir as the server's client CA (nginx ssl_client_certificate, openssl s_server -CAfile)",
  )
}
