import type {Interfaces} from '@oclif/core'
import {usageError, type SvidkitError} from '../core/errors.js'
import {closest} from './suggest.js'

/**
 * Returns the usage error for a command id that names no command: "did you mean" when a
 * command is close. With a space separator oclif joins the arguments into the id
 * ("isnpect:x.pem"): the command is the first word, or the first two when the first names a
 * topic. A leading dash is an unknown top-level flag.
 */
export function unknownCommandError(id: string, config: Interfaces.Config): SvidkitError {
  const sep = config.topicSeparator ?? ' '
  const bin = config.bin
  const words = id.split(/[: ]/)
  if (words[0].startsWith('-'))
    return usageError(
      `unknown flag "${words[0]}"`,
      `"${bin} --help" lists the commands, "${bin} --version" prints the version`,
    )
  const topics = new Set(config.topics.map((t) => t.name))
  const typed = words.slice(0, topics.has(words[0]) && words.length > 1 ? 2 : 1).join(sep)
  const ids = config.commandIDs.filter((c) => !config.findCommand(c)?.hidden).map((c) => c.replaceAll(':', sep))
  const suggestion = closest(typed, ids)
  const list = `"${bin} --help" lists the commands`
  return usageError(`unknown command "${typed}"`, suggestion ? `did you mean "${bin} ${suggestion}"? ${list}` : list)
}
