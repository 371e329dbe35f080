import {existsSync, watch, type FSWatcher} from 'node:fs'
import {NaiveConsumer} from './base.js'

/**
 * controller-runtime `pkg/certwatcher`: file watches on C and K; a write re-reads; a
 * remove re-adds the watch once (a failure is only logged, never retried); a rename is
 * ignored; a 10 s poll re-reads (docs/rotation.md "Consumers"). Node cannot tell a remove from a
 * rename, so a `rename` event whose path exists again counts as remove + successful
 * re-add, and one whose path is gone as the failed re-add.
 */
export class CertWatcherConsumer extends NaiveConsumer {
  readonly strategy = 'certwatcher'
  private watchers = new Map<string, FSWatcher>()
  private poll?: NodeJS.Timeout

  private add(path: string): boolean {
    try {
      const w = watch(path, (event) => this.onEvent(path, event))
      w.on('error', (err) => this.emit('error', {code: 'watch-error', message: err.message}))
      this.watchers.set(path, w)
      return true
    } catch (err) {
      this.emit('error', {
        code: 'watch-error',
        message: `error re-watching file "${path}": ${(err as Error).message} (not retried)`,
      })
      return false
    }
  }

  private onEvent(path: string, event: string): void {
    if (event === 'rename') {
      this.watchers.get(path)?.close()
      this.watchers.delete(path)
      if (existsSync(path) && this.add(path)) void this.load('event')
      else if (!existsSync(path))
        this.emit('error', {code: 'watch-lost', message: `"${path}" is gone; its watch is not re-added`})
      return
    }
    void this.load('event')
  }

  async start(): Promise<void> {
    this.add(this.path('cert'))
    this.add(this.path('key'))
    this.poll = setInterval(() => void this.load('poll'), this.o.pollMs ?? 10_000)
    await this.load('start')
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.poll)
    for (const w of this.watchers.values()) w.close()
  }
}
