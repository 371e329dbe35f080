/** Shared set-up for the Workload API tests: a CA in memory and a server per test, closed after it. */
import {X509Certificate, createPrivateKey, createPublicKey} from 'node:crypto'
import {join} from 'node:path'
import {onTestFinished} from 'vitest'
import {createAuthority} from '../../src/core/ca/create.js'
import type {Authority} from '../../src/core/ca/authority.js'
import {startWorkloadApi, type WorkloadApiHandle} from '../../src/core/workload/start.js'
import type {WorkloadApiOptions} from '../../src/core/workload/options.js'
import type {WorkloadEvent} from '../../src/core/workload/events.js'
import {tmpDir} from '../helpers/tmp.js'

export const TD = 'example.org'
export const WEB = `spiffe://${TD}/web`

let authority: Promise<Authority> | undefined
/** Returns one CA (root + one intermediate) shared by the tests of a file. */
export function sharedAuthority(): Promise<Authority> {
  authority ??= createAuthority({trustDomain: TD, intermediates: 1}).then((r) => r.authority)
  return authority
}

/** Starts a server on a socket in a fresh temp dir; it is closed when the test finishes. */
export async function serve(
  opts: Partial<WorkloadApiOptions> = {},
): Promise<{api: WorkloadApiHandle; events: WorkloadEvent[]; dir: string}> {
  const dir = tmpDir()
  const events: WorkloadEvent[] = []
  const api = await startWorkloadApi({
    ca: await sharedAuthority(),
    identities: [WEB],
    socketPath: join(dir, 'agent.sock'),
    onEvent: (e) => events.push(e),
    ...opts,
  })
  onTestFinished(() => api.close().then(() => undefined))
  return {api, events, dir}
}

/** Splits concatenated DER certificates (each a SEQUENCE with a long-form or short length). */
export function splitDer(buf: Buffer): X509Certificate[] {
  const out: X509Certificate[] = []
  let i = 0
  while (i < buf.length) {
    if (buf[i] !== 0x30) throw new Error(`not a DER SEQUENCE at ${i}`)
    const first = buf[i + 1]
    let len: number
    let head: number
    if (first < 0x80) {
      len = first
      head = 2
    } else {
      const n = first & 0x7f
      len = buf.subarray(i + 2, i + 2 + n).reduce((a, b) => a * 256 + b, 0)
      head = 2 + n
    }
    out.push(new X509Certificate(buf.subarray(i, i + head + len)))
    i += head + len
  }
  return out
}

/** Returns true when the PKCS#8 DER key belongs to the certificate. */
export function keyBelongs(keyDer: Buffer, cert: X509Certificate): boolean {
  const key = createPrivateKey({key: keyDer, format: 'der', type: 'pkcs8'})
  const pub = (k: ReturnType<typeof createPublicKey>) => k.export({format: 'der', type: 'spki'}).toString('hex')
  return pub(createPublicKey(key)) === pub(cert.publicKey)
}

/** Returns the leaf serial as svidkit prints it (lowercase hex, no leading zeros). */
export function serialOf(cert: X509Certificate): string {
  return cert.serialNumber.toLowerCase().replace(/^0+/, '') || '0'
}
