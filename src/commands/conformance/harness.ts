import {runSvidkitHarness} from '../../core/conformance/svidkit-harness.js'
import {parseSuiteText} from '../../core/conformance/suite-read.js'
import {readInput, STDIN_PATH} from '../../core/fs/read-input.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'

export default class ConformanceHarness extends SvidkitCommand {
  static override summary = "svidkit's own conformance harness: judge a suite on stdin, print results JSON"
  static override description = describe(`
The reference harness: reads a suite on stdin and prints an x509-limbo results document on
stdout, judging each case with the same code as "verify" and "jwt verify" (context = svidkit's
reason code). Use it as the example of the harness contract, or to compare two svidkit versions.`)

  static override examples = [
    {
      description: "Score svidkit's own verifier with the kit",
      command: "<%= config.bin %> conformance run --harness '<%= config.bin %> conformance harness'",
    },
    {
      description: 'Run the harness by hand: the suite on stdin, results JSON on stdout',
      command: '<%= config.bin %> conformance harness < suite/spiffe-conformance.json > results.json',
    },
  ]

  static override enableJsonFlag = false

  async run() {
    await this.parse(ConformanceHarness)
    const suite = parseSuiteText(readInput(STDIN_PATH, 'usage').toString('utf8'), 'stdin')
    process.stdout.write(`${JSON.stringify(runSvidkitHarness(suite, this.config.version))}\n`)
  }
}
