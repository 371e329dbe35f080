import {Flags} from '@oclif/core'
import {issueEach, issueToDirectory, type IssueToDirectoryOptions} from '../core/svid/issue-files.js'
import {LAYOUTS, parseLayout} from '../core/fs/layout.js'
import {defaultCaDir} from '../core/ca/ca-dir.js'
import {issueToPem, STDOUT_OUT} from '../core/svid/issue-stdout.js'
import {parseLifetime} from '../core/time/duration.js'
import {parseInstant} from '../core/time/instant.js'
import {KEY_TYPES, parseKeyType} from '../core/x509/key-type.js'
import {SvidkitCommand, toSvidkitError} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {sharedFlags} from '../cli/flags.js'
import {clockOf, seedFlags} from '../cli/seed-flags.js'
import {progressLine} from '../cli/progress.js'
import {renderDefects, renderIssued, renderIssuedLine} from '../cli/render/issue.js'
import {DEFECTS, parseDefects} from '../core/svid/defects.js'
import {usageError} from '../core/errors.js'

/** Writes to stdout, waiting while the reader is behind (a slow pipe must not grow memory). */
async function out(text: string): Promise<void> {
  if (process.stdout.write(text)) return
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const e of ['drain', 'close', 'error']) process.stdout.off(e, done)
      resolve()
    }
    for (const e of ['drain', 'close', 'error']) process.stdout.once(e, done)
  })
}

export default class Issue extends SvidkitCommand {
  static override summary = 'Issue an X509-SVID from a CA directory'
  static override description = describe(`
Issues a spec-correct X509-SVID: one URI SAN (critical when the subject is empty), critical
CA:FALSE, critical keyUsage digitalSignature, EKU serverAuth+clientAuth, AKI = issuer SKI,
notBefore backdated 10s and notAfter capped at the issuing chain's notAfter (with a warning).
Writes the chain (leaf then intermediates, never the root), the PKCS#8 key (mode 0600) and
the bundle in the chosen layout, after checking each SVID (signature, key, leaf profile).

Layouts: spiffe-helper (svid.pem, svid_key.pem, svid_bundle.pem), spire (svid.pem, key.pem,
bundle.pem), k8s (tls.crt, tls.key, ca.crt), credential-bundle (credentials.pem = key then
chain, and bundle.pem), k8s-secret (secret.yaml: a kubernetes.io/tls Secret, mode 0600).
--format pkcs12 writes svid.p12 (key and chain; AES-256-CBC, PBKDF2, HMAC-SHA256 MAC) and
the bundle beside it. --out - prints one SVID to standard output instead: the chain, then
the key, as PEM (a warning on stderr when that is a terminal); the bundle is the CA's
bundle.pem. --dns takes host names and --ip IPv4/IPv6 addresses (SANs for SPIFFE-unaware
peers). --ca defaults to $SVIDKIT_CA, else ./ca.

An output directory that already holds an SVID is refused unless --force, and then only
when the new files replace the old ones (two layouts are never mixed); a CA directory
(ca.json) is never written. The CA's root key may be offline: the intermediate signs.

--count N streams: each SVID is written and printed as it is issued, in order; with --json
the output is one JSON array, written element by element. From 400 SVIDs on, worker
threads (one per core but one) issue and check them beside the main thread. N is at most
1000000. Each SVID's set is written whole in a temporary directory renamed into place.
SIGINT/SIGTERM stop the run (exit 130/143): the SVIDs printed are complete. After an
interrupted run (even kill -9), the same command again completes it (docs/security.md).

--defect NAME produces an SVID that breaks exactly one rule, for testing verifiers; svidkit
checks that its own verify rejects it with that reason code before writing it.`)

