import type {RotateEvent} from '../../core/rotate/events.js'
import type {RotationSummary} from '../../core/rotate/rotate.js'
import {style} from '../style.js'

/** Returns the one human line of a rotation: serials and the windows it opened. */
export function rotationLine(s: RotationSummary, previousSerial: string | undefined): string {
  const windows = s.windows.length
    ? s.windows.map((w) => `${w.window}${w.file ? `(${w.file})` : ''} ${w.ms.toFixed(1)}ms`).join(', ')
    : 'none'
  const what =
    s.result === 'aborted' ? style.red('aborted') : s.result === 'unchanged' ? style.dim('unchanged') : 'written'
  const serial = previousSerial && previousSerial !== s.serial ? `${previousSerial} → ${s.serial}` : s.serial
  return `rotation ${s.rotation}: ${what}  serial ${serial}  until ${s.notAfter}  windows: ${windows}`
}

/** Returns a human line for the events worth showing live (pause, errors). */
export function liveLine(e: RotateEvent): string | undefined {
  if (e.step === 'pause') return style.yellow(`paused after ${e.file}: ${e.message}`)
  // Warnings go to stderr with the summary; retries are the log's business; the final failure is the command's error.
  if (e.step === 'error' && !['warning', 'signal-retry', 'signal-failed'].includes(e.code as string))
    return style.red(`${e.code}: ${e.message}`)
  return undefined
}

/** Which interrupt arrived (SIGINT/SIGTERM), recorded for the exit code; `dispose` removes the listeners. */
export function trackInterrupt(): {signal?: NodeJS.Signals; dispose: () => void} {
  const state: {signal?: NodeJS.Signals; dispose: () => void} = {dispose: () => undefined}
  const onInt = () => (state.signal ??= 'SIGINT')
  const onTerm = () => (state.signal ??= 'SIGTERM')
  process.once('SIGINT', onInt)
  process.once('SIGTERM', onTerm)
  state.dispose = () => {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
  return state
}

/** Returns the exit code of a command stopped by a signal: 130 for SIGINT, 143 for SIGTERM. */
export function interruptExit(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143
}
