import {Args, Flags} from '@oclif/core'
import {convertBundles} from '../../core/bundle/index.js'
import {checkSingleOutput, writeSingleOutput} from '../../core/fs/single-output.js'
import {parseDuration} from '../../core/time/duration.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'
import {sharedFlags} from '../../cli/flags.js'

export default class BundleConvert extends SvidkitCommand {
  static override summary = 'Convert trust bundles between PEM, SPIFFE JWKS and bundle maps'
  static override description = describe(`
Reads one or more bundles ([TD=]FILE: PEM, SPIFFE JWKS or bundle map), binds each to its
trust domain exactly as verify does, and writes one PEM bundle or SPIFFE JWKS for one trust
domain, or a bundle map ({"trust_domains": {...}}) for all of them. The output goes to
stdout, or atomically to --out: a new file, or with --force a regular file of yours (never a
link, a device such as /dev/null, a FIFO or a socket). Bundles hold only public certificates, and only CA
certificates: a leaf (an SVID) is refused as an authority unless
--allow-non-ca-authorities is given.`)

  static override examples = [
    {
      description: 'Convert a PEM bundle to SPIFFE JWKS on standard output',
      command: '<%= config.bin %> bundle convert ca/bundle.pem --to jwks',
    },
    {
      description: 'Convert a SPIFFE JWKS bundle to PEM',
      command: '<%= config.bin %> bundle convert bundle.spiffe.json --to pem --out bundle.pem',
    },
    {
      description: 'Build a federation bundle map of two trust domains',
      command: '<%= config.bin %> bundle convert example.org=a.pem partner.test=b.pem --to map --out federation.json',
    },
  ]

  static override strict = false
  static override args = {
    bundle: Args.string({description: 'input bundles, [TD=]FILE; - reads standard input', required: true}),
  }

  static override flags = {
    to: Flags.string({description: 'output format', options: ['pem', 'jwks', 'map'], required: true}),
    'trust-domain': Flags.string({description: 'trust domain to write (pem, jwks) or of unlabelled inputs'}),
    out: Flags.string({description: 'write to this file (atomically) instead of stdout'}),
    force: sharedFlags.force({description: 'replace an existing --out file (a regular file of yours)'}),
    sequence: Flags.integer({description: 'spiffe_sequence to write', min: 0}),
    'refresh-hint': Flags.string({description: 'spiffe_refresh_hint to write (Go duration, e.g. 5m)'}),
    strict: Flags.boolean({description: 'read JWKS inputs as go-spiffe does', default: false}),
    'allow-non-ca-authorities': Flags.boolean({
      description:
        'DANGEROUS: accept certificates that are not CAs (e.g. an SVID) as bundle authorities; refused by default',
      default: false,
    }),
  }

  async run() {
    const {argv, flags} = await this.parse(BundleConvert)
    const out = {force: flags.force}
    // Refused before reading any input: an existing file without --force, a link, a device.
    if (flags.out !== undefined) checkSingleOutput(flags.out, out)
    const result = convertBundles(argv as string[], {
      to: flags.to as 'pem' | 'jwks' | 'map',
      trustDomain: flags['trust-domain'],
      sequence: flags.sequence,
      refreshHint:
        flags['refresh-hint'] === undefined ? undefined : Math.round(parseDuration(flags['refresh-hint']) / 1000),
      strict: flags.strict,
      allowNonCaAuthorities: flags['allow-non-ca-authorities'],
    })
    this.warnings(result.warnings)
    if (flags.out) {
      writeSingleOutput(flags.out, result.text, 0o644, out)
      this.log(
        `wrote ${result.format} bundle for ${result.trustDomains.join(', ')} (${result.authorities} authorities) to ${flags.out}`,
      )
    } else if (!this.jsonEnabled()) process.stdout.write(result.text)
    const {text, ...rest} = result
    return flags.out ? {...rest, out: flags.out} : {...rest, text}
  }
}
