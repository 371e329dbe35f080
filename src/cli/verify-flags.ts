/**
 * The argument and flags of `svidkit verify` (commands/verify.ts); verify-options.ts reads
 * them. Shared definitions come from flags.ts and read-flags.ts.
 */
import {Args, Flags} from '@oclif/core'
import {sharedFlags} from './flags.js'
import {readFlags} from './read-flags.js'

export const verifyArgs = {
  file: Args.string({
    description:
      'chain file: leaf first, then intermediates (PEM or DER; may also hold the key); - reads standard input',
  }),
}

export const verifyFlags = {
  dir: sharedFlags.dir({description: 'SVID directory to verify instead of a file (chain, key and bundle from it)'}),
  layout: sharedFlags.layout(),
  'cert-file': sharedFlags.certFile(),
  'key-file': sharedFlags.keyFile(),
  'bundle-file': sharedFlags.bundleFile(),
  key: Flags.string({description: 'private key file: checked to belong to the leaf'}),
  ...readFlags,
  bundle: sharedFlags.bundle(),
  'expect-id': Flags.string({description: 'accepted SPIFFE ID (repeatable: any one of them)', multiple: true}),
  'expect-trust-domain': Flags.string({description: 'required trust domain of the SPIFFE ID'}),
  at: sharedFlags.at(),
  strict: Flags.boolean({
    description:
      'add every RFC 5280 MUST for conforming CAs to path validation; go-spiffe-strict bundle reading; reject a leaf EKU without serverAuth and clientAuth',
    default: false,
  }),
  profile: Flags.string({
    description:
      'spiffe: the X509-SVID rules and RFC 5280 path validation; x509: RFC 5280 path validation only, for any X.509 chain',
    options: ['spiffe', 'x509'],
    default: 'spiffe',
  }),
  'max-depth': Flags.integer({
    description: 'most certificates on a certification path, leaf included, trust anchor excluded',
    min: 1,
    max: 64,
  }),
  connect: Flags.string({
    description: 'verify the chain a live TLS server presents at HOST:PORT (no client certificate is sent)',
    exclusive: ['dir', 'key', 'cert-file', 'key-file', 'bundle-file'],
  }),
  servername: Flags.string({
    description: 'SNI name to send with --connect (default: the host when it is a name)',
    dependsOn: ['connect'],
  }),
}
