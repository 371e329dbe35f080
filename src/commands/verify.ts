import {Args, Flags} from '@oclif/core'
import {verifyFiles} from '../core/verify/verify-files.js'
import {readFailureResult} from '../core/verify/read-failure.js'
import {isSvidkitError, usageError} from '../core/errors.js'
import {verifyConnect} from '../core/handshake/verify-connect.js'
import {verifyChainFiles} from '../core/verify/verify-chain-files.js'
import {parseInstant} from '../core/time/instant.js'
import {parseLayout} from '../core/fs/layout.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {sharedFlags} from '../cli/flags.js'
import {renderVerify} from '../cli/render/verify.js'
import {wrapLines} from '../cli/style.js'
import {passwordsFromFlags, withPasswordPrompt} from '../cli/password-prompt.js'
import {readFlags} from '../cli/read-flags.js'

export default class Verify extends SvidkitCommand {
  static override summary = 'Verify an X509-SVID the way a SPIFFE peer does, and explain every check'
  static override description = describe(`
Runs the X509-SVID verification algorithm step by step: URI SAN and SPIFFE ID syntax, leaf
and CA flags, key match, the bundle chosen strictly by the leaf's trust domain (never
pooled), the certification path built and checked by svidkit itself (signatures, validity of
every certificate, name constraints, path length, critical extensions), the expected ID or
trust domain, and EKU. Each failure has a stable reason code and a hint; errors[0] in --json
is the primary reason.

A PEM bundle is bound to a trust domain by its TD= label, else by the SPIFFE ID in its CA
certificates, else by the expected trust domain, else (sole bundle) by the leaf's own trust
domain with a warning.

--profile x509 judges any X.509 chain (a non-SPIFFE peer in a mixed mesh) by RFC 5280 path
validation only: no SPIFFE leaf rules, no trust-domain binding; every certificate in the
--bundle files is a trust anchor. --strict adds every RFC 5280 MUST for conforming CAs, in
both profiles (docs/verification.md lists each rule and its level).

The chain file may also be a PKCS#12 file (the key and chain; --p12-password-file, or a
prompt on a terminal) or a Kubernetes Secret manifest (tls.crt, tls.key, and ca.crt as the
bundle unless --bundle; --secret-name picks one of several). An encrypted PKCS#8 key needs
--key-password-file (or the prompt). An SVID directory without a key file (what issue --csr
writes) is verified without the key check, with a warning that says so.`)

  static override examples = [
    {
      description: "Verify a chain against example.org's bundle and require the web workload's ID",
      command: '<%= config.bin %> verify svid/svid.pem --bundle example.org=ca/bundle.pem --expect-id spiffe://example.org/web',
    },
    {
      description: 'Verify an SVID directory (chain, key and bundle) for any workload of example.org',
      command: '<%= config.bin %> verify --dir svid --expect-trust-domain example.org',
    },
    {
      description: 'Verify at a given instant with a SPIFFE bundle, and print JSON',
      command: '<%= config.bin %> verify svid.pem --key svid_key.pem --bundle bundle.spiffe.json --at 2026-01-01T00:00:00Z --json',
    },
    {
      description: 'Verify against a federation bundle map, reading it as go-spiffe does',
      command: '<%= config.bin %> verify svid.pem --bundle federation.json --strict',
    },
    {
      description: "Verify the chain a live server presents, and require the database's ID",
      command: '<%= config.bin %> verify --connect 127.0.0.1:8443 --bundle example.org=ca/bundle.pem --expect-id spiffe://example.org/db',
    },
    {
      description: 'Judge a non-SPIFFE server chain by RFC 5280 path validation only, with every CA rule',
      command: '<%= config.bin %> verify --profile x509 server-chain.pem --bundle roots.pem --strict',
    },
    {description: 'Verify a chain read from standard input', command: 'cat svid.pem | <%= config.bin %> verify - --bundle example.org=ca/bundle.pem'},
    {
      description: 'Verify a PKCS#12 file (key and chain) against its bundle',
      command: '<%= config.bin %> verify svid/svid.p12 --p12-password-file pw.txt --bundle example.org=svid/svid_bundle.pem',
    },
    {
      description: 'Verify a Kubernetes Secret manifest (ca.crt is the bundle)',
      command: '<%= config.bin %> verify secret.yaml --expect-id spiffe://example.org/web',
    },
  ]

