import {usageError} from '../core/errors.js'

/** Returns the --path-len value: 'auto', 'none' or a non-negative integer. */
export function parsePathLen(text: string): 'auto' | 'none' | number {
  if (text === 'auto' || text === 'none') return text
  if (/^\d+$/.test(text)) return Number(text)
  throw usageError(`invalid path length "${text}"`, "use 'auto', 'none' or a number")
}
