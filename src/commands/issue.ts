import {issueToDirectory} from '../core/svid/issue-files.js'
import {issueToPem, STDOUT_OUT} from '../core/svid/issue-stdout.js'
import {DEFECTS} from '../core/defects/index.js'
import {usageError} from '../core/errors.js'
import type {IssueToDirectoryOptions} from '../core/svid/issue-files.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {ISSUE_DESCRIPTION, ISSUE_EXAMPLES, ISSUE_SUMMARY} from '../cli/issue-help.js'
import {issueFlags, issueOptions} from '../cli/issue-options.js'
import {streamIssued} from '../cli/issue-stream.js'
import {renderDefects, renderIssued} from '../cli/render/issue.js'

export default class Issue extends SvidkitCommand {
  static override summary = ISSUE_SUMMARY
  static override description = ISSUE_DESCRIPTION
  static override examples = ISSUE_EXAMPLES
  static override flags = issueFlags

  async run() {
    const {flags} = await this.parse(Issue)
    // Deprecated (svidkit defects); the same output as before for scripts that use it.
    if (flags['list-defects']) {
      for (const line of renderDefects(DEFECTS)) this.log(line)
      return DEFECTS.map(({name, code, rule, aspect, strictOnly}) => ({
        name,
        code,
        rule,
        aspect,
        strictOnly: Boolean(strictOnly),
      }))
    }
    const options = issueOptions(flags)
    if (options.out === STDOUT_OUT) return this.toStdout(options)
    if (flags.count === undefined) {
      const [result] = await issueToDirectory(options)
      this.warnings(result.warnings)
      for (const line of renderIssued(result)) this.log(line)
      return result
    }
    const signal = this.interruptSignal()
    const port = {
      json: this.jsonEnabled(),
      signal,
      warn: (l: string[]) => this.warnings(l),
      log: (l: string) => this.log(l),
      exit: this.exitWith.bind(this),
    }
    await streamIssued(options, flags.count, port)
    this.exitForInterrupt(signal)
    return undefined
  }

  /** Prints one SVID as PEM, chain then key (`--out -`); warnings and the key warning go to stderr. */
  private async toStdout(options: IssueToDirectoryOptions): Promise<undefined> {
    if (this.jsonEnabled())
      throw usageError('--json and --out - both write to standard output', 'drop --json, or give --out a directory')
    const {pem, result} = await issueToPem(options)
    this.warnings(result.warnings)
    if (process.stdout.isTTY && result.files.key)
      this.warnings(['the private key is printed to the terminal (redirect --out - to a file or a pipe)'])
    process.stdout.write(pem)
    return undefined
  }
}
