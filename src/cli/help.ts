import {Errors, Help, type Command, type Config, type Interfaces} from '@oclif/core'

/** Help is never wrapped narrower than this, nor wider (long lines are hard to read). */
const MIN_WIDTH = 40
const MAX_WIDTH = 120

/**
 * Returns the width help text is wrapped to: OCLIF_COLUMNS, else COLUMNS (set by shells
 * that export it, and by scripts that want a given width), else the terminal's width when
 * stdout is a terminal, else 80; kept within 40..120.
 */
export function helpWidth(env: NodeJS.ProcessEnv = process.env, stream: NodeJS.WriteStream = process.stdout): number {
  const fromEnv = Number.parseInt(env.OCLIF_COLUMNS ?? '', 10) || Number.parseInt(env.COLUMNS ?? '', 10)
  const tty = stream.isTTY && typeof stream.getWindowSize === 'function' ? stream.getWindowSize()[0] : 0
  const width = fromEnv > 0 ? fromEnv : tty > 0 ? tty : 80
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width))
}

/** True for a line that starts a new line of its own: indented, a list item, or after a heading. */
function keepsItsBreak(line: string, previous: string): boolean {
  return /^\s/.test(line) || /^[-*•] /.test(line) || /^[A-Z][A-Z ]+$/.test(previous.trim())
}

/**
 * Returns `text` with the hard line breaks inside each paragraph removed, so oclif can wrap
 * it to the terminal width (the sources break descriptions near 95 columns, which left
 * ragged lines at 80). Blank lines, indented lines (tables), list items and the lines after
 * an all-caps heading keep their breaks.
 */
export function reflow(text: string): string {
  const out: string[] = []
  for (const line of text.split('\n')) {
    const previous = out.at(-1)
    if (previous === undefined || previous.trim() === '' || line.trim() === '' || keepsItsBreak(line, previous)) out.push(line)
    else out[out.length - 1] = `${previous.trimEnd()} ${line.trim()}`
  }
  return out.join('\n')
}

/** svidkit's help: oclif's, with descriptions reflowed and wrapped to the terminal width. */
export default class SvidkitHelp extends Help {
  constructor(config: Config, opts: Partial<Interfaces.HelpOptions> = {}) {
    super(config, {maxWidth: helpWidth(), ...opts})
  }

  /** `svidkit help verfy` fails like `svidkit verfy`: a usage error with "did you mean", exit 2. */
  override async showHelp(argv: string[]): Promise<void> {
    try {
      await super.showHelp(argv)
    } catch (err) {
      const m = (err as Error).message?.match(/^Command (.+) not found\.?$/)
      if (!m) throw err
      // Loaded only on this error path: help for a known command loads no core module.
      const [{unknownCommandError}, {renderError}] = await Promise.all([import('./unknown-command.js'), import('./render-error.js')])
      const error = unknownCommandError(m[1], this.config)
      renderError(error, argv.includes('--json'))
      throw new Errors.ExitError(error.exit)
    }
  }

  /** Set while a command's help starts: its first summary is the line above USAGE. */
  private wrapNextSummary = false

  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    this.wrapNextSummary = true
    try {
      await super.showCommandHelp(command)
    } finally {
      this.wrapNextSummary = false
    }
  }

  /** Summaries, with the one above a command's USAGE wrapped like the rest (lists wrap their own). */
  protected override summary(c: Command.Loadable): string | undefined {
    const text = super.summary(c)
    if (!this.wrapNextSummary || text === undefined) return text
    this.wrapNextSummary = false
    return this.wrap(text, 0)
  }

  protected override formatCommand(command: Command.Loadable): string {
    return super.formatCommand({...command, description: command.description && reflow(command.description)} as Command.Loadable)
  }
}
