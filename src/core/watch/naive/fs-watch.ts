import {watch, type FSWatcher} from 'node:fs'
import {NaiveConsumer} from './base.js'

/** `fs.watch` on the cert and key files: the watch follows the inode and dies silently with it (R4). */
export class FsWatchFileConsumer extends NaiveConsumer {
  readonly strategy = 'fs-watch-file'
  private watchers: FSWatcher[] = []

  async start(): Promise<void> {
    for (const role of ['cert', 'key'] as const) {
      try {
        const w = watch(this.path(role), () => void this.load('event'))
        w.on('error', (err) => this.emit('error', {code: 'watch-error', message: err.message}))
        this.watchers.push(w)
      } catch (err) {
        this.emit('error', {
          code: 'watch-error',
          message: `cannot watch "${this.path(role)}": ${(err as Error).message}`,
        })
      }
    }
    await this.load('start')
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const w of this.watchers) w.close()
  }
}

/** `fs.watch` on the directory, reacting only to events that name the cert or key (R5a under kubelet). */
export class FsWatchDirConsumer extends NaiveConsumer {
  readonly strategy = 'fs-watch-dir'
  private watcher?: FSWatcher

  async start(): Promise<void> {
    const names = new Set([this.o.names.cert, this.o.names.key])
    try {
      this.watcher = watch(this.o.dir, (_event, filename) => {
        if (filename && names.has(filename.toString())) void this.load('event')
      })
      this.watcher.on('error', (err) => this.emit('error', {code: 'watch-error', message: err.message}))
    } catch (err) {
      this.emit('error', {code: 'watch-error', message: `cannot watch "${this.o.dir}": ${(err as Error).message}`})
    }
    await this.load('start')
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.watcher?.close()
  }
}