  static override examples = [
    {
      description: "Issue an SVID in spiffe-helper's layout (svid.pem, svid_key.pem, svid_bundle.pem)",
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out svid',
    },
    {
      description: "Issue a one-day SVID in the kubelet's layout (tls.crt, tls.key, ca.crt)",
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out certs --layout k8s --ttl 24h',
    },
    {
      description: 'Issue an SVID that expired an hour ago, to test how a peer reports it',
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out expired --not-after -1h',
    },
    {
      description: 'Issue 20 SVIDs, one directory each, {n} numbering the ID and the directory',
      command: "<%= config.bin %> issue --spiffe-id 'spiffe://example.org/worker-{n}' --ca ca --out 'fixtures/{n}' --count 20 --json",
    },
    {
      description: "Sign a CSR: the SVID gets the CSR's key and the CA's SPIFFE profile",
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --csr web.csr --out svid',
    },
    {
      description: 'Print the chain, then the key, as PEM on standard output',
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out - > svid-and-key.pem',
    },
    {
      description: 'Write the key and chain as a password-protected PKCS#12 file',
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out p12 --format pkcs12 --p12-password-file pass.txt',
    },
    {
      description: 'Write a kubernetes.io/tls Secret manifest (secret.yaml)',
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out k8s --layout k8s-secret --secret-name web-svid',
    },
    {
      description: 'Issue an SVID that breaks one rule on purpose: its chain lacks the intermediate',
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out broken --defect missing-intermediate',
    },
    {description: 'List every --defect with the rule it breaks', command: '<%= config.bin %> issue --list-defects'},
    {
      description: 'Issue a byte-stable SVID for test fixtures (seeded key: for tests only)',
      command: '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca fixtures/ca --out fixtures/web --seed fixtures-1 --now 2026-01-01T00:00:00Z',
    },
  ]

  static override flags = {
    'spiffe-id': sharedFlags.optionalSpiffeId({description: 'SPIFFE ID of the SVID (required); {n} is replaced by 1..count with --count'}),
    ca: sharedFlags.ca(),
    out: sharedFlags.out({
      description: 'directory to write the SVID to ({n} is replaced with --count); - prints the chain then the key as PEM',
      default: 'svid',
    }),
    layout: Flags.string({description: 'output layout', options: [...Object.keys(LAYOUTS), 'k8s-secret'], default: 'spiffe-helper'}),
    'cert-file': sharedFlags.certFile(),
    'key-file': sharedFlags.keyFile(),
    'bundle-file': sharedFlags.bundleFile(),
    'key-type': Flags.string({description: 'key type (default ec-p256; not with --csr, whose key is certified)', options: [...KEY_TYPES]}),
    ttl: sharedFlags.ttl({description: 'lifetime (Go duration)', default: '1h'}),
    'not-before': Flags.string({description: 'notBefore: RFC 3339 or signed duration from now (default now-10s)'}),
    'not-after': Flags.string({description: 'notAfter: RFC 3339 or signed duration from now (e.g. -1h for an expired SVID)'}),
    dns: Flags.string({description: 'DNS SAN to add (repeatable; only for SPIFFE-unaware peers; an IP address goes in --ip)', multiple: true}),
    ip: Flags.string({description: 'IP SAN to add, IPv4 or IPv6 (repeatable; only for SPIFFE-unaware peers)', multiple: true}),
    subject: Flags.string({description: "subject DN; '' for an empty subject (the SAN becomes critical)", default: 'O=svidkit'}),
    'key-encipherment': Flags.boolean({description: 'add keyEncipherment (RSA keys with TLS 1.2 RSA key exchange only)', default: false}),
    count: Flags.integer({description: 'issue N SVIDs ({n} in --spiffe-id and --out; at most 1000000); streamed', min: 1}),
    workers: Flags.integer({
      description: 'worker threads for --count (0 = none; default: none below 400 SVIDs, then one per core beyond the first; at most one per core)',
      min: 0,
    }),
    csr: Flags.string({description: 'certify the public key of this PKCS#10 CSR (its SANs are ignored); no key file is written'}),
    force: sharedFlags.force({description: 'replace an SVID of the same layout in --out (never a CA directory, never another layout)'}),
    format: Flags.string({description: 'pem files, or pkcs12: svid.p12 (key and chain) beside the bundle', options: ['pem', 'pkcs12'], default: 'pem'}),
    'p12-password-file': Flags.string({description: 'file whose first line is the PKCS#12 password'}),
    'p12-password': Flags.string({description: 'PKCS#12 password (insecure: visible in ps and shell history; prefer --p12-password-file)'}),
    'secret-name': Flags.string({description: 'metadata.name of the Secret with --layout k8s-secret (default svid-<ID path>)'}),
    defect: Flags.string({description: 'break exactly one rule on purpose (repeatable where the defects combine); see --list-defects', multiple: true}),
    'list-defects': Flags.boolean({description: 'list the defects, the rule each breaks and the reason code verify reports', default: false}),
    ...seedFlags,
  }