  static override args = {
    file: Args.string({description: 'chain file: leaf first, then intermediates (PEM or DER; may also hold the key); - reads standard input'}),
  }

  static override flags = {
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
      description: 'spiffe: the X509-SVID rules and RFC 5280 path validation; x509: RFC 5280 path validation only, for any X.509 chain',
      options: ['spiffe', 'x509'],
      default: 'spiffe',
    }),
    'max-depth': Flags.integer({description: 'most certificates on a certification path, leaf included, trust anchor excluded', min: 1, max: 64}),
    connect: Flags.string({
      description: 'verify the chain a live TLS server presents at HOST:PORT (no client certificate is sent)',
      exclusive: ['dir', 'key', 'cert-file', 'key-file', 'bundle-file'],
    }),
    servername: Flags.string({description: 'SNI name to send with --connect (default: the host when it is a name)', dependsOn: ['connect']}),
  }

  async run() {
    const {args, flags} = await this.parse(Verify)
    const at = flags.at === undefined ? new Date() : parseInstant(flags.at, new Date())
    const atGiven = flags.at !== undefined
    let result
    try {
      if (flags.connect !== undefined && args.file !== undefined) throw usageError('give a chain file or --connect HOST:PORT, not both')
      if (flags.profile === 'x509') {
        const spiffeOnly = (['dir', 'key', 'expect-id', 'expect-trust-domain', 'connect', 'cert-file', 'key-file', 'bundle-file'] as const).find(
          (f) => flags[f] !== undefined,
        )
        if (spiffeOnly)
          throw usageError(
            `--${spiffeOnly} applies to --profile spiffe only`,
            'svidkit verify --profile x509 CHAIN --bundle ROOTS [--at T] [--strict] [--max-depth N]',
          )
        if (args.file === undefined) throw usageError('--profile x509 needs a chain file', 'svidkit verify --profile x509 chain.pem --bundle roots.pem')
      }
      result =
        flags.profile === 'x509'
          ? verifyChainFiles({
              file: args.file as string,
              roots: flags.bundle ?? [],
              at: atGiven ? at : undefined,
              maxDepth: flags['max-depth'],
              strict: flags.strict,
            })
          : flags.connect !== undefined
            ? await verifyConnect({
                target: flags.connect,
                servername: flags.servername,
                bundles: flags.bundle ?? [],
                expectIds: flags['expect-id'],
                expectTrustDomain: flags['expect-trust-domain'],
                strict: flags.strict,
                at,
                atGiven,
              })
            : await withPasswordPrompt(passwordsFromFlags({p12File: flags['p12-password-file'], keyFile: flags['key-password-file']}), (passwords) =>
                verifyFiles({
                  ...passwords,
                  secretName: flags['secret-name'],
                  file: args.file,
                  dir: flags.dir,
                  layout: flags.layout === undefined ? undefined : parseLayout(flags.layout),
                  names: {cert: flags['cert-file'], key: flags['key-file'], bundle: flags['bundle-file']},
                  key: flags.key,
                  bundles: flags.bundle,
                  expectIds: flags['expect-id'],
                  expectTrustDomain: flags['expect-trust-domain'],
                  at,
                  atGiven,
                  maxDepth: flags['max-depth'],
                  strict: flags.strict,
                }),
              )
    } catch (err) {
      // Unreadable input (exit 3) or no handshake with --connect (exit 5): in JSON mode still the verify document, with errors[0].
      if (this.jsonEnabled() && isSvidkitError(err) && (err.exit === 3 || err.exit === 5)) this.finish(readFailureResult(err, at), err.exit)
      throw err
    }
    for (const line of wrapLines(renderVerify(result, {atGiven}))) this.log(line)
    if (!result.valid) this.finish(result, 4)
    return result
  }
}
