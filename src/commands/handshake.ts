import {Args} from '@oclif/core'
import {runClient} from '../core/handshake/run-client.js'
import {runServer} from '../core/handshake/run-server.js'
import {runLocalRace} from '../core/handshake/local/race.js'
import type {ServerReload} from '../core/handshake/server.js'
import type {WriterMode} from '../core/rotate/writers/index.js'
import {usageError} from '../core/errors.js'
import {parseDuration} from '../core/time/duration.js'
import {parseLayout} from '../core/svid/layout.js'
import {parseKeyType} from '../core/x509/key-type.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {handshakeFlags, knobArgs} from '../cli/handshake-flags.js'
import {renderClient, renderRace, renderServerSummary, serverLine} from '../cli/render/handshake.js'
import {progressLine} from '../cli/progress.js'

export default class Handshake extends SvidkitCommand {
  static override summary = 'SPIFFE-aware mTLS client and server, and a local rotation race test'
  static override description = describe(`
Client (HOST:PORT): presents our SVID, verifies the server's SVID with the verify core (not a
hostname check: SVIDs have no DNS name), then does a request/reply round trip so a TLS 1.3
server that rejects our certificate is reported as such. Alerts are translated into reasons.

Server (--listen): serves the SVID from --dir, requires and verifies client SVIDs, answers one
request per connection, hot-reloads the directory (validated sets only, key+cert+CA together).

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
    const tlsVersion = flags['tls-version'] === '1.2' ? 'TLSv1.2' : flags['tls-version'] === '1.3' ? 'TLSv1.3' : 'any'
    const names = {cert: flags['cert-file'], key: flags['key-file'], bundle: flags['bundle-file']}
    const common = {
      layout: parseLayout(flags.layout),
      names,
      expectIds: flags['expect-id'],
      expectTrustDomain: flags['expect-trust-domain'],
      tlsVersion,
    } as const
    if (flags.local) {
      const report = await runLocalRace({
        rotateMode: flags['rotate-mode'] as WriterMode,
        rotateArgs: knobArgs(flags),
        rotations: flags.rotations,
        intervalMs: parseDuration(flags.interval),
        kind: flags.kind as 'leaf',
        caOverlap: flags['ca-overlap'] as 'add',
        serverReload: flags['server-reload'] as ServerReload,
        strategy: flags.strategy,
        debounceMs: parseDuration(flags.debounce),
        pollMs: parseDuration(flags.poll),
        concurrency: flags.concurrency,
        durationMs: flags.duration === undefined ? undefined : parseDuration(flags.duration),
        handshakes: flags.handshakes,
        tlsVersion,
        keyType: parseKeyType(flags['key-type']),
        maxFailures: flags['max-failures'],
        onProgress: json
          ? undefined
          : (p) =>
              progressLine(
                `handshakes ${p.handshakes}  failures ${p.failures}  rotations ${p.rotations}/${flags.rotations}  ${(p.elapsedMs / 1000).toFixed(1)}s`,
              ),
      })
      progressLine()
      for (const line of renderRace(report)) this.log(line)
      if (!report.ok) this.finish(report, 5)
      return report
    }
    if (flags.listen !== undefined) {
      if (!flags.dir) throw usageError('--listen needs --dir (the SVID to serve)')
      const summary = await runServer({
        ...common,
        listen: flags.listen,
        dir: flags.dir,
        bundles: flags.bundle,
        reload: flags['server-reload'] as ServerReload,
        strategy: flags.strategy,
        debounceMs: parseDuration(flags.debounce),
        pollMs: parseDuration(flags.poll),
        count: flags.count,
        timeoutMs: flags.timeout === undefined ? undefined : parseDuration(flags.timeout),
        sink: (e) => (json ? process.stdout.write(`${JSON.stringify(e)}\n`) : this.log(serverLine(e) ?? '')),
        abort: this.interruptSignal(),
      })
      for (const line of renderServerSummary(summary)) this.log(line)
      if (json) process.stdout.write(`${JSON.stringify({type: 'summary', ...summary})}\n`)
      if (!summary.ok) this.exitWith(5)
      return undefined
    }
    if (!args.target) throw usageError('give HOST:PORT, --listen [HOST:]PORT or --local', 'svidkit handshake --local runs the race test with no setup')
    const result = await runClient({
      ...common,
      target: args.target,
      dir: flags.dir,
      svid: flags.svid,
      key: flags.key,
      bundles: flags.bundle,
      servername: flags['server-name'],
      timeoutMs: flags.timeout === undefined ? undefined : parseDuration(flags.timeout),
    })
    for (const line of renderClient(result, args.target)) this.log(line)
    const doc = {
      ok: result.ok,
      tls: result.tls,
      peer: result.peer,
      timing: result.timing,
      reply: result.reply,
      errors: result.errors,
      ...(result.verify ? {checks: result.verify.checks} : {}),
    }
    if (!result.ok) this.finish(doc, 5)
    return doc
  }
}
