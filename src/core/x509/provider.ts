/**
 * The one place that imports @peculiar/x509 (RFC 4514 names, CSRs): sets the Reflect
 * polyfill and Node's WebCrypto as its provider (Node 20 does P-256, P-384, RSA and
 * Ed25519 natively, so @peculiar/webcrypto is not needed; see docs/design.md).
 */
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import {webcrypto} from 'node:crypto'

export const crypto = webcrypto as unknown as Crypto
x509.cryptoProvider.set(crypto)

export {x509}
