import {Flags} from '@oclif/core'
import {defaultCaDir} from '../../core/ca/ca-dir.js'
import {startWorkloadApi} from '../../core/workload/start.js'
import {serveOptions} from '../../core/workload/serve-input.js'
import {DEFAULT_SOCKET} from '../../core/workload/options.js'
import {SvidkitCommand} from '../../cli/base-command.js'
import {describe} from '../../cli/exit-codes.js'
import {sharedFlags} from '../../cli/flags.js'
import {clockOf, seedFlags} from '../../cli/seed-flags.js'
import {SEEDED_WARNING} from '../../core/x509/seeded.js'
import {workloadLine, workloadSummary} from '../../cli/render/workload-api.js'

export default class WorkloadApiServe extends SvidkitCommand {
  static override summary = 'Serve the SPIFFE Workload API on a Unix socket, with scripted rotations and faults'
  static override description = describe(`
A test double for a SPIRE agent: serves the SPIFFE Workload API (gRPC, no TLS)
on a Unix socket, mode 0600, requiring the "workload.spiffe.io: true" header
(InvalidArgument without it). Every identity is issued from --ca; each --spiffe-id may end
in "#hint" (X509SVID.hint). Every message carries the full state; a new one is pushed on
every change. JWT-SVIDs (FetchJWTSVID, FetchJWTBundles, ValidateJWTSVID) are signed
ES256 by a JWT authority created at start (one key, random kid, for the server's life).

Prints SPIFFE_ENDPOINT_SOCKET=unix://<absolute path> for clients (with --json, NDJSON
events instead: connections, requests, messages with serials and hints, faults, and a
per-client summary at stop). Runs until SIGINT/SIGTERM (exit 130/143, as every
long-running command) or a plan "stop" step (exit 0): streams are closed, the socket
removed, the summary printed. Exit 3 when the socket cannot be bound: in use, or a file
that is not a socket is in the way (never replaced). A stream whose client reads nothing
for --max-blocked is closed with its connection.

Faults: --defect NAME (an x509 defect of "svidkit defects", e.g. key-mismatch,
missing-intermediate, expired), --empty-bundle, --permission-denied, --unavailable-for D,
--slow-first D, --bundle-delay D (with CA rotations); --plan FILE adds close-streams and a
timeline. See docs/workload-api.md.`)

  static override examples = [
    {
      description: 'Serve the Workload API for one workload on the default socket',
      command: '<%= config.bin %> workload-api serve --ca ca --spiffe-id spiffe://example.org/web',
    },
    {
      description: 'Rotate the SVID every 30s, on a socket of your choice',
      command:
        "<%= config.bin %> workload-api serve --ca ca --spiffe-id 'spiffe://example.org/web#internal' --rotate-every 30s --socket /tmp/agent.sock",
    },
    {
      description: 'Roll the root over every minute without overlap, delaying the new bundle 5s',
      command:
        '<%= config.bin %> workload-api serve --ca ca --spiffe-id spiffe://example.org/web --rotate-every 1m --kind root --ca-overlap none --bundle-delay 5s',
    },
    {
      description: 'Follow a scripted plan of rotations and faults, with one JSON line per event',
      command:
        '<%= config.bin %> workload-api serve --ca ca --spiffe-id spiffe://example.org/web --plan plan.json --json',
    },
    {
      description: 'Federate with partner.org and hand out an expired SVID',
      command:
        '<%= config.bin %> workload-api serve --ca ca --spiffe-id spiffe://example.org/web --federate partner.org=partner.pem --defect expired',
    },
  ]

  static override flags = {
    socket: Flags.string({description: 'Unix socket path', default: DEFAULT_SOCKET}),
    ca: sharedFlags.ca(),
    'spiffe-id': Flags.string({
      description: 'identity to serve, ID[#hint] (repeatable)',
      multiple: true,
      required: true,
    }),
    federate: Flags.string({description: 'federated trust domain bundle, TD=FILE (repeatable)', multiple: true}),
    'key-type': sharedFlags.keyType(),
    ttl: sharedFlags.ttl({description: 'X509-SVID lifetime (Go duration)', default: '1h'}),
    'jwt-ttl': Flags.string({description: 'JWT-SVID lifetime (Go duration)', default: '5m'}),
    'rotate-every': Flags.string({description: 'rotate this often (Go duration) and push to every stream'}),
    kind: Flags.string({
      description: 'what each rotation rotates (default leaf)',
      options: ['leaf', 'intermediate', 'root'],
    }),
    'ca-overlap': Flags.string({
      description: 'with --kind root: bundle change (default add)',
      options: ['add', 'drop-old', 'none'],
    }),
    plan: Flags.string({description: 'JSON timeline of steps (docs/workload-api.md)'}),
    defect: Flags.string({
      description: 'serve leaves with this defect of the catalogue (see "svidkit defects --family x509")',
    }),
    'empty-bundle': Flags.boolean({description: 'send empty bundles', default: false}),
    'permission-denied': Flags.boolean({
      description: 'refuse the X.509 RPCs with PermissionDenied "no identity issued"',
      default: false,
    }),
    'unavailable-for': Flags.string({description: 'refuse every RPC with Unavailable for this long after start'}),
    'slow-first': Flags.string({description: 'delay the first message of every stream'}),
    'bundle-delay': Flags.string({description: 'on CA rotations, push the new bundle this long after the new SVIDs'}),
    'max-blocked': Flags.string({
      description: "close a client's connection when one of its streams takes no message for this long",
      default: '30s',
    }),
    ...seedFlags,
  }

  async run() {
    const {flags} = await this.parse(WorkloadApiServe)
    const json = this.jsonEnabled()
    const options = serveOptions({
      socket: flags.socket,
      ca: flags.ca ?? defaultCaDir(),
      spiffeId: flags['spiffe-id'],
      federate: flags.federate,
      keyType: flags['key-type'],
      ttl: flags.ttl,
      jwtTtl: flags['jwt-ttl'],
      rotateEvery: flags['rotate-every'],
      kind: flags.kind,
      caOverlap: flags['ca-overlap'],
      plan: flags.plan,
      defect: flags.defect,
      emptyBundle: flags['empty-bundle'],
      permissionDenied: flags['permission-denied'],
      unavailableFor: flags['unavailable-for'],
      slowFirst: flags['slow-first'],
      bundleDelay: flags['bundle-delay'],
      maxBlocked: flags['max-blocked'],
    })
    const interrupted = this.interruptSignal()
    const clock = clockOf(flags.now)
    if (flags.seed !== undefined) this.warnings([SEEDED_WARNING])
    const api = await startWorkloadApi({
      ...options,
      ...(flags.seed === undefined ? {} : {seed: flags.seed}),
      ...(clock ? {clock} : {}),
      onEvent: (e) => {
        if (json) process.stdout.write(`${JSON.stringify(e)}\n`)
        else if (e.type === 'listening') this.log(`SPIFFE_ENDPOINT_SOCKET=${e.endpoint}`)
        else {
          const line = workloadLine(e)
          if (line) this.log(line)
        }
      },
    })
    await Promise.race([
      api.closed,
      new Promise((r) => (interrupted.aborted ? r(undefined) : interrupted.addEventListener('abort', r, {once: true}))),
    ])
    const clients = await api.close(interrupted.aborted ? String(interrupted.reason) : 'signal')
    for (const line of workloadSummary(clients, api.stats())) this.log(line)
    this.exitForInterrupt(interrupted)
    return undefined
  }
}
