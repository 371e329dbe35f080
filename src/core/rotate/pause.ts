import {createInterface} from 'node:readline'

/**
 * Returns a promise that resolves on SIGUSR2 or on a line on stdin (rotation.md §1.1
 * `--pause-after`), whichever comes first.
 */
export function waitForResume(): Promise<'signal' | 'stdin'> {
  return new Promise((resolve) => {
    const rl = process.stdin.readable ? createInterface({input: process.stdin}) : undefined
    const done = (how: 'signal' | 'stdin') => {
      process.off('SIGUSR2', onSignal)
      rl?.close()
      resolve(how)
    }
    const onSignal = () => done('signal')
    process.on('SIGUSR2', onSignal)
    rl?.once('line', () => done('stdin'))
  })
}
