import type {ReasonCode} from '../errors.js'

/** A handshake failure as reported: a reason code where one applies, else the raw Node code. */
export interface HandshakeFailure {
  code: ReasonCode | string
  message: string
  hint: string
  /** Who rejected: `local` (svidkit verified and refused, or a local error) or `peer`. */
  side: 'local' | 'peer'
}

interface AlertInfo {
  code: ReasonCode | string
  hint: string
}

// TLS alerts the peer sends, by the suffix Node/OpenSSL gives the error code.
const ALERTS: [RegExp, AlertInfo][] = [
  [
    /ALERT_UNKNOWN_CA$/,
    {
      code: 'untrusted-chain',
      hint: 'the peer does not trust our trust domain: its bundle lacks our root (alert 48 "unknown ca")',
    },
  ],
  [
    /ALERT_CERTIFICATE_REQUIRED$/,
    {
      code: 'ERR_TLS_CERT_REQUIRED',
      hint: 'the server requires a client certificate and we sent none (alert 116 "certificate required")',
    },
  ],
  [
    /ALERT_CERTIFICATE_EXPIRED$/,
    {code: 'cert-expired', hint: 'the peer says our certificate has expired (alert 45): rotate our SVID'},
  ],
  [
    /ALERT_BAD_CERTIFICATE$/,
    {
      code: 'ERR_TLS_BAD_CERTIFICATE',
      hint: 'the peer rejected our certificate (alert 42 "bad certificate"): check our chain and its trust of our trust domain',
    },
  ],
  [
    /ALERT_CERTIFICATE_UNKNOWN$/,
    {code: 'ERR_TLS_CERTIFICATE_UNKNOWN', hint: 'the peer rejected our certificate (alert 46 "certificate unknown")'},
  ],
  [
    /ALERT_DECRYPT_ERROR$/,
    {
      code: 'ERR_TLS_DECRYPT_ERROR',
      hint: 'the peer could not verify our handshake signature (alert 51): our key may not match the certificate we sent',
    },
  ],
  [
    /ALERT_HANDSHAKE_FAILURE$/,
    {
      code: 'ERR_TLS_HANDSHAKE_FAILURE',
      hint: 'no common TLS parameters (alert 40): check --tls-version and the key types',
    },
  ],
  [
    /ALERT_PROTOCOL_VERSION$/,
    {
      code: 'ERR_TLS_PROTOCOL_VERSION',
      hint: 'the peer does not speak this TLS version (alert 70): check --tls-version',
    },
  ],
]

// OpenSSL verification results (a peer judged by OpenSSL, e.g. a naive server), docs/race.md "Reading the report".
const VERIFY_CODES: Record<string, AlertInfo> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    code: 'untrusted-chain',
    hint: 'OpenSSL found no issuer for the certificate in its CA store',
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    code: 'untrusted-chain',
    hint: 'OpenSSL could not verify the leaf against its CA store',
  },
  SELF_SIGNED_CERT_IN_CHAIN: {
    code: 'untrusted-chain',
    hint: 'the chain ends in a root OpenSSL does not trust (a CA rotation without overlap?)',
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: {code: 'untrusted-chain', hint: 'a self-signed certificate that is not trusted'},
  CERT_HAS_EXPIRED: {code: 'cert-expired', hint: 'OpenSSL says a certificate on the path has expired'},
  CERT_NOT_YET_VALID: {
    code: 'cert-not-yet-valid',
    hint: 'OpenSSL says a certificate on the path is not valid yet: check clocks',
  },
  CERT_SIGNATURE_FAILURE: {code: 'untrusted-chain', hint: 'a signature on the chain does not verify'},
}

/**
 * Returns OpenSSL's message reduced to one readable line: without the
 * `80EC…:error:0A000418:SSL routines:…:` prefix and trailing newlines.
 */
export function cleanMessage(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message
  // Also without OpenSSL's source position (":../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601").
  return line
    .replace(/^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:/, '')
    .replace(/:[^:\s]*openssl\/[^:\s]*\.c:\d+/, '')
    .trim()
}

