import {Errors, type Hook} from '@oclif/core'
import {renderError} from '../render-error.js'
import {unknownCommandError} from '../unknown-command.js'

/**
 * Runs when the first arguments name no command: a usage error (exit 2) in the format of
 * every other error, with "did you mean" when a command is close, and the JSON error
 * document under --json.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const error = unknownCommandError(opts.id, opts.config)
  renderError(error, (opts.argv ?? []).includes('--json'))
  throw new Errors.ExitError(error.exit)
}

export default hook
