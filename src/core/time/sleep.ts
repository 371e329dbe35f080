/**
 * Returns a promise resolving after `ms` (0 resolves on the next turn of the event loop),
 * or at once when `abort` fires (an interrupted rotation finishes its files without waiting).
 */
export function sleep(ms: number, abort?: AbortSignal): Promise<void> {
  if (abort?.aborted) return Promise.resolve()
  return new Promise((r) => {
    const done = () => {
      clearTimeout(timer)
      abort?.removeEventListener('abort', done)
      r()
    }
    const timer = setTimeout(done, ms)
    abort?.addEventListener('abort', done, {once: true})
  })
}
