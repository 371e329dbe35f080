/**
 * Loads a lite command bundle (dist/bundle/lite/commands/*.cjs, scripts/bundle.js) with a V8 code
 * cache. Node 20 keeps no compiled code between runs (module.enableCompileCache needs Node
 * 22), so every run would parse and compile the bundle again, and compile lazily each
 * function it calls. `npm run build` runs each lite command once (scripts/lite-cache.js) and
 * saves what V8 compiled beside the bundle, in `<bundle>.cache`: the SHA-256 of the bundle's
 * bytes, then V8's cached data. A cache is used only when its hash matches the bundle read now
 * (V8 itself checks only the source length); V8 then checks its own version and flags and
 * rejects data from another Node, in which case the bundle compiles as it would without one.
 * The cache is never written at run time: only the build writes it (`saveCodeCache`).
 */
import {createHash} from 'node:crypto'
import {closeSync, constants, fstatSync, openSync, readFileSync, readSync, writeFileSync} from 'node:fs'
import {createRequire, Module} from 'node:module'
import {dirname} from 'node:path'
import {Script} from 'node:vm'

const HASH_BYTES = 32
/** A cache larger than this is not one the build wrote (they are a few hundred KB). */
const MAX_CACHE_BYTES = 16 * 1024 * 1024

/** A loaded bundle: its exports, and the compiled script (for `saveCodeCache`). */
interface LoadedBundle {
  exports: Record<string, unknown>
  script: Script
  /** True when a cache was found and V8 took it. */
  cacheUsed: boolean
}

const cachePath = (file: string) => `${file}.cache`
const digest = (source: Buffer) => createHash('sha256').update(source).digest()

/** Returns the cache file's bytes when it is a regular file of a plausible size, else undefined. */
function readCache(file: string): Buffer | undefined {
  let fd: number
  try {
    fd = openSync(cachePath(file), constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch {
    return undefined
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile() || st.size <= HASH_BYTES || st.size > MAX_CACHE_BYTES) return undefined
    const buf = Buffer.allocUnsafe(st.size)
    let n = 0
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n)
      if (r === 0) return undefined
      n += r
    }
    return buf
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

/**
 * Runs the CommonJS bundle at `file` (an absolute path) as Node's require would, with its
 * code cache when one matches, and registers it in require's cache so tools that list loaded
 * modules see it. Returns its exports.
 */
export function loadBundle(file: string): LoadedBundle {
  const source = readFileSync(file)
  const cache = readCache(file)
  const cachedData =
    cache && digest(source).equals(cache.subarray(0, HASH_BYTES)) ? cache.subarray(HASH_BYTES) : undefined
  // A bundle holds no import() (scripts/bundle.js refuses one): a vm.Script has no loader for it.
  const script = new Script(Module.wrap(source.toString('utf8')), {filename: file, cachedData})
  const require = createRequire(file)
  const mod = new Module(file)
  mod.filename = file
  require.cache[file] = mod
  const wrapper = script.runInThisContext() as (...a: unknown[]) => void
  wrapper.call(mod.exports, mod.exports, require, mod, file, dirname(file))
  mod.loaded = true
  return {
    exports: mod.exports as Record<string, unknown>,
    script,
    cacheUsed: cachedData !== undefined && !script.cachedDataRejected,
  }
}

/**
 * Writes the code cache of a bundle loaded and run in this process (the build's training run,
 * scripts/lite-cache.js): the functions V8 compiled while it ran are in it.
 */
export function saveCodeCache(file: string, script: Script): void {
  writeFileSync(cachePath(file), Buffer.concat([digest(readFileSync(file)), script.createCachedData()]))
}
