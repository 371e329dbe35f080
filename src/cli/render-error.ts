import {ux} from '@oclif/core'
import type {SvidkitError} from '../core/errors.js'
import {style} from './style.js'

/**
 * Prints a failed run's error the one way every command does: `{"ok": false, "error":
 * {code, message, hint}}` on stdout in JSON mode, else `error [code]: message` and a hint
 * line on stderr.
 */
export function renderError(e: SvidkitError, json: boolean): void {
  if (json) ux.stdout(ux.colorizeJson({ok: false, error: e.toJSON()}, {pretty: true}))
  else process.stderr.write(`${style.red('error')} [${e.code}]: ${e.message}\n  ${style.dim('hint:')} ${e.hint}\n`)
}
