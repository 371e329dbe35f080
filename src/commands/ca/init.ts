import {Flags} from '@oclif/core'
import {defaultCaDir} from '../../core/ca/ca-dir.js'
import {initCa} from '../../core/ca/init.js'
import {parseLifetime} from '../../core/time/duration.js'
import {parseKeyType} from '../../core/x509/key-type.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'
import {sharedFlags} from '../../cli/flags.js'
import {clockOf, seedFlags} from '../../cli/seed-flags.js'
import {chainTree} from '../../cli/render/certificate.js'
import {parsePathLen} from '../../cli/parse.js'

export default class CaInit extends SvidkitCommand {
  static override summary = "Create a trust domain's CA: a root and a chain of intermediates"
  static override description = describe(`
Writes the CA directory: bundle.pem (the root), bundle.spiffe.json (the same as a SPIFFE
JWKS bundle, plus a jwt-svid entry), root.pem and intermediate-N.pem with their PKCS#8 keys
(mode 0600), jwt-key.pem (the JWT-SVID signing key, 0600) and ca.json. --seed and --now give
byte-identical output for test fixtures (docs/fixtures.md).
Every CA certificate has critical CA:TRUE, critical keyCertSign+cRLSign, the URI SAN
spiffe://<trust-domain>, SKI/AKI, and (unless --no-name-constraints) the root carries a
critical URI name constraint permitting only the trust domain. Files are written to
temporary names and renamed, so a crash never leaves a torn file. An existing CA is never
replaced without --force. A new CA directory is 0700. --out may not be the current directory
or one above it, and a directory another user can write (or one above it) is refused unless
--insecure-allow-shared-dir (docs/security.md).`)

  static override examples = [
    {
      description: 'Create a trust domain with a root and one intermediate in ca/',
      command: '<%= config.bin %> ca init --trust-domain example.org --out ca',
    },
    {
      description: 'Create one with two intermediates and P-384 keys',
      command: '<%= config.bin %> ca init --trust-domain example.org --out ca --intermediates 2 --key-type ec-p384',
    },
    {
      description: 'Create a root-only RSA CA valid for a year, and print JSON',
      command:
        '<%= config.bin %> ca init --trust-domain example.org --out ca --intermediates 0 --key-type rsa-2048 --ttl 8760h --json',
    },
    {
      description: 'Create a byte-stable CA for test fixtures (seeded keys: for tests only)',
      command:
        '<%= config.bin %> ca init --trust-domain example.org --out fixtures/ca --seed fixtures-1 --now 2026-01-01T00:00:00Z',
    },
  ]

  static override flags = {
    'trust-domain': sharedFlags.trustDomain(),
    out: sharedFlags.out({description: 'directory to write the CA to (default: $SVIDKIT_CA, else ./ca)'}),
    intermediates: Flags.integer({
      description: 'number of intermediate CAs under the root (0-5)',
      default: 1,
      min: 0,
      max: 5,
    }),
    'key-type': sharedFlags.keyType(),
    ttl: sharedFlags.ttl({description: 'root lifetime (Go duration)', default: '87600h'}),
    'intermediate-ttl': Flags.string({description: "intermediate lifetime, capped at the parent's", default: '8760h'}),
    'path-len': Flags.string({
      description:
        "root pathLenConstraint: 'auto' (each CA allows the CAs below it), 'none', or a number ≥ --intermediates",
      default: 'auto',
    }),
    'name-constraints': Flags.boolean({
      description: 'critical URI name constraint on the root permitting only the trust domain',
      default: true,
      allowNo: true,
    }),
    force: sharedFlags.force({description: 'replace an existing CA in --out'}),
    'insecure-allow-shared-dir': sharedFlags.allowSharedDir(),
    ...seedFlags,
  }

  async run() {
    const {flags} = await this.parse(CaInit)
    const result = await initCa({
      trustDomain: flags['trust-domain'],
      out: flags.out ?? defaultCaDir(),
      intermediates: flags.intermediates,
      keyType: parseKeyType(flags['key-type']),
      ttlMs: parseLifetime(flags.ttl, '--ttl'),
      intermediateTtlMs: parseLifetime(flags['intermediate-ttl'], '--intermediate-ttl'),
      pathLen: parsePathLen(flags['path-len']),
      nameConstraints: flags['name-constraints'],
      force: flags.force,
      allowSharedDir: flags['insecure-allow-shared-dir'],
      seed: flags.seed,
      clock: clockOf(flags.now),
    })
    this.warnings(result.warnings)
    this.log(`created CA for trust domain ${result.trustDomain} in ${result.dir}`)
    for (const line of chainTree(result.chain)) this.log(`  ${line}`)
    this.log(`  bundle: ${result.files.bundle}, ${result.files.bundleJwks}`)
    const {authority: _authority, ...json} = result
    return json
  }
}
