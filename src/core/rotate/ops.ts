import {
  closeSync,
  fchmodSync,
  chmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeSync,
  constants as C,
  type Stats,
} from 'node:fs'
import {basename} from 'node:path'
import {outputError} from '../fs/atomic-write.js'
import {dirId, removeOwnDir, type DirId} from '../fs/remove-dir.js'
import {sleep} from '../time/sleep.js'
import type {Clock} from '../clock.js'
import type {EventSink, RotateEvent, RotateStep, WindowKind} from './events.js'
import type {FileRole, Knobs} from './knobs.js'

/** Test and pause hooks of an Ops instance. */
export interface OpsHooks {
  /** Called synchronously after every event is emitted (tests stat the directory here). */
  afterEvent?: (e: RotateEvent) => void
  /** Resolves when a `--pause-after` pause ends. */
  waitForResume?: () => Promise<unknown>
}

const FLAG_NAMES: [number, string][] = [
  [C.O_WRONLY, 'O_WRONLY'],
  [C.O_CREAT, 'O_CREAT'],
  [C.O_TRUNC, 'O_TRUNC'],
  [C.O_EXCL, 'O_EXCL'],
  [C.O_NOFOLLOW, 'O_NOFOLLOW'],
]

function flagText(flags: number): string {
  const names = FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n)
  return names.length ? names.join('|') : 'O_RDONLY'
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`
}

/** Runs one file-system call; an OS failure becomes exit 3 with the path and the reason. */
function fsCall<T>(path: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw outputError(path, err)
  }
}

/**
 * The file operations of one rotation, each a synchronous call followed by one event
 * (docs/rotation.md "Event log"), so the log is exactly the order on disk. Also tracks the windows
 * the writer opens (torn, absent, key-mismatch, bundle-stale) and `--pause-after`.
 */
export class Ops {
  private readonly openWindows = new Map<string, number>()
  private readonly published = new Set<FileRole>()
  readonly windows: {window: WindowKind; file?: string; ms: number}[] = []
  readonly pending: Promise<void>[] = []
  /** Temporaries and unpublished version dirs of this rotation: removed when it fails. */
  readonly scratch = new Set<string>()
  /** The identity of each directory this rotation made, for removing it only while it is that directory. */
  private readonly madeDirs = new Map<string, DirId>()
  /** The fstat of each open descriptor, taken once at the open. */
  private readonly fdStats = new Map<number, Stats>()
  /** Descriptors opened and not yet closed: closed when the rotation fails. */
  private readonly openFds = new Set<number>()

  constructor(
    readonly ctx: {
      rotation: number
      writer: string
      clock: Clock
      sink: EventSink
      knobs: Knobs
      hooks: OpsHooks
      /** Roles whose content changes in this rotation. */
      changes: Set<FileRole>
      /** SIGINT/SIGTERM: pauses end at once so the rotation finishes quickly. */
      abort?: AbortSignal
    },
  ) {}

  /** Emits one event with the monotonic timestamp. */
  emit(step: RotateStep, fields: Partial<RotateEvent> = {}): RotateEvent {
    const e: RotateEvent = {
      t: this.ctx.clock.monotonicMs(),
      rotation: this.ctx.rotation,
      writer: this.ctx.writer,
      step,
      ...fields,
    }
    this.ctx.sink(e)
    this.ctx.hooks.afterEvent?.(e)
    return e
  }

  /** Pauses when `--pause-after` names this file and step. */
  async checkpoint(file: string | undefined, step: string): Promise<void> {
    const p = this.ctx.knobs.pauseAfter
    if (!p || !file || p.file !== basename(file) || p.step !== step || !this.ctx.hooks.waitForResume) return
    this.emit('pause', {
      file: basename(file),
      message: `paused after ${step}: send SIGUSR2 to ${process.pid} or a line on stdin`,
    })
    await this.ctx.hooks.waitForResume()
    this.emit('resume', {file: basename(file)})
  }

  private async done(step: RotateStep, path: string | undefined, fields: Partial<RotateEvent>): Promise<void> {
    this.emit(step, {...(path ? {file: basename(path)} : {}), ...fields})
    await this.checkpoint(path, step)
  }

  async open(path: string, flags: number, perm: number): Promise<number> {
    const fd = fsCall(path, () => openSync(path, flags, perm))
    this.openFds.add(fd)
    const st = fstatSync(fd)
    this.fdStats.set(fd, st)
    await this.done('open', path, {flags: flagText(flags), perm: octal(perm), ino: st.ino})
    return fd
  }

  /** Closes a descriptor the writer refuses to use (no event); it is no longer tracked. */
  abandonFd(fd: number): void {
    this.openFds.delete(fd)
    this.fdStats.delete(fd)
    try {
      closeSync(fd)
    } catch {
      // already closed
    }
  }

  /** The fstat of a descriptor `open` returned, taken right after the open (no second system call). */
  statOf(fd: number): Stats {
    return this.fdStats.get(fd) ?? fstatSync(fd)
  }

  /** Writes all of `data`, in `--chunk-bytes` pieces when `chunked`, one event per piece. */
  async write(fd: number, path: string, data: Buffer, chunked: boolean): Promise<void> {
    const size = chunked && this.ctx.knobs.chunkBytes > 0 ? this.ctx.knobs.chunkBytes : data.length
    let off = 0
    do {
      const end = Math.min(data.length, off + size)
      let n = off
      while (n < end) n += fsCall(path, () => writeSync(fd, data, n, end - n))
      this.emit('write', {file: basename(path), bytes: end - off, offset: off})
      off = end
      if (off < data.length && this.ctx.knobs.chunkDelayMs > 0) await sleep(this.ctx.knobs.chunkDelayMs, this.ctx.abort)
    } while (off < data.length)
    await this.checkpoint(path, 'write')
  }

  async fchmod(fd: number, path: string, mode: number): Promise<void> {
    fsCall(path, () => fchmodSync(fd, mode))
    await this.done('fchmod', path, {perm: octal(mode)})
  }

  async chmod(path: string, mode: number): Promise<void> {
    fsCall(path, () => chmodSync(path, mode))
    await this.done('chmod', path, {perm: octal(mode)})
  }

  async fsync(fd: number, path: string): Promise<void> {
    fsCall(path, () => fsyncSync(fd))
    await this.done('fsync', path, {})
  }

  async close(fd: number, path: string): Promise<void> {
    this.openFds.delete(fd)
    this.fdStats.delete(fd)
    fsCall(path, () => closeSync(fd))
    await this.done('close', path, {})
  }

  async rename(from: string, to: string): Promise<void> {
    fsCall(to, () => renameSync(from, to))
    await this.done('rename', to, {from: basename(from), to: basename(to)})
  }

  /** Unlinks; ENOENT is reported in the event and not thrown when `missingOk`. */
  async unlink(path: string, missingOk = false): Promise<boolean> {
    try {
      unlinkSync(path)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (!(missingOk && code === 'ENOENT')) throw outputError(path, err)
      await this.done('unlink', path, {code})
      return false
    }
    await this.done('unlink', path, {})
    return true
  }

  async link(existing: string, path: string, missingOk = false): Promise<boolean> {
    try {
      linkSync(existing, path)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (!(missingOk && code === 'ENOENT')) throw outputError(path, err)
      await this.done('link', path, {from: basename(existing), code})
      return false
    }
    await this.done('link', path, {from: basename(existing)})
    return true
  }

  async symlink(target: string, path: string): Promise<void> {
    fsCall(path, () => symlinkSync(target, path))
    await this.done('symlink', path, {target})
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    fsCall(path, () => mkdirSync(path, {mode}))
    this.madeDirs.set(path, dirId(path))
    await this.done('mkdir', path, {perm: octal(mode)})
  }

  async readlink(path: string): Promise<string | undefined> {
    try {
      const target = readlinkSync(path)
      await this.done('readlink', path, {target})
      return target
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT') throw outputError(path, err)
      await this.done('readlink', path, {code})
      return undefined
    }
  }

  /** Removes this rotation's temporaries and unpublished version dirs (after a failure or an interrupt). */
  removeScratch(): void {
    for (const fd of this.openFds) {
      try {
        closeSync(fd)
      } catch {
        // already closed
      }
    }
    this.openFds.clear()
    this.fdStats.clear()
    for (const p of this.scratch) {
      try {
        const id = this.madeDirs.get(p)
        // A directory only while it is the one this rotation made; a temporary file or link is unlinked (never followed).
        if (id) removeOwnDir(p, id)
        else unlinkSync(p)
      } catch {
        // best effort: the next run removes what is provably its own
      }
    }
    this.scratch.clear()
  }

  /**
   * Removes a directory the writer proved its own (identity `id`) and the files in it,
   * re-checking before each removal that it and `parent` are still those directories
   * (fs/remove-dir.ts): a swap for a link or another directory stops it (`unsafe-dir`).
   */
  async rm(path: string, id: DirId, parent?: {path: string; id: DirId}): Promise<void> {
    fsCall(path, () => removeOwnDir(path, id, parent))
    await this.done('rm', path, {})
  }

  /** Rename that reports ENOENT (nothing to move yet) instead of throwing. */
  async renameIfExists(from: string, to: string): Promise<boolean> {
    try {
      renameSync(from, to)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT') throw outputError(to, err)
      await this.done('rename', to, {from: basename(from), to: basename(to), code})
      return false
    }
    await this.done('rename', to, {from: basename(from), to: basename(to)})
    return true
  }

  /** `--hold-old-fd`: opens the current file and closes it later; returns at once. */
  async holdOldFd(path: string): Promise<void> {
    const hold = this.ctx.knobs.holdOldFdMs
    if (hold <= 0) return
    let fd: number
    try {
      // Read-only; never blocks on a FIFO.
      fd = openSync(path, C.O_RDONLY | C.O_NONBLOCK)
    } catch {
      return
    }
    this.emit('hold-fd', {file: basename(path), ino: fstatSync(fd).ino})
    this.pending.push(
      sleep(hold, this.ctx.abort).then(() => {
        closeSync(fd)
        this.emit('release-fd', {file: basename(path)})
      }),
    )
  }

  /** Opens a window of an inconsistent state on disk. */
  openWindow(window: WindowKind, file?: string): void {
    const key = `${window}:${file ?? ''}`
    if (this.openWindows.has(key)) return
    this.openWindows.set(key, this.ctx.clock.monotonicMs())
    this.emit('window', {state: 'open', window, ...(file ? {file} : {})})
  }

  /** Closes a window opened before (no-op if it is not open). */
  closeWindow(window: WindowKind, file?: string): void {
    const key = `${window}:${file ?? ''}`
    const start = this.openWindows.get(key)
    if (start === undefined) return
    this.openWindows.delete(key)
    this.windows.push({window, ...(file ? {file} : {}), ms: this.ctx.clock.monotonicMs() - start})
    this.emit('window', {state: 'close', window, ...(file ? {file} : {})})
  }

  /**
   * Records that the new content of these roles is now visible under their names, and
   * opens or closes the key-mismatch and bundle-stale windows accordingly.
   */
  publish(...roles: FileRole[]): void {
    for (const r of roles) this.published.add(r)
    const ch = this.ctx.changes
    const pair = (['cert', 'key'] as FileRole[]).filter((r) => ch.has(r))
    if (pair.length === 2) {
      const seen = pair.filter((r) => this.published.has(r)).length
      if (seen === 1) this.openWindow('key-mismatch')
      else if (seen === 2) this.closeWindow('key-mismatch')
    }
    if (ch.has('bundle') && ch.has('cert')) {
      const seen = (['cert', 'bundle'] as FileRole[]).filter((r) => this.published.has(r)).length
      if (seen === 1) this.openWindow('bundle-stale')
      else if (seen === 2) this.closeWindow('bundle-stale')
    }
  }
}
