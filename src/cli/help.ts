import {CommandHelp, Errors, Help, type Command, type Config, type Interfaces} from '@oclif/core'

/** Help is never wrapped narrower than this, nor wider (long lines are hard to read). */
const MIN_WIDTH = 40
const MAX_WIDTH = 120

/**
 * Returns the width help text is wrapped to: OCLIF_COLUMNS, else COLUMNS (set by shells
 * that export it, and by scripts that want a given width), else the terminal's width when
 * stdout is a terminal, else 80; kept within 40..120.
 */
function helpWidth(env: NodeJS.ProcessEnv = process.env, stream: NodeJS.WriteStream = process.stdout): number {
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
function reflow(text: string): string {
  const out: string[] = []
  for (const line of text.split('\n')) {
    const previous = out.at(-1)
    if (previous === undefined || previous.trim() === '' || line.trim() === '' || keepsItsBreak(line, previous))
      out.push(line)
    else out[out.length - 1] = `${previous.trimEnd()} ${line.trim()}`
  }
  return out.join('\n')
}

/**
 * USAGE lines of the commands whose flags combine in ways a flag list cannot say: one line per
 * way of running the command. Every other command gets `defaultUsage` below.
 */
const USAGE: Record<string, string[]> = {
  verify: [
    'verify FILE [--key FILE] [--bundle TD=FILE...] [FLAGS]',
    'verify --dir DIR [--bundle TD=FILE...] [FLAGS]',
    'verify --connect HOST:PORT --bundle TD=FILE... [--servername NAME] [FLAGS]',
  ],
  race: [
    'race [--mode MODE] [--rotations N] [--server-reload HOW] [WRITER KNOB FLAGS] [IN-PROCESS FLAGS] [FLAGS]',
    'race --target HOST:PORT --dir DIR [--ca DIR] [--reload none|signal:NAME|exec:CMD] [WRITER KNOB FLAGS] [--TARGET FLAGS] [FLAGS]',
  ],
}

/** An option list short enough to show in a USAGE line; longer ones are `<value>` there and listed under FLAGS. */
const MAX_USAGE_OPTIONS = 24

type Flag = Command.Flag.Any & {options?: readonly string[]; multiple?: boolean}

/**
 * A command's help: USAGE is the command, its arguments, its required flags and `[FLAGS]`
 * (oclif's generated docopt line listed all 50 flags of `race` with their option lists, split
 * words at the width, and showed flags used together as alternatives), and option lists in
 * FLAGS break between options, never inside one.
 */
class SvidkitCommandHelp extends CommandHelp {
  protected override defaultUsage(): string {
    const c = this.command
    const args = Object.values(c.args ?? {})
      .filter((a) => !a.hidden)
      .map((a) => {
        const name = `${a.name.toUpperCase()}${a.multiple || c.strict === false ? '...' : ''}`
        return a.required ? name : `[${name}]`
      })
    const flags = Object.entries(c.flags ?? {}).filter(([, f]) => !f.hidden) as [string, Flag][]
    const required = flags
      .filter(([, f]) => f.required)
      .map(([name, f]) => {
        if (f.type === 'boolean') return `--${name}`
        const value = f.options && f.options.join('|').length <= MAX_USAGE_OPTIONS ? f.options.join('|') : '<value>'
        return `--${name} ${value}${f.multiple ? '...' : ''}`
      })
    return [c.id, ...args, ...required, ...(flags.some(([, f]) => !f.required) ? ['[FLAGS]'] : [])].join(' ')
  }

  /** USAGE lines broken between whole words and bracketed groups (`[--pid N]` stays on one line). */
  protected override usage(): string {
    const c = this.command
    const lines = c.usage === undefined ? [this.defaultUsage()] : Array.isArray(c.usage) ? c.usage : [c.usage]
    const width = this.opts.maxWidth - this.indentSpacing
    return lines
      .map((u) => {
        const words = usageWords(
          `$ ${this.config.bin} ${this.render(u.replace(/^<%= command.id %>\s*/, ''))}`.replace(
            ` ${c.id}`,
            ` ${c.id.replaceAll(':', ' ')}`,
          ),
        )
        const out: string[] = []
        for (const w of words) {
          const last = out.at(-1)
          if (last !== undefined && last.length + 1 + w.length <= width) out[out.length - 1] = `${last} ${w}`
          else out.push(out.length === 0 ? w : `    ${w}`)
        }
        return out.join('\n')
      })
      .join('\n')
  }

  protected override flags(flags: Command.Flag.Any[]): [string, string | undefined][] | undefined {
    return super
      .flags(flags)
      ?.map(([left, right]) => [
        left,
        right?.replace(/<options: ([^>]*)>/g, (_m, list: string) => `<options: ${list.split('|').join(' | ')}>`),
      ])
  }
}

/** Returns the words of a usage line, each bracketed group (nested brackets included) one word. */
export function usageWords(line: string): string[] {
  const words: string[] = []
  let depth = 0
  let word = ''
  for (const ch of line) {
    if (ch === ' ' && depth === 0) {
      if (word) words.push(word)
      word = ''
      continue
    }
    if (ch === '[') depth++
    else if (ch === ']') depth = Math.max(0, depth - 1)
    word += ch
  }
  if (word) words.push(word)
  return words
}

/** svidkit's help: oclif's, with descriptions reflowed and wrapped to the terminal width. */
export default class SvidkitHelp extends Help {
  protected override CommandHelpClass: typeof CommandHelp = SvidkitCommandHelp

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
      const [{unknownCommandError}, {renderError}] = await Promise.all([
        import('./unknown-command.js'),
        import('./render-error.js'),
      ])
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
    return super.formatCommand({
      ...command,
      usage: command.usage ?? USAGE[command.id],
      description: command.description && reflow(command.description),
    } as Command.Loadable)
  }
}
