import {Flags} from '@oclif/core'
import {issueToDirectory} from '../core/svid/issue-files.js'
import {parseLayout} from '../core/svid/layout.js'
import {parseDuration} from '../core/time/duration.js'
import {parseInstant} from '../core/time/instant.js'
import {parseKeyType} from '../core/x509/key-type.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {sharedFlags} from '../cli/flags.js'
import {renderDefects, renderIssued} from '../cli/render/issue.js'
import {DEFECTS, parseDefects} from '../core/svid/defects.js'
import {usageError} from '../core/errors.js'

export default class Issue extends SvidkitCommand {
  static override summary = 'Issue an X509-SVID from a CA directory'
  static override description = describe(`
Issues a spec-correct X509-SVID: one URI SAN (critical when the subject is empty), critical
CA:FALSE, critical keyUsage digitalSignature, EKU serverAuth+clientAuth, AKI = issuer SKI,
notBefore backdated 10s and notAfter capped at the issuing chain's notAfter (with a warning).
Writes the chain (leaf then intermediates, never the root), the PKCS#8 key (mode 0600) and
the bundle in the chosen layout, then verifies what it wrote against the bundle.

Layouts: spiffe-helper (svid.pem, svid_key.pem, svid_bundle.pem), spire (svid.pem, key.pem,
bundle.pem), k8s (tls.crt, tls.key, ca.crt), credential-bundle (credentials.pem = key then
chain, and bundle.pem).

--defect NAME produces an SVID that breaks exactly one rule, for testing verifiers; svidkit
checks that its own verify rejects it with that reason code before writing it.`)

  static override examples = [
    '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out svid',
    '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out certs --layout k8s --ttl 24h',
    '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out expired --not-after -1h',
    "<%= config.bin %> issue --spiffe-id 'spiffe://example.org/worker-{n}' --ca ca --out 'fixtures/{n}' --count 20 --json",
    '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --csr web.csr --out svid',
    '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out broken --defect missing-intermediate',
    '<%= config.bin %> issue --list-defects',
  ]

  static override flags = {
    'spiffe-id': sharedFlags.optionalSpiffeId({description: 'SPIFFE ID of the SVID (required); {n} is replaced by 1..count with --count'}),
    ca: sharedFlags.ca(),
    out: sharedFlags.out({description: 'directory to write the SVID to ({n} is replaced with --count)', default: 'svid'}),
    layout: sharedFlags.layout(),
    'cert-file': sharedFlags.certFile(),
    'key-file': sharedFlags.keyFile(),
    'bundle-file': sharedFlags.bundleFile(),
    'key-type': sharedFlags.keyType(),
    ttl: sharedFlags.ttl({description: 'lifetime (Go duration)', default: '1h'}),
    'not-before': Flags.string({description: 'notBefore: RFC 3339 or signed duration from now (default now-10s)'}),
    'not-after': Flags.string({description: 'notAfter: RFC 3339 or signed duration from now (e.g. -1h for an expired SVID)'}),
    dns: Flags.string({description: 'DNS SAN to add (repeatable; only for SPIFFE-unaware peers)', multiple: true}),
    subject: Flags.string({description: "subject DN; '' for an empty subject (the SAN becomes critical)", default: 'O=svidkit'}),
    'key-encipherment': Flags.boolean({description: 'add keyEncipherment (RSA keys with TLS 1.2 RSA key exchange only)', default: false}),
    count: Flags.integer({description: 'issue N SVIDs ({n} in --spiffe-id and --out)', min: 1}),
    csr: Flags.string({description: 'certify the public key of this PKCS#10 CSR (its SANs are ignored); no key file is written'}),
    defect: Flags.string({description: 'break exactly one rule on purpose (repeatable where the defects combine); see --list-defects', multiple: true}),
    'list-defects': Flags.boolean({description: 'list the defects, the rule each breaks and the reason code verify reports', default: false}),
  }

  async run() {
    const {flags} = await this.parse(Issue)
    if (flags['list-defects']) {
      for (const line of renderDefects(DEFECTS)) this.log(line)
      return DEFECTS.map(({name, code, rule, aspect, strictOnly}) => ({name, code, rule, aspect, strictOnly: Boolean(strictOnly)}))
    }
    if (!flags['spiffe-id']) throw usageError('missing required flag --spiffe-id')
    const now = new Date()
    const results = await issueToDirectory({
      spiffeId: flags['spiffe-id'],
      ca: flags.ca,
      out: flags.out,
      layout: parseLayout(flags.layout),
      names: {cert: flags['cert-file'], key: flags['key-file'], bundle: flags['bundle-file']},
      keyType: parseKeyType(flags['key-type']),
      ttlMs: parseDuration(flags.ttl),
      notBefore: flags['not-before'] === undefined ? undefined : parseInstant(flags['not-before'], now),
      notAfter: flags['not-after'] === undefined ? undefined : parseInstant(flags['not-after'], now),
      dns: flags.dns,
      subject: flags.subject,
      keyEncipherment: flags['key-encipherment'],
      count: flags.count,
      csr: flags.csr,
      defects: parseDefects(flags.defect ?? []),
    })
    this.warnings([...new Set(results.flatMap((r) => r.warnings))])
    for (const line of renderIssued(results)) this.log(line)
    return flags.count === undefined ? results[0] : results
  }
}
