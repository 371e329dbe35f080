/**
 * The one error class of svidkit's core, with the stable reason codes of
 * docs/errors.md and the exit code each maps to.
 */

/** Reason codes from the CLI contract, plus the few svidkit-specific codes listed in docs/errors.md. */
export const REASON_EXIT = {
  // input/output (3)
  'pem-invalid': 3,
  'key-invalid': 3,
  'bundle-invalid': 3,
  'file-not-found': 3,
  'not-a-regular-file': 3,
  'not-a-directory': 3,
  'permission-denied': 3,
  'duplicate-extension': 3,
  'time-invalid': 3,
  // verification (4)
  'no-uri-san': 4,
  'multiple-uri-sans': 4,
  'spiffe-id-invalid': 4,
  'leaf-root-path': 4,
  'leaf-is-ca': 4,
  'leaf-key-cert-sign': 4,
  'leaf-crl-sign': 4,
  'leaf-no-digital-signature': 4,
  'signing-cert-not-ca': 4,
  'signing-cert-no-key-cert-sign': 4,
  'bundle-not-found': 4,
  'untrusted-chain': 4,
  'cert-expired': 4,
  'cert-not-yet-valid': 4,
  'name-constraint-violation': 4,
  'path-length-exceeded': 4,
  'unhandled-critical-extension': 4,
  'id-mismatch': 4,
  'trust-domain-mismatch': 4,
  'key-mismatch': 4,
  'eku-incomplete': 4,
  'path-limit': 4,
  'weak-key': 4,
  'name-constraint-invalid': 4,
  'profile-violation': 4,
  // JWT-SVID verification (4), docs/jwt.md
  'jwt-malformed': 4,
  'jwt-alg-not-allowed': 4,
  'jwt-header-invalid': 4,
  'jwt-kid-missing': 4,
  'jwt-kid-unknown': 4,
  'jwt-key-wrong-use': 4,
  'jwt-signature-invalid': 4,
  'jwt-sub-invalid': 4,
  'jwt-aud-missing': 4,
  'jwt-aud-mismatch': 4,
  'jwt-exp-missing': 4,
  'jwt-expired': 4,
  'jwt-not-yet-valid': 4,
  'jwt-iat-future': 4,
  // conformance (4): a harness disagreed with a MUST case, docs/conformance.md
  'conformance-disagreement': 4,
  'harness-failed': 5,
  // svidkit-specific (docs/errors.md)
  usage: 2,
  'output-exists': 3,
  'output-not-writable': 3,
  'unsafe-link': 3,
  'unsafe-dir': 3,
  'unsafe-file': 3,
  'signal-failed': 3,
  'pid-invalid': 3,
  'ca-invalid': 3,
  'ca-expired': 3,
  'address-in-use': 3,
  'target-unreachable': 3,
  'baseline-failed': 3,
  'ca-mismatch': 3,
  'handshake-failed': 5,
  'rejected-by-server-reply': 5,
  'unexpected-reply': 5,
  'race-failures': 5,
  'watch-failed': 6,
  internal: 1,
} as const

/** A stable reason code (docs/errors.md "Reason codes"). */
export type ReasonCode = keyof typeof REASON_EXIT

/** An exit code of the CLI contract. */
export type ExitCode = 0 | 1 | 2 | 3 | 4 | 5 | 6

export interface SvidkitErrorOptions {
  /** What the user can do about it: one line. Defaults to a generic hint for the code. */
  hint?: string
  /** Overrides the exit code the reason code maps to (e.g. an invalid SPIFFE ID given as a flag exits 2). */
  exit?: ExitCode
  /** The underlying error, kept for DEBUG output. */
  cause?: unknown
  /** Which side failed, for handshakes. */
  side?: 'local' | 'peer'
  /** The path the error is about, if any. */
  path?: string
}

/**
 * Returns nothing: thrown by the core for every deliberate failure. The message
 * follows go-spiffe's wording (lowercase, no final period, offending value quoted).
 */
export class SvidkitError extends Error {
  readonly code: ReasonCode
  readonly hint: string
  readonly exit: ExitCode
  readonly side?: 'local' | 'peer'
  readonly path?: string

  constructor(code: ReasonCode, message: string, options: SvidkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'SvidkitError'
    this.code = code
    this.hint = options.hint ?? DEFAULT_HINTS[code]
    this.exit = options.exit ?? REASON_EXIT[code]
    this.side = options.side
    this.path = options.path
  }

