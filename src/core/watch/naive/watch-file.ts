import {unwatchFile, watchFile, type Stats} from 'node:fs'
import {NaiveConsumer} from './base.js'

/** `fs.watchFile`: stat polling (5007 ms by default); slow, and a poll can land on a 0-byte file. */
export class WatchFileConsumer extends NaiveConsumer {
  readonly strategy = 'watch-file'
  private readonly listener = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.ino !== prev.ino || curr.size !== prev.size) void this.load('poll')
  }

  async start(): Promise<void> {
    const interval = this.o.pollMs ?? 5007
    for (const role of ['cert', 'key'] as const) watchFile(this.path(role), {interval}, this.listener)
    await this.load('start')
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const role of ['cert', 'key'] as const) unwatchFile(this.path(role), this.listener)
  }
}
