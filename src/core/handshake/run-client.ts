import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {usageError} from '../errors.js'
import {parseSpiffeIdArg, parseTrustDomainArg, SpiffeId} from '../spiffe-id/index.js'
import {loadBundleSpecs} from '../bundle/index.js'
import {readInput} from '../fs/read-input.js'
import {readCertificates} from '../x509/read.js'
import {keyMatches, readPrivateKey} from '../x509/keys.js'
import {SvidkitError} from '../errors.js'
import {resolveLayout, type LayoutName} from '../fs/layout.js'
import {clientHandshake, type HandshakeResult} from './client.js'
import type {TlsVersionChoice} from './tls-options.js'
import type {ProbeSpec} from './client-probe.js'

/** Options of `handshake HOST:PORT` as the command takes them. */
export interface RunClientOptions {
  target: string
  dir?: string
  layout?: LayoutName
  names?: {cert?: string; key?: string; bundle?: string}
  svid?: string
  key?: string
  bundles?: string[]
  expectIds?: string[]
  expectTrustDomain?: string
  servername?: string
  tlsVersion?: TlsVersionChoice
  timeoutMs?: number
  probe?: ProbeSpec
}

/** Returns host and port of `HOST:PORT` (`[::1]:8443` for IPv6). */
export function parseTarget(text: string): {host: string; port: number} {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text)
  const port = m ? Number(m[3]) : Number.NaN
  if (!m || port < 1 || port > 65_535)
    throw usageError(`invalid target "${text}"`, 'give HOST:PORT, e.g. localhost:8443 or [::1]:8443')
  return {host: m[1] ?? m[2], port}
}

/** Returns our credentials (key + chain PEM) from --dir or --svid/--key, checked to match; none when neither is given. */
export function loadCredentials(o: {
  dir?: string
  layout?: LayoutName
  names?: RunClientOptions['names']
  svid?: string
  key?: string
}): {key: string; cert: Buffer; trustDomain: string} | undefined {
  const names = o.dir && !(o.svid && o.key) ? resolveLayout(o.dir, {layout: o.layout, names: o.names}).names : undefined
  const certPath = o.svid ?? (o.dir && names ? join(o.dir, names.cert) : undefined)
  const keyPath = o.key ?? (o.dir && names ? join(o.dir, names.key) : o.svid)
  if (!certPath) return undefined
  const cert = readInput(certPath, 'pem-invalid')
  const chain = readCertificates(cert, certPath)
  const keyBytes = readInput(keyPath as string, 'key-invalid')
  const key = readPrivateKey(keyBytes, keyPath as string)
  if (!keyMatches(key.keyObject, chain[0].node)) {
    throw new SvidkitError('key-mismatch', `"${keyPath}" does not belong to "${certPath}"`, {
      exit: 3,
      hint: 'a writer may be replacing the files; retry, or check --key',
    })
  }
  let td = ''
  try {
    td = SpiffeId.parse(chain[0].san?.uris[0] ?? '').trustDomain.name
  } catch {
    // our own certificate without a SPIFFE ID: the server will say so
  }
  return {key: key.keyObject.export({format: 'pem', type: 'pkcs8'}).toString(), cert, trustDomain: td}
}

/** Returns the result of one client handshake against `target` (the `handshake HOST:PORT` command). */
export async function runClient(o: RunClientOptions): Promise<HandshakeResult> {
  const {host, port} = parseTarget(o.target)
  const expectIds = (o.expectIds ?? []).map(parseSpiffeIdArg)
  const expectTd = o.expectTrustDomain === undefined ? undefined : parseTrustDomainArg(o.expectTrustDomain)
  const creds = loadCredentials(o)
  let specs = o.bundles ?? []
  if (specs.length === 0 && o.dir) {
    const b = join(o.dir, resolveLayout(o.dir, {layout: o.layout, names: o.names}).names.bundle)
    if (existsSync(b)) specs = [b]
  }
  if (specs.length === 0)
    throw usageError('no bundle to verify the server with', 'pass --bundle [TD=]FILE (or --dir with a bundle file)')
  const tds = new Set(expectIds.map((i) => i.trustDomain.name))
  const bundles = loadBundleSpecs(specs, {
    expectedTrustDomain: expectTd?.name ?? (tds.size === 1 ? [...tds][0] : undefined),
    leafTrustDomain: creds?.trustDomain || undefined,
  })
  return clientHandshake({
    host,
    port,
    servername: o.servername,
    credentials: creds,
    bundles,
    expectIds,
    expectTrustDomain: expectTd,
    tlsVersion: o.tlsVersion,
    timeoutMs: o.timeoutMs,
    probe: o.probe,
  })
}
