import {ux} from '@oclif/core'
import {escapeControlOnly, redactPrivateKeys} from '../core/escape.js'
import type {SvidkitError} from '../core/errors.js'
import {style} from './style.js'

/** Returns a message or hint safe to print: no private key, no control character (security.md "Terminal output"). */
function safe(text: string): string {
  return escapeControlOnly(redactPrivateKeys(text))
}

/**
 * Prints a failed run's error the one way every command does: `{"ok": false, "error":
 * {code, message, hint}}` on stdout in JSON mode, else `error [code]: message` and a hint
 * line on stderr. Key material is redacted and control characters escaped in both.
 */
export function renderError(e: SvidkitError, json: boolean): void {
  const doc = e.toJSON()
  if (json)
    ux.stdout(
      ux.colorizeJson(
        {ok: false, error: {...doc, message: redactPrivateKeys(doc.message), hint: redactPrivateKeys(doc.hint)}},
        {pretty: true},
      ),
    )
  else
    process.stderr.write(
      `${style.red('error')} [${e.code}]: ${safe(e.message)}\n  ${style.dim('hint:')} ${safe(e.hint)}\n`,
    )
}
