import {Args} from '@oclif/core'
import {runServer} from '../core/handshake/run-server.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {serveFlags, serverOptions} from '../cli/serve-flags.js'
import {renderServerSummary, serverLine} from '../cli/render/handshake.js'

export default class Serve extends SvidkitCommand {
  static override summary = 'Serve mTLS from an SVID directory, verifying every client SVID, with hot reload'
  static override description = describe(`
Serves the SVID from --dir on [HOST:]PORT (default host 127.0.0.1; port 0 picks a free one),
requires and verifies client SVIDs with the verify core, answers one request per connection,
and hot-reloads the directory (validated sets only, key, chain and bundle together).
--server-reload imitates naive servers for race tests. A connection that does not finish its
handshake and request within --handshake-timeout is closed, so no client can hold the server.

Prints one line (--json: one NDJSON event) per connection and reload, and a summary at the end
(after --count connections, --timeout, or SIGINT/SIGTERM, which exit 130/143). Exit 5 when any
connection was rejected; exit 3 when the port cannot be bound.`)

  static override examples = [
    {
      description: 'Serve mTLS on port 8443 from svid/, accepting clients of example.org',
      command: '<%= config.bin %> serve 8443 --dir svid --expect-trust-domain example.org',
    },
    {
      description: 'Serve on all interfaces, accepting one client ID, with one JSON line per handshake',
      command: '<%= config.bin %> serve 0.0.0.0:8443 --dir svid --expect-id spiffe://example.org/client --json',
    },
  ]

  static override args = {listen: Args.string({description: '[HOST:]PORT to listen on', required: true})}
  static override flags = serveFlags

  async run() {
    const {args, flags} = await this.parse(Serve)
    const json = this.jsonEnabled()
    const abort = this.interruptSignal()
    const summary = await runServer({
      ...serverOptions(flags, args.listen),
      sink: (e) => {
        if (json) process.stdout.write(`${JSON.stringify(e)}\n`)
        else {
          const line = serverLine(e)
          if (line) this.log(line)
        }
      },
      abort,
    })
    for (const line of renderServerSummary(summary)) this.log(line)
    if (json) process.stdout.write(`${JSON.stringify({type: 'summary', ...summary})}\n`)
    this.exitForInterrupt(abort)
    if (!summary.ok) this.exitWith(5)
    return undefined
  }
}
