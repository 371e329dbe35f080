import {Flags} from '@oclif/core'
import {importCa} from '../../core/ca/import.js'
import {defaultCaDir} from '../../core/ca/ca-dir.js'
import {readPasswordFile} from '../../core/fs/password.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'
import {sharedFlags} from '../../cli/flags.js'
import {chainTree} from '../../cli/render/certificate.js'

export default class CaImport extends SvidkitCommand {
  static override summary = 'Turn an existing CA (openssl, step, cfssl, Vault) into a svidkit CA directory'
  static override description = describe(`
Reads the CA that will sign SVIDs (--cert, its key --key) and the certificates above it up to
a self-signed root (after the CA in --cert, or in --chain files), checks that it can sign
X509-SVIDs, and writes a CA directory that issue, rotate, race and workload-api use: every CA
on the path has CA:TRUE and keyCertSign, path lengths hold, nothing has expired, the key
belongs to the certificate, and URI name constraints (if any) permit the trust domain.

The trust domain is --trust-domain, else the one the URI name constraints permit, else the
spiffe:// URI SAN of the CAs. Only the signing CA's key is copied (mode 0600); the keys above
it stay where they are, so the directory issues and rotates SVIDs but cannot rotate its own
CAs. What the imported CA cannot do is listed after the import. An existing CA directory is
never replaced without --force.`)

  static override examples = [
    {
      description: 'Import a root CA made by openssl (or step, cfssl) for example.org into ca/',
      command: '<%= config.bin %> ca import --cert ca.crt --key ca.key --trust-domain example.org --out ca',
    },
    {
      description: 'Import an intermediate with its root, so SVIDs chain to the existing root',
      command:
        '<%= config.bin %> ca import --cert intermediate.pem --key intermediate-key.pem --chain root.pem --out ca',
    },
    {
      description: 'Import a Vault intermediate whose key is encrypted, and print JSON',
      command:
        '<%= config.bin %> ca import --cert vault-int.pem --key vault-int-key.pem --chain vault-root.pem --key-password-file pw.txt --json',
    },
  ]

  static override flags = {
    cert: Flags.string({
      description: 'certificate of the CA that signs SVIDs (PEM; may be followed by the CAs above it)',
      required: true,
    }),
    key: Flags.string({
      description: "that CA's private key (PKCS#8, SEC1 or PKCS#1; encrypted PKCS#8 with --key-password-file)",
      required: true,
    }),
    chain: Flags.string({
      description: 'certificates above it, up to the self-signed root (repeatable)',
      multiple: true,
    }),
    'key-password-file': Flags.string({description: 'file whose first line is the password of an encrypted --key'}),
    'trust-domain': Flags.string({
      description: 'trust domain (default: from the URI name constraints, else the CA spiffe:// SAN)',
    }),
    out: sharedFlags.out({description: 'directory to write the CA to (default: $SVIDKIT_CA, else ./ca)'}),
    force: sharedFlags.force({description: 'replace an existing CA in --out'}),
  }

  async run() {
    const {flags} = await this.parse(CaImport)
    const result = importCa({
      cert: flags.cert,
      key: flags.key,
      chain: flags.chain,
      keyPassword: flags['key-password-file'] === undefined ? undefined : readPasswordFile(flags['key-password-file']),
      trustDomain: flags['trust-domain'],
      out: flags.out ?? defaultCaDir(),
      force: flags.force,
    })
    this.warnings(result.warnings)
    this.log(`imported CA for trust domain ${result.trustDomain} into ${result.dir}`)
    for (const line of chainTree(result.chain)) this.log(`  ${line}`)
    this.log(`  bundle: ${result.files.bundle}, ${result.files.bundleJwks}`)
    this.log('cannot do:')
    for (const l of result.limits) this.log(`  - ${l}`)
    return result
  }
}
