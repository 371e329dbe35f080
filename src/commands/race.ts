import {runLocalRace} from '../core/race/local/race.js'
import {runRepeatedTargetRace} from '../core/race/repeat.js'
import {runTargetRace} from '../core/race/target-race.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {progressLine} from '../cli/progress.js'
import {localOptions, raceFlags, targetOptions} from '../cli/race-flags.js'
import {withRaceHelpGroups} from '../cli/race-help.js'
import {renderRace} from '../cli/render/handshake.js'
import {renderTargetRace} from '../cli/render/race.js'

export default class Race extends SvidkitCommand {
  static override summary = 'Race-test a server under certificate rotation: in-process, or yours with --target'
  static override description = describe(`
Without --target: an ephemeral trust domain, an in-process mTLS server hot-reloading while a
real writer (a separate process) rotates its directory and clients keep connecting; reports
every failure with its reason code and side, convergence and latency.

With --target HOST:PORT: your server reads its SVID from --dir; svidkit rotates that directory
with any writer mode and knob (issuing from --ca with the SPIFFE ID already there), fires the
--reload trigger after each complete set (none, signal:NAME with --pid/--pid-file, exec:CMD),
and mTLS clients whose SVIDs follow the CA record the serial served on every handshake.
--server-cmd starts the server too (and stops it at the end). Exit 0 only when every rotation
was served within --settle, the last SVID is served at the end and failures are within
--max-failures; else 5, with the reason on the first line. A target that refuses connections
before the first rotation, or a baseline that fails (the server does not serve --dir's SVID, its
chain does not verify with --ca, it refuses our client SVID), is exit 3 with nothing rotated.
Acceptance is proven by the probe's reply (--probe http by default: the status says; nginx's 400
certificate pages and 403s are rejections). --dir is left complete (--restore: as found).
SIGINT, SIGTERM, SIGHUP and SIGQUIT stop every child, print
the partial report (--json: "interrupted": true) and exit 128 + the signal (130, 143, 129, 131);
the --server-cmd server also dies with svidkit on SIGKILL (its supervisor stops its group).
See docs/race.md for recipes (nginx, HAProxy, Envoy, ghostunnel, Postgres, Go).`)

  static override examples = [
    {
      description: 'Race the in-process server with the defaults: atomic-rename writer, 5 rotations',
      command: '<%= config.bin %> race',
    },
    {
      description:
        "Show a classic failure: spiffe-helper's in-place writes against a server that reloads without validating",
      command: '<%= config.bin %> race --mode spiffe-helper --server-reload unvalidated --rotations 20',
    },
    {
      description:
        'Race your nginx: rotate the directory it reads and send it SIGHUP after each set, as spiffe-helper does',
      command:
        '<%= config.bin %> race --target 127.0.0.1:8443 --dir /etc/nginx/svid --ca ca --mode spiffe-helper --reload signal:HUP --pid-file /run/nginx.pid',
    },
    {
      description: 'Start your server, roll the root over without overlap, and print the report as JSON',
      command:
        '<%= config.bin %> race --target 127.0.0.1:8443 --dir svid --ca ca --kind root --ca-overlap drop-old --server-cmd "node server.js" --json',
    },
    {
      description: 'Run the race 5 times against a server svidkit starts, and put the original files back at the end',
      command:
        '<%= config.bin %> race --target 127.0.0.1:8443 --dir svid --ca ca --mode spiffe-helper --server-cmd "node server.js" --repeat 5 --restore',
    },
  ]

  static override flags = withRaceHelpGroups(raceFlags)

  async run() {
    const {flags} = await this.parse(Race)
    const json = this.jsonEnabled()
    const onProgress = (p: {handshakes: number; failures: number; rotations: number; elapsedMs: number}) =>
      progressLine(
        `handshakes ${p.handshakes}  failures ${p.failures}  rotations ${p.rotations}/${flags.rotations}  ${(p.elapsedMs / 1000).toFixed(1)}s`,
      )
    // SIGHUP and SIGQUIT too: a closed terminal must not leave the server or the writer behind.
    const abort = this.interruptSignal({hangup: true})
    const interrupted = (err: unknown): never => {
      // Interrupted during setup: the children are stopped, there is nothing to report; the exit says which signal.
      this.exitForInterrupt(abort)
      throw err
    }
    const run = flags.target
      ? (flags.repeat !== undefined && flags.repeat > 1
          ? runRepeatedTargetRace(
              {...targetOptions(flags, flags.target), onProgress: json ? undefined : onProgress, abort},
              flags.repeat,
            )
          : runTargetRace({...targetOptions(flags, flags.target), onProgress: json ? undefined : onProgress, abort})
        ).then((r) => ({report: r, lines: () => renderTargetRace(r)}))
      : runLocalRace({...localOptions(flags), onProgress: json ? undefined : onProgress, abort}).then((r) => ({
          report: r,
          lines: () => renderRace(r),
        }))
    const {report, lines} = await run.catch(interrupted)
    progressLine()
    const doc = {...report, interrupted: abort.aborted}
    if (abort.aborted) {
      // Ctrl-C: the partial report of what ran, then 128 + the signal's number.
      if (!json) this.log(`interrupted by ${String(abort.reason)}: partial report`)
    }
    for (const line of lines()) this.log(line)
    if (abort.aborted) {
      if (json) this.logJson(doc)
      this.exitForInterrupt(abort)
    }
    if (!report.ok) this.finish(doc, 5)
    return doc
  }
}
