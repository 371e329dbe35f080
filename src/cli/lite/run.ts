/**
 * Runs a one-shot command from its lite bundle (dist/bundle/lite/, see oclif-lite.ts) the way
 * oclif's execute() would: parse, run, print, and on an ExitError leave with its code.
 * Returns false, having done nothing, when the parser hands the argv back to oclif.
 */
import {loadBundle, saveCodeCache} from './load.js'
import {isNeedsOclif, liteConfig, type Command} from './oclif-lite.js'

type CommandClass = (new (argv: string[], config: ReturnType<typeof liteConfig>) => Command) & {id?: string}

/**
 * Runs `id` (e.g. "ca:init") from the bundle at path `file` with `argv`. With `saveCache`
 * (the build's training run only), writes the bundle's code cache after a successful run.
 */
export async function runLite(
  file: string,
  id: string,
  argv: string[],
  bin: string,
  o: {saveCache?: boolean} = {},
): Promise<boolean> {
  let loaded: ReturnType<typeof loadBundle>
  try {
    loaded = loadBundle(file)
  } catch {
    // A lite bundle missing or unreadable (a partial install): the oclif path runs the command.
    return false
  }
  const {exports, script} = loaded
  const Cmd = exports.default as CommandClass
  Cmd.id = id
  try {
    await new Cmd(argv, liteConfig(bin))._run()
  } catch (err) {
    if (isNeedsOclif(err)) return false
    const exit = (err as {oclif?: {exit?: number}} | undefined)?.oclif?.exit
    // SvidkitCommand.catch prints every error and throws an ExitError; anything else is a bug.
    if (exit === undefined) process.stderr.write(`${(err as Error | undefined)?.stack ?? String(err)}\n`)
    process.exit(exit ?? 1)
  }
  if (o.saveCache) saveCodeCache(file, script)
  return true
}
