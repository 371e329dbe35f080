import {Args} from '@oclif/core'
import {runClient} from '../core/handshake/run-client.js'
import {runServer} from '../core/handshake/run-server.js'
import {runLocalRace} from '../core/handshake/local/race.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {clientOptions, handshakeFlags, localOptions, serverOptions} from '../cli/handshake-flags.js'
import {progressLine} from '../cli/progress.js'
import {renderClient, renderRace, renderServerSummary, serverLine} from '../cli/render/handshake.js'

export default class Handshake extends SvidkitCommand {
  static override summary = 'SPIFFE-aware mTLS client and server, and a local rotation race test'
  static override description = describe(`
Client (HOST:PORT): presents our SVID, verifies the server's SVID with the verify core (not a
hostname check: SVIDs have no DNS name), then does a request/reply round trip so a TLS 1.3
server that rejects our certificate is reported as such. Alerts are translated into reasons.

Server (--listen): serves the SVID from --dir, requires and verifies client SVIDs, answers one
request per connection, hot-reloads the directory (validated sets only, key+cert+CA together).
Exit 5 when any connection was rejected.

Local race test (--local): an ephemeral trust domain, an in-process server hot-reloading while
"svidkit rotate" rewrites its directory from another process and clients keep connecting;
reports every failure with its reason code and side, convergence and latency.`)

  static override examples = [
    '<%= config.bin %> handshake --local',
    '<%= config.bin %> handshake --local --rotate-mode spiffe-helper --server-reload unvalidated --rotations 20',
    '<%= config.bin %> handshake localhost:8443 --dir svid --expect-id spiffe://example.org/server',
    '<%= config.bin %> handshake --listen 8443 --dir svid --expect-trust-domain example.org --json',
  ]

  static override args = {target: Args.string({description: 'HOST:PORT to connect to (client mode)'})}
  static override flags = handshakeFlags

  async run() {
    const {args, flags} = await this.parse(Handshake)
    const json = this.jsonEnabled()
    if (flags.local) {
      const onProgress = (p: {handshakes: number; failures: number; rotations: number; elapsedMs: number}) =>
        progressLine(`handshakes ${p.handshakes}  failures ${p.failures}  rotations ${p.rotations}/${flags.rotations}  ${(p.elapsedMs / 1000).toFixed(1)}s`)
      const report = await runLocalRace({...localOptions(flags), onProgress: json ? undefined : onProgress})
      progressLine()
      for (const line of renderRace(report)) this.log(line)
      if (!report.ok) this.finish(report, 5)
      return report
    }
    if (flags.listen !== undefined) {
      const summary = await runServer({
        ...serverOptions(flags),
        sink: (e) => {
          const line = json ? undefined : serverLine(e)
          if (json) process.stdout.write(`${JSON.stringify(e)}\n`)
          else if (line) this.log(line)
        },
        abort: this.interruptSignal(),
      })
      for (const line of renderServerSummary(summary)) this.log(line)
      if (json) process.stdout.write(`${JSON.stringify({type: 'summary', ...summary})}\n`)
      if (!summary.ok) this.exitWith(5)
      return undefined
    }
    const result = await runClient(clientOptions(flags, args.target))
    for (const line of renderClient(result, args.target as string)) this.log(line)
    const {verify, localPort: _port, ...rest} = result
    const doc = {...rest, ...(verify ? {checks: verify.checks} : {})}
    if (!result.ok) this.finish(doc, 5)
    return doc
  }
}
