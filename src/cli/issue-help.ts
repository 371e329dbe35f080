/** The help of `issue`: what it writes, in which layouts, and examples (docs/commands.md is generated from it). */
import {describe} from './exit-codes.js'

export const ISSUE_SUMMARY = 'Issue an X509-SVID from a CA directory'

export const ISSUE_DESCRIPTION = describe(`
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
checks that its own verify rejects it with that reason code before writing it. "svidkit
defects" lists them (--list-defects still does, but is deprecated).`)

export const ISSUE_EXAMPLES = [
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
    command:
      "<%= config.bin %> issue --spiffe-id 'spiffe://example.org/worker-{n}' --ca ca --out 'fixtures/{n}' --count 20 --json",
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
    command:
      '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out p12 --format pkcs12 --p12-password-file pass.txt',
  },
  {
    description: 'Write a kubernetes.io/tls Secret manifest (secret.yaml)',
    command:
      '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out k8s --layout k8s-secret --secret-name web-svid',
  },
  {
    description: 'Issue an SVID that breaks one rule on purpose: its chain lacks the intermediate',
    command:
      '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca ca --out broken --defect missing-intermediate',
  },
  {
    description: 'List every --defect with the rule it breaks and the reason code verify reports',
    command: '<%= config.bin %> defects --family x509',
  },
  {
    description: 'Issue a byte-stable SVID for test fixtures (seeded key: for tests only)',
    command:
      '<%= config.bin %> issue --spiffe-id spiffe://example.org/web --ca fixtures/ca --out fixtures/web --seed fixtures-1 --now 2026-01-01T00:00:00Z',
  },
]
