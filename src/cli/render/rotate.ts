import type {RotateEvent} from '../../core/rotate/events.js'
import type {RotationSummary} from '../../core/rotate/rotate.js'
import {style} from '../style.js'

/** Returns the one human line of a rotation: serials and the windows it opened. */
export function rotationLine(s: RotationSummary, previousSerial: string | undefined): string {
  const windows = s.windows.length ? s.windows.map((w) => `${w.window}${w.file ? `(${w.file})` : ''} ${w.ms.toFixed(1)}ms`).join(', ') : 'none'
  const what = s.result === 'aborted' ? style.red('aborted') : s.result === 'unchanged' ? style.dim('unchanged') : 'written'
  const serial = previousSerial && previousSerial !== s.serial ? `${previousSerial} → ${s.serial}` : s.serial
  return `rotation ${s.rotation}: ${what}  serial ${serial}  until ${s.notAfter}  windows: ${windows}`
}

/** Returns a human line for the events worth showing live (pause, errors). */
export function liveLine(e: RotateEvent): string | undefined {
  if (e.step === 'pause') return style.yellow(`paused after ${e.file}: ${e.message}`)
  if (e.step === 'error' && e.code !== 'warning') return style.red(`${e.code}: ${e.message}`)
  return undefined
}
