import {Args} from '@oclif/core'
import {runClient} from '../core/handshake/run-client.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {clientOptions, handshakeFlags} from '../cli/handshake-flags.js'
import {renderClient} from '../cli/render/handshake.js'
import {wrapLines} from '../cli/style.js'

export default class Handshake extends SvidkitCommand {
  static override summary = 'Connect to an mTLS server as a SPIFFE client and verify its SVID'
  static override description = describe(`
Presents our SVID, verifies the server's SVID with the verify core (not a hostname check:
SVIDs have no DNS name), then proves acceptance with a probe (--probe http by default: the reply's
status says; nginx's 400 certificate pages, 401 and 403 are rejected-by-server-reply, exit 5;
--probe line or tls for other protocols), so a server that finishes the TLS handshake but
refuses us, or a TLS 1.3 server that rejects our certificate, is reported as such. Alerts are translated into reason codes, each
with the side that refused: local (we rejected the server) or peer (the server rejected us).

The server side is "svidkit serve"; the rotation race test is "svidkit race".`)

  static override examples = [
    {
      description: 'Connect with the SVID in svid/ and require the server to be spiffe://example.org/server',
      command: '<%= config.bin %> handshake localhost:8443 --dir svid --expect-id spiffe://example.org/server',
    },
    {
      description: "Present a client SVID from separate files, trust example.org's bundle, and print JSON",
      command:
        '<%= config.bin %> handshake 127.0.0.1:8443 --svid client.pem --key client-key.pem --bundle example.org=bundle.pem --json',
    },
    {
      description: 'Probe a non-HTTP server (Redis over TLS): acceptance is a +PONG reply to PING',
      command:
        "<%= config.bin %> handshake 127.0.0.1:6380 --dir svid --probe line --probe-send 'PING\\r\\n' --expect-reply '^\\+PONG'",
    },
  ]

  static override args = {target: Args.string({description: 'HOST:PORT to connect to', required: true})}
  static override flags = handshakeFlags

  async run() {
    const {args, flags} = await this.parse(Handshake)
    const result = await runClient(clientOptions(flags, args.target))
    for (const line of wrapLines(renderClient(result, args.target))) this.log(line)
    const {verify, localPort: _port, ...rest} = result
    const doc = {...rest, ...(verify ? {checks: verify.checks} : {})}
    if (!result.ok) this.finish(doc, 5)
    return doc
  }
}
