import {runLocalRace} from '../core/race/local/race.js'
import {runRepeatedTargetRace} from '../core/race/repeat.js'
import {runTargetRace} from '../core/race/target-race.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {progressLine} from '../cli/progress.js'
import {localOptions, raceFlags, targetOptions} from '../cli/race-flags.js'
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
SIGINT/SIGTERM stop every child and exit 130/143.
See docs/race.md for recipes (nginx, HAProxy, Envoy, ghostunnel, Postgres, Go).`)

  static override examples = [
    '<%= config.bin %> race',
    '<%= config.bin %> race --mode spiffe-helper --server-reload unvalidated --rotations 20',
    '<%= config.bin %> race --target 127.0.0.1:8443 --dir /etc/nginx/svid --ca ca --mode spiffe-helper --reload signal:HUP --pid-file /run/nginx.pid',
    '<%= config.bin %> race --target 127.0.0.1:8443 --dir svid --ca ca --kind root --ca-overlap drop-old --server-cmd "node server.js" --json',
    '<%= config.bin %> race --target 127.0.0.1:8443 --dir svid --ca ca --mode spiffe-helper --server-cmd "node server.js" --repeat 5 --restore',
  ]

  static override flags = raceFlags

  async run() {
    const {flags} = await this.parse(Race)
    const json = this.jsonEnabled()
    const onProgress = (p: {handshakes: number; failures: number; rotations: number; elapsedMs: number}) =>
      progressLine(`handshakes ${p.handshakes}  failures ${p.failures}  rotations ${p.rotations}/${flags.rotations}  ${(p.elapsedMs / 1000).toFixed(1)}s`)
    if (flags.target) {
      const options = targetOptions(flags)
      const abort = this.interruptSignal()
      const run = {...options, onProgress: json ? undefined : onProgress, abort}
      const rounds = flags.repeat ?? 1
      const report = await (rounds > 1 ? runRepeatedTargetRace(run, rounds) : runTargetRace(run)).catch((err: unknown) => {
        // Interrupted during setup: the children are stopped; the exit says which signal.
        this.exitForInterrupt(abort)
        throw err
      })
      progressLine()
      this.exitForInterrupt(abort)
      for (const line of renderTargetRace(report)) this.log(line)
      if (!report.ok) this.finish(report, 5)
      return report
    }
    const options = localOptions(flags)
    const abort = this.interruptSignal()
    const report = await runLocalRace({...options, onProgress: json ? undefined : onProgress, abort}).catch((err: unknown) => {
      this.exitForInterrupt(abort)
      throw err
    })
    progressLine()
    this.exitForInterrupt(abort)
    for (const line of renderRace(report)) this.log(line)
    if (!report.ok) this.finish(report, 5)
    return report
  }
}
