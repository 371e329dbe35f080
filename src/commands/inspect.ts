import {Args} from '@oclif/core'
import {inspectFile} from '../core/inspect/inspect.js'
import {parseInstant} from '../core/time/instant.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {sharedFlags} from '../cli/flags.js'
import {renderInspect} from '../cli/render/inspect.js'

export default class Inspect extends SvidkitCommand {
  static override summary = 'Show certificates, chains, bundles and keys the SPIFFE way'
  static override description = describe(`
For every certificate: role (root, intermediate, leaf), SPIFFE ID, subject and issuer,
serial, validity with time left, key type, SHA-256 fingerprint, SKI/AKI, key usages,
name constraints, every extension with its criticality, and which SPIFFE rules it breaks
(static checks on the certificate alone: no chain is built; use verify for that). Reads
PEM, DER, concatenated PEM, credential bundles, SPIFFE JWKS bundles and bundle maps, and
PKCS#8/SEC1/PKCS#1 keys (shown by type only, never printed).`)

  static override examples = [
    '<%= config.bin %> inspect svid/svid.pem',
    '<%= config.bin %> inspect ca/bundle.spiffe.json ca/root.pem --json',
    '<%= config.bin %> inspect tls.crt tls.key --at 2027-01-01T00:00:00Z',
  ]

  static override strict = false
  static override args = {
    file: Args.string({description: 'files to inspect', required: true}),
  }

  static override flags = {
    at: sharedFlags.at(),
  }

  async run() {
    const {argv, flags} = await this.parse(Inspect)
    const at = flags.at === undefined ? new Date() : parseInstant(flags.at, new Date())
    const files = (argv as string[]).map((f) => inspectFile(f, at))
    for (const f of files) this.log([...renderInspect(f), ''].join('\n'))
    return {files}
  }
}