  async run() {
    const {flags} = await this.parse(Issue)
    if (flags['list-defects']) {
      for (const line of renderDefects(DEFECTS)) this.log(line)
      return DEFECTS.map(({name, code, rule, aspect, strictOnly}) => ({name, code, rule, aspect, strictOnly: Boolean(strictOnly)}))
    }
    if (!flags['spiffe-id']) throw usageError('missing required flag --spiffe-id')
    const clock = clockOf(flags.now)
    const now = clock?.now() ?? new Date()
    const layout = flags.layout === 'k8s-secret' ? 'k8s-secret' : parseLayout(flags.layout)
    const options: IssueToDirectoryOptions = {
      spiffeId: flags['spiffe-id'],
      ca: flags.ca ?? defaultCaDir(),
      out: flags.out,
      layout,
      names: {cert: flags['cert-file'], key: flags['key-file'], bundle: flags['bundle-file']},
      keyType: flags['key-type'] === undefined ? undefined : parseKeyType(flags['key-type']),
      ttlMs: parseLifetime(flags.ttl, '--ttl'),
      notBefore: flags['not-before'] === undefined ? undefined : parseInstant(flags['not-before'], now),
      notAfter: flags['not-after'] === undefined ? undefined : parseInstant(flags['not-after'], now),
      dns: flags.dns,
      ips: flags.ip,
      subject: flags.subject,
      keyEncipherment: flags['key-encipherment'],
      count: flags.count,
      csr: flags.csr,
      force: flags.force,
      format: flags.format === 'pkcs12' ? 'pkcs12' : 'pem',
      p12Password: flags['p12-password'],
      p12PasswordFile: flags['p12-password-file'],
      secretName: flags['secret-name'],
      defects: parseDefects(flags.defect ?? []),
      workers: flags.workers,
      ...(flags.seed === undefined ? {} : {seed: flags.seed}),
      ...(clock ? {clock} : {}),
    }
    if (options.out === STDOUT_OUT) return this.toStdout(options)
    if (flags.count === undefined) {
      const [result] = await issueToDirectory(options)
      this.warnings(result.warnings)
      for (const line of renderIssued(result)) this.log(line)
      return result
    }
    await this.stream(options, flags.count)
    return undefined
  }

  /** Prints one SVID as PEM, chain then key (`--out -`); warnings and the key warning go to stderr. */
  private async toStdout(options: IssueToDirectoryOptions): Promise<undefined> {
    if (this.jsonEnabled()) throw usageError('--json and --out - both write to standard output', 'drop --json, or give --out a directory')
    const {pem, result} = await issueToPem(options)
    this.warnings(result.warnings)
    if (process.stdout.isTTY && result.files.key) this.warnings(['the private key is printed to the terminal (redirect --out - to a file or a pipe)'])
    process.stdout.write(pem)
    return undefined
  }

  /** Issues `count` SVIDs, printing each as it is written: a line, or an element of one JSON array. */
  private async stream(options: IssueToDirectoryOptions, count: number): Promise<void> {
    const json = this.jsonEnabled()
    const warned = new Set<string>()
    const signal = this.interruptSignal()
    let n = 0
    try {
      for await (const r of issueEach({...options, signal})) {
        n++
        const fresh = r.warnings.filter((w) => !warned.has(w))
        for (const w of fresh) warned.add(w)
        if (json) await out(`${n === 1 ? '[' : ','}\n${JSON.stringify(r)}`)
        else {
          this.warnings(fresh)
          await out(`${renderIssuedLine(r)}\n`)
        }
        if (n % 100 === 0) progressLine(`issued ${n}/${count}`)
      }
    } catch (err) {
      progressLine()
      if (!json || n === 0) throw err
      // The array has begun: end it with the error as its last element, so stdout stays one JSON document.
      const e = toSvidkitError(err)
      process.stdout.write(`,\n${JSON.stringify({ok: false, error: e.toJSON()})}\n]\n`)
      this.exitWith(e.exit)
    }
    progressLine()
    if (json) process.stdout.write(n === 0 ? '[]\n' : '\n]\n')
    else if (!signal.aborted) this.log(`issued ${n} SVIDs`)
    this.exitForInterrupt(signal)
  }
}
