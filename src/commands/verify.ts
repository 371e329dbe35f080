import {SvidkitCommand} from '../cli/base-command.js'
import {renderVerify} from '../cli/render/verify.js'
import {wrapLines} from '../cli/style.js'
import {verifyArgs, verifyFlags} from '../cli/verify-flags.js'
import {VERIFY_DESCRIPTION, VERIFY_EXAMPLES, VERIFY_SUMMARY} from '../cli/verify-help.js'
import {readFailure, verifyFromFlags, verifyInstant} from '../cli/verify-options.js'

export default class Verify extends SvidkitCommand {
  static override summary = VERIFY_SUMMARY
  static override description = VERIFY_DESCRIPTION
  static override examples = VERIFY_EXAMPLES
  static override args = verifyArgs
  static override flags = verifyFlags

  async run() {
    const {args, flags} = await this.parse(Verify)
    const instant = verifyInstant(flags.at)
    let result
    try {
      result = await verifyFromFlags(args.file, flags, instant)
    } catch (err) {
      // In JSON mode a failure to read the input (exit 3) or to reach --connect (exit 5) is still the verify document.
      const failure = this.jsonEnabled() ? readFailure(err, instant.at) : undefined
      if (failure) this.finish(failure.result, failure.exit)
      throw err
    }
    for (const line of wrapLines(renderVerify(result, {atGiven: instant.given}))) this.log(line)
    if (!result.valid) this.finish(result, 4)
    return result
  }
}
