import {Args, Flags} from '@oclif/core'
import {inspectTargets} from '../core/inspect/targets.js'
import {parseInstant} from '../core/time/instant.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {sharedFlags} from '../cli/flags.js'
import {renderInspect, renderInspectPem} from '../cli/render/inspect.js'
import {wrapLines} from '../cli/style.js'
import {passwordsFromFlags, withPasswordPrompt} from '../cli/password-prompt.js'
import {readFlags} from '../cli/read-flags.js'

export default class Inspect extends SvidkitCommand {
  static override summary = 'Show certificates, chains, bundles and keys the SPIFFE way'
  static override description = describe(`
For every certificate: role (root, intermediate, leaf), SPIFFE ID, subject and issuer,
serial, validity with time left, key type, SHA-256 fingerprint, SKI/AKI, key usages,
name constraints, every extension with its criticality, and which SPIFFE rules it breaks
(static checks on the certificate alone: no chain is built; use verify for that). Reads
PEM, DER, concatenated PEM, credential bundles, SPIFFE JWKS bundles and bundle maps,
PKCS#8/SEC1/PKCS#1 keys (shown by type only, never printed), encrypted PKCS#8 keys
(--key-password-file), PKCS#12 files (--p12-password-file), Kubernetes Secret manifests
(every Secret of every document, entry by entry) and certificate signing requests. On a
terminal, a missing password is asked for.

An argument of the form HOST:PORT (and not an existing file) fetches the chain a live TLS
server presents, without sending a client certificate; the chain is shown, not verified
(use verify --connect with a bundle for that). "-" reads standard input. inspect takes
files, not directories: for an SVID directory, name its files.

--format text (default) is the report above, json the same document as --json, pem the
certificates only, as PEM blocks (keys are never printed).`)

  static override examples = [
    {
      description: 'Show each certificate of a chain file with the SPIFFE rules it breaks',
      command: '<%= config.bin %> inspect svid/svid.pem',
    },
    {
      description: 'Read a SPIFFE JWKS bundle and a root together, as JSON',
      command: '<%= config.bin %> inspect ca/bundle.spiffe.json ca/root.pem --json',
    },
    {
      description: 'Check a certificate and its key as they will be on 1 January 2027',
      command: '<%= config.bin %> inspect tls.crt tls.key --at 2027-01-01T00:00:00Z',
    },
    {
      description: 'Inspect the chain a live TLS server presents, sending this SNI name',
      command: '<%= config.bin %> inspect 127.0.0.1:8443 --servername web.example.org',
    },
    {
      description: 'Save the chain a server presents as PEM',
      command: '<%= config.bin %> inspect 127.0.0.1:8443 --format pem > presented.pem',
    },
    {description: 'Inspect a chain read from standard input', command: 'cat svid.pem | <%= config.bin %> inspect -'},
    {
      description: 'Read a PKCS#12 file with the password in a file',
      command: '<%= config.bin %> inspect svid/svid.p12 --p12-password-file pw.txt',
    },
    {
      description: 'Read a Kubernetes Secret manifest and a CSR',
      command: '<%= config.bin %> inspect secret.yaml web.csr',
    },
  ]

  static override strict = false
  static override args = {
    file: Args.string({
      description: 'files to inspect, - for standard input, or HOST:PORT of a TLS server',
      required: true,
    }),
  }

  static override flags = {
    at: sharedFlags.at(),
    format: Flags.string({description: 'output format', options: ['text', 'json', 'pem'], default: 'text'}),
    servername: Flags.string({
      description: 'SNI name to send to a HOST:PORT argument (default: the host when it is a name)',
    }),
    'p12-password-file': readFlags['p12-password-file'],
    'key-password-file': readFlags['key-password-file'],
  }

  async run() {
    const {argv, flags} = await this.parse(Inspect)
    const at = flags.at === undefined ? new Date() : parseInstant(flags.at, new Date())
    const given = passwordsFromFlags({p12File: flags['p12-password-file'], keyFile: flags['key-password-file']})
    const result = await withPasswordPrompt(given, (passwords) =>
      inspectTargets(argv as string[], {
        ...passwords,
        at,
        servername: flags.servername,
        format: flags.format as 'text' | 'json' | 'pem',
        json: this.jsonEnabled(),
      }),
    )
    if (flags.format === 'json' && !this.jsonEnabled()) this.logJson(result)
    else if (flags.format === 'pem') process.stdout.write(renderInspectPem(result.files))
    else for (const f of result.files) this.log([...wrapLines(renderInspect(f)), ''].join('\n'))
    return result
  }
}
