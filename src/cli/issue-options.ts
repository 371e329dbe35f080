/**
 * The flags of `issue` and the issuance options built from them: values parsed and checked
 * here (lifetimes, instants, key type, layout), the defects turned into a recipe by
 * core/defects. The command only parses, issues and renders.
 */
import {Flags, type Interfaces} from '@oclif/core'
import {LAYOUTS, parseLayout} from '../core/fs/layout.js'
import {defaultCaDir} from '../core/ca/ca-dir.js'
import {recipeFor} from '../core/defects/index.js'
import {usageError} from '../core/errors.js'
import type {IssueToDirectoryOptions} from '../core/svid/issue-files.js'
import {parseLifetime} from '../core/time/duration.js'
import {parseInstant} from '../core/time/instant.js'
import {KEY_TYPES, parseKeyType} from '../core/x509/key-type.js'
import {sharedFlags} from './flags.js'
import {clockOf, seedFlags} from './seed-flags.js'

/** The flags of `issue`. */
export const issueFlags = {
  'spiffe-id': sharedFlags.optionalSpiffeId({
    description: 'SPIFFE ID of the SVID (required); {n} is replaced by 1..count with --count',
  }),
  ca: sharedFlags.ca(),
  out: sharedFlags.out({
    description:
      'directory to write the SVID to ({n} is replaced with --count); - prints the chain then the key as PEM',
    default: 'svid',
  }),
  layout: Flags.string({
    description: 'output layout',
    options: [...Object.keys(LAYOUTS), 'k8s-secret'],
    default: 'spiffe-helper',
  }),
  'cert-file': sharedFlags.certFile(),
  'key-file': sharedFlags.keyFile(),
  'bundle-file': sharedFlags.bundleFile(),
  'key-type': Flags.string({
    description: 'key type (default ec-p256; not with --csr, whose key is certified)',
    options: [...KEY_TYPES],
  }),
  ttl: sharedFlags.ttl({description: 'lifetime (Go duration)', default: '1h'}),
  'not-before': Flags.string({description: 'notBefore: RFC 3339 or signed duration from now (default now-10s)'}),
  'not-after': Flags.string({
    description: 'notAfter: RFC 3339 or signed duration from now (e.g. -1h for an expired SVID)',
  }),
  dns: Flags.string({
    description: 'DNS SAN to add (repeatable; only for SPIFFE-unaware peers; an IP address goes in --ip)',
    multiple: true,
  }),
  ip: Flags.string({
    description: 'IP SAN to add, IPv4 or IPv6 (repeatable; only for SPIFFE-unaware peers)',
    multiple: true,
  }),
  subject: Flags.string({
    description: "subject DN; '' for an empty subject (the SAN becomes critical)",
    default: 'O=svidkit',
  }),
  'key-encipherment': Flags.boolean({
    description: 'add keyEncipherment (RSA keys with TLS 1.2 RSA key exchange only)',
    default: false,
  }),
  count: Flags.integer({
    description: 'issue N SVIDs ({n} in --spiffe-id and --out; at most 1000000); streamed',
    min: 1,
  }),
  workers: Flags.integer({
    description:
      'worker threads for --count (0 = none; default: none below 400 SVIDs, then one per core beyond the first; at most one per core)',
    min: 0,
  }),
  csr: Flags.string({
    description: 'certify the public key of this PKCS#10 CSR (its SANs are ignored); no key file is written',
  }),
  force: sharedFlags.force({
    description: 'replace an SVID of the same layout in --out (never a CA directory, never another layout)',
  }),
  format: Flags.string({
    description: 'pem files, or pkcs12: svid.p12 (key and chain) beside the bundle',
    options: ['pem', 'pkcs12'],
    default: 'pem',
  }),
  'p12-password-file': Flags.string({description: 'file whose first line is the PKCS#12 password'}),
  'p12-password': Flags.string({
    description: 'PKCS#12 password (insecure: visible in ps and shell history; prefer --p12-password-file)',
  }),
  'secret-name': Flags.string({
    description: 'metadata.name of the Secret with --layout k8s-secret (default svid-<ID path>)',
  }),
  defect: Flags.string({
    description: 'break exactly one rule on purpose (repeatable where the defects combine); see "svidkit defects"',
    multiple: true,
  }),
  'list-defects': Flags.boolean({
    description:
      'deprecated: use "svidkit defects --family x509"; lists the defects, the rule each breaks and the reason code',
    default: false,
  }),
  ...seedFlags,
}

/** The parsed flags of `issue`. */
type IssueFlags = Interfaces.InferredFlags<typeof issueFlags>

/** Returns the issuance options of `issue`'s flags; throws the usage errors of a missing or invalid value. */
export function issueOptions(flags: IssueFlags): IssueToDirectoryOptions {
  if (!flags['spiffe-id']) throw usageError('missing required flag --spiffe-id')
  const clock = clockOf(flags.now)
  const now = clock?.now() ?? new Date()
  return {
    spiffeId: flags['spiffe-id'],
    ca: flags.ca ?? defaultCaDir(),
    out: flags.out,
    layout: flags.layout === 'k8s-secret' ? 'k8s-secret' : parseLayout(flags.layout),
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
    recipe: recipeFor(flags.defect ?? []),
    workers: flags.workers,
    ...(flags.seed === undefined ? {} : {seed: flags.seed}),
    ...(clock ? {clock} : {}),
  }
}
