import type {SvidkitError} from '../errors.js'
import {formatInstant} from '../time/instant.js'
import type {VerifyResult} from './result.js'

/**
 * Returns the verify document for input that could not be read (step 1, exit 3), so
 * `verify --json` always prints the same shape: `valid: false` and `errors[0]`.
 */
export function readFailureResult(err: SvidkitError, at: Date): VerifyResult {
  const failure = {code: err.code, message: err.message, hint: err.hint}
  return {
    valid: false,
    spiffeId: null,
    trustDomain: null,
    errors: [failure],
    warnings: [],
    checks: [{name: 'read', status: 'fail', code: err.code, message: err.message}],
    chain: [],
    at: formatInstant(at),
  }
}
