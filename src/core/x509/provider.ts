/**
 * The one place that imports @peculiar/x509 (RFC 4514 names, CSRs), and only when it is
 * first used: loading it and its Reflect polyfill costs more than a whole `verify` run, so
 * commands that never touch it (verify, inspect, --version) never load it, and importing
 * the library does not install the polyfill (docs/benchmarks.md, start-up).
 *
 * On first use it installs the Reflect polyfill it needs and sets Node's WebCrypto as its
 * provider (Node 20 does P-256, P-384, RSA and Ed25519 natively, so @peculiar/webcrypto is
 * not needed; see docs/design.md).
 */
import type * as X509 from '@peculiar/x509'
import {createRequire} from 'node:module'
import {webcrypto} from 'node:crypto'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export const crypto = webcrypto as unknown as Crypto

let loaded: typeof X509 | undefined

function load(): typeof X509 {
  if (loaded === undefined) {
    // Synchronous on purpose: callers are synchronous. `npm run build` writes the package and
    // its polyfill as one file (dist/vendor/x509.cjs, scripts/bundle.js), quicker to load than
    // its hundred files; from the sources, the package's CommonJS "main". Nothing else in
    // svidkit imports @peculiar/x509, so a process has one instance.
    const require = createRequire(import.meta.url)
    const vendored = fileURLToPath(new URL('../../vendor/x509.cjs', import.meta.url))
    let mod: typeof X509
    if (existsSync(vendored)) mod = require(vendored) as typeof X509
    else {
      require('reflect-metadata')
      mod = require('@peculiar/x509') as typeof X509
    }
    mod.cryptoProvider.set(crypto)
    loaded = mod
  }
  return loaded
}

/** @peculiar/x509, loaded on the first property read. */
export const x509: typeof X509 = new Proxy({} as typeof X509, {
  get: (_target, key) => Reflect.get(load(), key),
  has: (_target, key) => Reflect.has(load(), key),
})

// The namespace's types under the same name, for `x509.Extension` and the like in type positions.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace x509 {
  export type Extension = X509.Extension
  export type Name = X509.Name
  export type X509Certificate = X509.X509Certificate
  export type Pkcs10CertificateRequest = X509.Pkcs10CertificateRequest
  export type KeyUsageFlags = X509.KeyUsageFlags
}
