import {Args, Errors, Flags} from '@oclif/core'
import {runWatch} from '../core/watch/run.js'
import {STRATEGIES} from '../core/watch/strategies.js'
import {parseLayout} from '../core/fs/layout.js'
import {parseSpiffeIdArg} from '../core/spiffe-id/index.js'
import {parseDuration} from '../core/time/duration.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {sharedFlags} from '../cli/flags.js'
import {watchLine, watchSummary} from '../cli/render/watch.js'
import {interruptExit, trackInterrupt} from '../cli/render/rotate.js'

export default class Watch extends SvidkitCommand {
  static override summary = 'Consume a certificate directory like a server that hot-reloads, and report what it saw'
  static override description = describe(`
The reference consumer watches directories (not files, and the directory holding any
symlink on the way), debounces on the trailing edge, reads cert, key and bundle together,
validates them with the verify core (parse, key matches leaf, chain verifies against the
bundle, within validity, --expect-id), keeps the last good set and retries with backoff,
skips no-op reloads by content hash and polls as a backstop. It reports every new
consistent set once (serial, SPIFFE ID, latency from the change to the load), every
invalid intermediate state and why, and watch errors.

--strategy runs a common broken consumer instead (fs-watch-file, fs-watch-dir, watch-file,
chokidar, certwatcher) so you can watch it fail on the same rotations; the summary names
the races that bit it. Exit 6, with the reason on the last line (and in the summary's
"reason"), when the run ends with the material invalid, the consumer stale (a valid set on
disk it never loaded), the watch broken, or --timeout before the --count new sets arrived.`)

  static override examples = [
    {
      description: 'Watch an SVID directory as a correct consumer, until Ctrl-C',
      command: '<%= config.bin %> watch svid',
    },
    {
      description: 'Watch a kubelet-layout directory for 5 new sets, one JSON line per event',
      command: '<%= config.bin %> watch certs --layout k8s --count 5 --json',
    },
    {
      description: 'Watch with fs.watch on the files (a common broken consumer) for 30s',
      command: '<%= config.bin %> watch svid --strategy fs-watch-file --timeout 30s',
    },
  ]

  static override args = {
    dir: Args.string({description: 'SVID directory (or a dir-symlink such as certs/current)', required: true}),
  }

  static override flags = {
    layout: sharedFlags.layout(),
    'cert-file': sharedFlags.certFile(),
    'key-file': sharedFlags.keyFile(),
    'bundle-file': sharedFlags.bundleFile(),
    strategy: Flags.string({description: 'which consumer to run', options: [...STRATEGIES], default: 'reference'}),
    debounce: Flags.string({description: 'trailing-edge debounce of the reference consumer', default: '100ms'}),
    poll: Flags.string({description: 'poll interval (reference backstop, watch-file, certwatcher)'}),
    'read-gap': Flags.string({description: 'pause between reading the cert and the key (R11)'}),
    'expect-id': Flags.string({description: 'accepted SPIFFE ID (repeatable)', multiple: true}),
    count: Flags.integer({description: 'stop after N new sets loaded (the initial load not counted)', min: 1}),
    timeout: Flags.string({description: 'stop after this long (Go duration)'}),
  }

  async run() {
    const {args, flags} = await this.parse(Watch)
    const json = this.jsonEnabled()
    const interrupt = trackInterrupt()
    const summary = await runWatch({
      dir: args.dir,
      layout: flags.layout === undefined ? undefined : parseLayout(flags.layout),
      overrides: {cert: flags['cert-file'], key: flags['key-file'], bundle: flags['bundle-file']},
      strategy: flags.strategy,
      debounceMs: parseDuration(flags.debounce),
      pollMs: flags.poll === undefined ? (flags.strategy === 'watch-file' ? 5007 : 10_000) : parseDuration(flags.poll),
      readGapMs: flags['read-gap'] === undefined ? 0 : parseDuration(flags['read-gap']),
      expectIds: (flags['expect-id'] ?? []).map(parseSpiffeIdArg),
      count: flags.count,
      timeoutMs: flags.timeout === undefined ? undefined : parseDuration(flags.timeout),
      sink: (e) => {
        if (json) process.stdout.write(`${JSON.stringify(e)}\n`)
        else if (e.type !== 'summary') {
          const line = watchLine(e)
          if (line) this.log(line)
        }
      },
      abort: this.interruptSignal(),
    }).finally(() => interrupt.dispose())
    for (const line of watchSummary(summary)) this.log(line)
    // SIGINT/SIGTERM: watchers closed, summary printed; 128 + signal number.
    if (interrupt.signal) throw new Errors.ExitError(interruptExit(interrupt.signal))
    if (summary.exit !== 0) this.exitWith(summary.exit)
    return undefined
  }
}
