import {Flags} from '@oclif/core'
import {generateSuite, DEFAULT_SUITE_NOW, SUITE_FILE} from '../../core/conformance/generate.js'
import {parseInstant} from '../../core/time/instant.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'

export default class ConformanceGenerate extends SvidkitCommand {
  static override summary =
    'Write the SPIFFE conformance suite (x509-limbo testcase format) for testing other verifiers'
  static override description = describe(`
Writes DIR/${SUITE_FILE}: one JSON document in x509-limbo's testcase schema (version 1) with
SPIFFE fields, four families: x509-svid (the leaf profile: every "issue --defect"), path
(bundle binding across trust domains, URI name constraints, CA rollover), jwt-svid (every "jwt
issue --defect" and valid tokens at the edges) and bundle (SPIFFE bundle documents). Each case
names its spec section, its level (MUST, SHOULD, MAY) and svidkit's reason code. Every case is
made at a fixed instant (--now, default ${DEFAULT_SUITE_NOW.toISOString()}) and validated one
minute later, so the suite never expires. With --seed every key (EC and RSA), serial, salt and
signature derives from the seed: the same arguments write the same bytes on any machine (seeded
keys are for tests only: the seed gives them away). docs/conformance.md describes the format.`)

  static override examples = [
    {
      description: 'Write the conformance suite to suite/',
      command: '<%= config.bin %> conformance generate --out suite',
    },
    {
      description: 'Write a byte-stable suite (same seed, same bytes), and print JSON',
      command: '<%= config.bin %> conformance generate --out suite --seed 42 --json',
    },
  ]

  static override flags = {
    out: Flags.string({description: 'directory to write the suite to', required: true}),
    seed: Flags.string({
      description:
        'derive every key, serial and signature from this seed (recorded in the suite): same seed, same bytes (test fixtures only; docs/conformance.md)',
    }),
    now: Flags.string({
      description: `instant the cases are made at (RFC 3339); default ${DEFAULT_SUITE_NOW.toISOString()}`,
    }),
  }

  async run() {
    const {flags} = await this.parse(ConformanceGenerate)
    const result = await generateSuite({
      out: flags.out,
      seed: flags.seed,
      now: flags.now === undefined ? undefined : parseInstant(flags.now, new Date()),
      generator: `svidkit-${this.config.version}`,
    })
    this.warnings(result.warnings)
    this.log(
      `wrote ${result.cases} cases to ${result.path} (${Object.entries(result.families)
        .map(([f, n]) => `${f} ${n}`)
        .join(', ')})`,
    )
    return result
  }
}
