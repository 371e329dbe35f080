import {readFileSync, watch, type FSWatcher} from 'node:fs'
import {dirname} from 'node:path'
import {parsePemBundle} from '../../bundle/index.js'
import type {BundleSet} from '../../bundle/index.js'
import {singleBundleSet} from '../../bundle/single-set.js'

/**
 * The clients' trust bundle, read once and re-read only when the CA directory changes
 * (no disk I/O on the handshake path); a torn or unreadable file keeps the previous one.
 */
export class ClientTrust {
  private set: BundleSet
  private watcher?: FSWatcher
  private timer?: NodeJS.Timeout

  constructor(
    private readonly path: string,
    private readonly trustDomain: string,
  ) {
    this.set = this.read() ?? singleBundleSet(trustDomain, [], path)
    try {
      this.watcher = watch(dirname(path), () => {
        clearTimeout(this.timer)
        this.timer = setTimeout(() => {
          const next = this.read()
          if (next) this.set = next
        }, 20)
      })
    } catch {
      // without a watch the first bundle stays: CA rotations then show as client-side failures
    }
  }

  private read(): BundleSet | undefined {
    try {
      return singleBundleSet(
        this.trustDomain,
        parsePemBundle(readFileSync(this.path), this.path).authorities,
        this.path,
      )
    } catch {
      return undefined
    }
  }

  /** Returns the current bundles (by trust domain). */
  bundles(): BundleSet {
    return this.set
  }

  close(): void {
    clearTimeout(this.timer)
    this.watcher?.close()
  }
}