  /** Returns the `{code, message, hint}` triple used in JSON output. */
  toJSON(): {code: ReasonCode; message: string; hint: string; side?: string} {
    return {code: this.code, message: this.message, hint: this.hint, ...(this.side ? {side: this.side} : {})}
  }
}

/** Returns true when `err` is a SvidkitError (also across module copies). */
export function isSvidkitError(err: unknown): err is SvidkitError {
  return err instanceof SvidkitError || (err instanceof Error && err.name === 'SvidkitError' && 'code' in err)
}

/** Returns a usage error (exit 2). */
export function usageError(message: string, hint?: string): SvidkitError {
  return new SvidkitError('usage', message, {hint})
}

const DEFAULT_HINTS: Record<ReasonCode, string> = {
  'pem-invalid': 'the file must hold PEM CERTIFICATE blocks (or one DER certificate); check it was not truncated',
  'key-invalid': 'give an unencrypted PKCS#8 "PRIVATE KEY" (openssl pkcs8 -topk8 -nocrypt converts SEC1/PKCS#1)',
  'bundle-invalid':
    'a bundle is PEM CERTIFICATE blocks, a SPIFFE JWKS ({"keys": [...]}) or a bundle map ({"trust_domains": {...}})',
  'file-not-found': 'check the path; relative paths are resolved from the current directory',
  'not-a-regular-file':
    'svidkit reads certificates, keys and bundles from regular files only (or "-" for standard input)',
  'not-a-directory': 'give the directory that holds the files, or the file itself as an argument',
  'permission-denied': 'check the mode and owner of the file (ls -l), or run as the user it belongs to',
  'duplicate-extension':
    'a certificate must not carry two instances of one extension (RFC 5280 section 4.2); reissue it',
  'time-invalid':
    'validity times must be UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280 section 4.1.2.5); reissue it',
  'no-uri-san': 'an X509-SVID carries its SPIFFE ID as exactly one URI SAN; reissue it with one',
  'multiple-uri-sans': 'an X509-SVID must carry exactly one URI SAN; remove the extra URI SANs',
  'spiffe-id-invalid': 'fix the URI SAN so it is spiffe://<trust-domain>/<path> with the allowed characters',
  'leaf-root-path': 'a workload SVID needs a path, e.g. spiffe://example.org/ns/default/sa/web',
  'leaf-is-ca': 'issue the leaf with basicConstraints CA:FALSE',
  'leaf-key-cert-sign': 'remove keyCertSign from the leaf key usage',
  'leaf-crl-sign': 'remove cRLSign from the leaf key usage',
  'leaf-no-digital-signature': 'add digitalSignature to the leaf key usage (critical)',
  'signing-cert-not-ca': 'every certificate after the leaf in the chain file must be a CA (basicConstraints CA:TRUE)',
  'signing-cert-no-key-cert-sign': 'every CA certificate in the chain needs keyCertSign in its key usage',
  'bundle-not-found': "pass the bundle of the leaf's trust domain: --bundle <td>=FILE, or a bundle map",
  'untrusted-chain': 'the chain does not lead to a root of the bundle; check the intermediates and the bundle',
  'cert-expired': 'issue a new SVID (and check the rotation that should have replaced it)',
  'cert-not-yet-valid': 'check the clocks of issuer and verifier; issuers backdate notBefore by about 10 s',
  'name-constraint-violation': 'URI name constraints compare only the trust domain: use the bare name (example.org)',
  'path-length-exceeded': "use fewer intermediates or raise the CA's pathLenConstraint",
  'unhandled-critical-extension': 'remove the critical extension or mark it non-critical',
  'id-mismatch': 'the peer presented another SPIFFE ID: check --expect-id and the registration of the workload',
  'trust-domain-mismatch': 'the SPIFFE ID is in another trust domain than expected',
  'key-mismatch': 'the key file belongs to another certificate; the writer may have replaced one file before the other',
  'eku-incomplete': 'issue the leaf with extended key usage serverAuth and clientAuth',
  'path-limit':
    'the chain holds too many look-alike certificates to search; send only the leaf and its intermediates, in order',
  'weak-key': 'reissue the certificate with an ECDSA P-256/P-384, Ed25519 or RSA key of at least 2048 bits',
  'name-constraint-invalid':
    'reissue the CA with a critical nameConstraints of DNS, email, URI, IP or directory-name subtrees',
  'profile-violation': 'the certificate breaks an RFC 5280 rule for conforming CAs (docs/verification.md); reissue it',
  'jwt-malformed':
    'a JWT-SVID is a JWS compact token: three base64url parts (header.payload.signature) separated by dots',
  'jwt-alg-not-allowed':
    'JWT-SVID section 3 allows RS256/384/512, ES256/384/512 and PS256/384/512 only; never none or HMAC',
  'jwt-header-invalid':
    'the header may carry alg, kid and typ (JWT or JOSE); remove "crit" and other critical parameters',
  'jwt-kid-missing': 'JWT-SVID section 3 requires "kid" in the header, naming a jwt-svid key of the bundle',
  'jwt-kid-unknown':
    "the kid is not a jwt-svid key of the bundle of the sub's trust domain: refresh the bundle, or check the token's trust domain",
  'jwt-key-wrong-use': 'only bundle entries with "use": "jwt-svid" may verify JWT-SVIDs; an x509-svid key never does',
  'jwt-signature-invalid': 'the token was altered or signed by another key with the same kid; reissue it',
  'jwt-sub-invalid': 'sub must be the SPIFFE ID of the workload, spiffe://<trust-domain>/<path>',
  'jwt-aud-missing':
    'JWT-SVID section 3 requires a non-empty aud: issue the token for the audience that will validate it',
  'jwt-aud-mismatch': 'the token was issued for another audience: request a JWT-SVID with this audience',
  'jwt-exp-missing': 'JWT-SVID section 3 requires exp: reissue the token with an expiry',
  'jwt-expired': 'fetch a fresh JWT-SVID (they live minutes), or check the clocks (--skew allows some drift)',
  'jwt-not-yet-valid': 'check the clocks of issuer and verifier (--skew allows some drift)',
  'jwt-iat-future':
    'the token claims to be issued in the future: check the clocks of issuer and verifier (--skew allows some drift)',
  'conformance-disagreement':
    'the harness disagreed with a MUST case: see the disagreements, each with its spec section',
  'harness-failed': 'the harness did not answer with results JSON on stdout: run it by hand with the suite on stdin',
  usage: 'see --help for the flags and their values',
  'output-exists': 'use --force to overwrite, or choose another --out directory',
  'output-not-writable': 'choose a directory you can write to, or fix its permissions',
  'unsafe-link':
    'a link in the directory points somewhere the writer never put it: inspect it, remove it by hand if it is stale, then rerun',
  'unsafe-dir':
    'make the directory and those above it writable only by you or root (chmod go-w, chown), or pass --insecure-allow-shared-dir if every user who can write them is trusted',
  'unsafe-file':
    'a file at an output name is not a regular file of yours with one link: inspect it, remove it if it is stale, then rerun',
  'signal-failed': 'check --pid/--pid-file: the process must exist and be yours',
  'pid-invalid':
    'a pid is a plain decimal integer of at least 2; a pid file is a regular file owned by you or root holding only that',
  'ca-invalid': 'point --ca at a directory made by "svidkit ca init"',
  'ca-expired': 'the issuing CA has expired or expires now; create a new one with "svidkit ca init --force"',
  'address-in-use': 'another process listens on that port: pick another port, or stop that process (ss -ltnp shows it)',
  'target-unreachable': 'start the server under test first (or give --server-cmd), and check --target',
  'baseline-failed':
    'fix the setup the message names (the server must read --dir, send its chain and trust --ca), then rerun: nothing was rotated',
  'ca-mismatch':
    'give the --ca that issued the SVID in --dir: the race would otherwise replace a live SVID with one from another CA',
  'handshake-failed': 'see the reason above; rerun with --json for details',
  'rejected-by-server-reply':
    'the server finished the TLS handshake but its reply refuses us: its trust bundle lacks our root, or an access rule refuses our SPIFFE ID',
  'unexpected-reply':
    'the reply proves no acceptance: say what acceptance looks like with --probe, --expect-status or --expect-reply',
  'race-failures': 'see failuresByCause in the report',
  'watch-failed': 'the watched material stayed invalid; see the events above',
  internal: 'this is a bug in svidkit; rerun with DEBUG=svidkit* and report it',
}
