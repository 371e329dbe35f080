import {watch, type FSWatcher} from 'chokidar'
import {NaiveConsumer} from './base.js'

/** chokidar with its defaults, loading on `change`: its 50 ms leading-edge throttle can hide the end of a write (R10). */
export class ChokidarConsumer extends NaiveConsumer {
  readonly strategy = 'chokidar'
  private watcher?: FSWatcher

  async start(): Promise<void> {
    this.watcher = watch([this.path('cert'), this.path('key')], {ignoreInitial: true})
    this.watcher.on('change', () => void this.load('event'))
    this.watcher.on('add', () => void this.load('event'))
    this.watcher.on('error', (err) => this.emit('error', {code: 'watch-error', message: String(err)}))
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()))
    await this.load('start')
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.watcher?.close()
  }
}