/** Returns the failure for an OpenSSL verification result (`socket.authorizationError`), or undefined for other codes. */
export function failureFromVerifyCode(code: string, message: string): HandshakeFailure | undefined {
  const v = VERIFY_CODES[code]
  return v ? {code: v.code, message: `${code}: ${cleanMessage(message)}`, hint: v.hint, side: 'local'} : undefined
}

/**
 * Returns the failure for an error raised on a TLS socket (peer alerts, network errors).
 * `sentCertificate` tells whether we presented a client certificate (alert 40 from a server
 * that requires one means we sent none).
 */
export function failureFromError(
  err: NodeJS.ErrnoException,
  phase: 'connect' | 'handshake' | 'round-trip',
  sentCertificate = true,
): HandshakeFailure {
  const code = err.code ?? 'ERR_TLS'
  const verify = failureFromVerifyCode(code, err.message)
  if (verify) return verify
  for (const [re, info] of ALERTS) {
    if (!re.test(code)) continue
    const alert = /alert number (\d+)/.exec(err.message)?.[1]
    const message = `the peer sent TLS alert ${alert ?? code.replace(/^.*ALERT_/, '').toLowerCase()}: ${cleanMessage(err.message).replace(/:SSL alert number \d+$/, '')}`
    if (/(HANDSHAKE_FAILURE|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN)$/.test(code) && !sentCertificate) {
      return {
        code: 'ERR_TLS_CERT_REQUIRED',
        message,
        hint: `we sent no client certificate and the server requires one${/HANDSHAKE_FAILURE$/.test(code) ? ' (TLS 1.2 servers answer with alert 40)' : ''}: pass --dir or --svid/--key`,
        side: 'peer',
      }
    }
    return {code: info.code, message, hint: info.hint, side: 'peer'}
  }
  if (code === 'ECONNREFUSED')
    return {
      code,
      message: cleanMessage(err.message),
      hint: 'nothing listens there: check HOST:PORT and that the server is up',
      side: 'local',
    }
  if ((code === 'ECONNRESET' || code === 'EPIPE') && !sentCertificate) {
    return {
      code: 'ERR_TLS_PEER_CLOSED',
      message: cleanMessage(err.message),
      hint: 'the peer closed the connection; no client certificate was sent: if the server requires one, pass --dir or --svid/--key',
      side: 'peer',
    }
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return {
      code: 'ERR_TLS_PEER_CLOSED',
      message: cleanMessage(err.message),
      hint:
        phase === 'handshake'
          ? 'the peer reset the connection during the handshake: it rejected our certificate (TLS 1.2) or our TLS parameters'
          : 'the peer closed the connection right after the handshake: it rejected our certificate (TLS 1.3 servers judge the client certificate after the client finished)',
      side: 'peer',
    }
  }
  if (code === 'ETIMEDOUT' || code === 'ERR_SVIDKIT_TIMEOUT')
    return {
      code: 'ETIMEDOUT',
      message: cleanMessage(err.message),
      hint: 'no answer in time: check the address, firewalls and --timeout',
      side: 'local',
    }
  return {
    code,
    message: cleanMessage(err.message),
    hint: 'see the message; rerun with DEBUG=svidkit* for details',
    side: phase === 'connect' ? 'local' : 'peer',
  }
}

/** Returns the failure for a peer that closed after the handshake without sending anything (`sentCertificate`: whether we presented one). */
export function closedWithoutReply(tlsVersion: string | null, sentCertificate = true): HandshakeFailure {
  return {
    code: 'ERR_TLS_PEER_CLOSED',
    message: `the peer closed the connection after the handshake without a reply (${tlsVersion ?? 'unknown TLS version'})`,
    hint: !sentCertificate
      ? 'no client certificate was sent: a server that requires one (mTLS, as every SPIFFE server) closes here; pass --dir or --svid/--key'
      : tlsVersion === 'TLSv1.3'
        ? 'under TLS 1.3 a server judges the client certificate after the client finished: it rejected our certificate (wrong trust domain, untrusted chain, or an unexpected SPIFFE ID)'
        : 'the server accepted the handshake but closed without answering: it may not speak the request protocol',
    side: 'peer',
  }
}
