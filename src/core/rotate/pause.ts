import {createInterface} from 'node:readline'

/**
 * Returns a promise that resolves on SIGUSR2 or on a line on stdin (docs/rotation.md "Knobs"
 * `--pause-after`), whichever comes first, or when `abort` fires (SIGINT/SIGTERM).
 */
export function waitForResume(abort?: AbortSignal): Promise<'signal' | 'stdin' | 'abort'> {
  return new Promise((resolve) => {
    if (abort?.aborted) return resolve('abort')
    const rl = process.stdin.readable ? createInterface({input: process.stdin}) : undefined
    const done = (how: 'signal' | 'stdin' | 'abort') => {
      process.off('SIGUSR2', onSignal)
      abort?.removeEventListener('abort', onAbort)
      rl?.close()
      resolve(how)
    }
    const onSignal = () => done('signal')
    const onAbort = () => done('abort')
    process.on('SIGUSR2', onSignal)
    abort?.addEventListener('abort', onAbort, {once: true})
    rl?.once('line', () => done('stdin'))
  })
}
