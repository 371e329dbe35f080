import {usageError} from '../errors.js'
import type {Consumer} from './events.js'
import {ReferenceConsumer, type ReferenceOptions} from './reference.js'
import type {NaiveOptions} from './naive/base.js'
import {ChokidarConsumer} from './naive/chokidar.js'
import {CertWatcherConsumer} from './naive/certwatcher.js'
import {FsWatchDirConsumer, FsWatchFileConsumer} from './naive/fs-watch.js'
import {WatchFileConsumer} from './naive/watch-file.js'

/** The consumers `watch --strategy` offers: the reference recipe and five common broken ones. */
export const STRATEGIES = [
  'reference',
  'fs-watch-file',
  'fs-watch-dir',
  'watch-file',
  'chokidar',
  'certwatcher',
] as const

/** Returns a consumer of the given strategy. */
export function createConsumer(strategy: string, o: ReferenceOptions & NaiveOptions): Consumer {
  switch (strategy) {
    case 'reference':
      return new ReferenceConsumer(o)
    case 'fs-watch-file':
      return new FsWatchFileConsumer(o)
    case 'fs-watch-dir':
      return new FsWatchDirConsumer(o)
    case 'watch-file':
      return new WatchFileConsumer(o)
    case 'chokidar':
      return new ChokidarConsumer(o)
    case 'certwatcher':
      return new CertWatcherConsumer(o)
    default:
      throw usageError(`unknown strategy "${strategy}"`, `use one of: ${STRATEGIES.join(', ')}`)
  }
}
