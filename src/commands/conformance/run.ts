import {Flags} from '@oclif/core'
import {runConformance} from '../../core/conformance/run.js'
import {DEFAULT_HARNESS_MAX_OUTPUT, DEFAULT_HARNESS_TIMEOUT_MS} from '../../core/conformance/run-harness.js'
import {parseDuration} from '../../core/time/duration.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'
import {renderScorecard} from '../../cli/render/conformance.js'

export default class ConformanceRun extends SvidkitCommand {
  static override summary = "Run a verifier's harness against the SPIFFE conformance suite and score it"
  static override description = describe(`
Runs the harness the x509-limbo way: the suite JSON on its stdin, a results document on its
stdout ({"version": 1, "harness": NAME, "results": [{"id", "actual_result": SUCCESS | FAILURE |
SKIPPED, "context"}]}), logs on stderr, exit 0. The harness runs under /bin/sh -c in its own
process group, killed after --timeout or beyond --max-output bytes of stdout (harness-failed,
exit 5).

Reports per family: agree, wrong accept (the harness accepted what the spec rejects), wrong
reject, skipped; then every disagreement with its description, level and spec section. Exit 0
only when no MUST case disagrees (else 4, conformance-disagreement); SHOULD and MAY
disagreements are reported but do not fail. --junit writes JUnit XML for CI.`)

  static override examples = [
    {
      description: "Score svidkit's own verifier (it must agree on every case)",
      command: "<%= config.bin %> conformance run --harness '<%= config.bin %> conformance harness'",
    },
    {
      description: 'Score a Go verifier against a suite file, and write JUnit XML for CI',
      command:
        "<%= config.bin %> conformance run --harness 'go run ./spiffe-harness' --suite suite/spiffe-conformance.json --junit conformance.xml",
    },
    {
      description: 'Score a Python verifier, and print the report as JSON',
      command: "<%= config.bin %> conformance run --harness 'python3 harness.py' --json",
    },
  ]

  static override flags = {
    harness: Flags.string({
      description: 'harness command line (run with /bin/sh -c; suite on stdin, results JSON on stdout)',
      required: true,
    }),
    suite: Flags.string({description: 'suite file from "conformance generate" (default: build the same suite now)'}),
    junit: Flags.string({description: 'also write the results as JUnit XML to this file'}),
    timeout: Flags.string({
      description: 'time the harness may take (Go duration)',
      default: `${DEFAULT_HARNESS_TIMEOUT_MS / 1000}s`,
    }),
    'max-output': Flags.integer({
      description: 'largest stdout accepted from the harness, in bytes',
      default: DEFAULT_HARNESS_MAX_OUTPUT,
      min: 1024,
    }),
  }

  async run() {
    const {flags} = await this.parse(ConformanceRun)
    const signal = this.interruptSignal()
    let card
    try {
      card = await runConformance({
        harness: flags.harness,
        suite: flags.suite,
        junit: flags.junit,
        timeoutMs: parseDuration(flags.timeout),
        maxOutput: flags['max-output'],
        signal,
      })
    } catch (err) {
      // SIGINT/SIGTERM: the harness's process group is already killed; end with 130/143.
      this.exitForInterrupt(signal)
      throw err
    }
    for (const line of renderScorecard(card)) this.log(line)
    if (!card.passed) this.finish(card, 4)
    return card
  }
}
