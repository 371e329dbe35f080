import {Errors, type Hook} from '@oclif/core'
import {usageError} from '../../core/errors.js'
import {renderError} from '../render-error.js'
import {closest} from '../suggest.js'

/**
 * Runs when the first arguments name no command: a usage error (exit 2) in the format of
 * every other error, with "did you mean" when a command is close, and the JSON error
 * document under --json.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const sep = opts.config.topicSeparator ?? ' '
  // With a space separator oclif joins the arguments into the id ("isnpect:x.pem"): the
  // command is the first word, or the first two when the first names a topic.
  const words = opts.id.split(':')
  const topics = new Set(opts.config.topics.map((t) => t.name))
  const typed = words.slice(0, topics.has(words[0]) && words.length > 1 ? 2 : 1).join(sep)
  const ids = opts.config.commandIDs.filter((id) => !opts.config.findCommand(id)?.hidden).map((id) => id.replaceAll(':', sep))
  const suggestion = closest(typed, ids)
  const bin = opts.config.bin
  const error = usageError(
    `unknown command "${typed}"`,
    suggestion ? `did you mean "${bin} ${suggestion}"? "${bin} --help" lists the commands` : `"${bin} --help" lists the commands`,
  )
  renderError(error, (opts.argv ?? []).includes('--json'))
  throw new Errors.ExitError(error.exit)
}

export default hook
