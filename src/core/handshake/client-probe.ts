import {usageError} from '../errors.js'
import type {HandshakeFailure} from './alerts.js'

/**
 * How a client proves that the server accepted its certificate (docs/race.md "How acceptance
 * is decided"): a finished TLS handshake is not proof (nginx with `ssl_verify_client on`
 * finishes it with an untrusted client and answers 400).
 */
export interface ProbeSpec {
  /** `http` (default): a request whose status line is judged; `line`: one line sent, any (or the expected) reply; `tls`: the handshake alone. */
  kind: 'http' | 'line' | 'tls'
  /** HTTP statuses that mean acceptance (exact codes or whole classes). Default: 2xx, 3xx and 404. */
  expectStatus?: StatusSet
  /** The reply must match this (HTTP: status line, headers and body as received; line: the reply). */
  expectReply?: RegExp
  /** `line`: the bytes sent after the handshake. Default one empty line. */
  send?: string
}

/** Accepted HTTP statuses: codes and classes (2 = every 2xx). */
export interface StatusSet {
  codes: number[]
  classes: number[]
  /** As given on the command line, for messages. */
  text: string
}

export const DEFAULT_PROBE: ProbeSpec = {kind: 'http'}

/** The reply bytes kept for judging (a rejection page is well below this). */
export const MAX_REPLY_BYTES = 16 * 1024

/** Returns the status set of `--expect-status 200,204` or `2xx,3xx`; anything else is a usage error. */
export function parseStatusSet(text: string): StatusSet {
  const set: StatusSet = {codes: [], classes: [], text}
  for (const part of text.split(',').map((p) => p.trim())) {
    if (/^[1-5]xx$/i.test(part)) set.classes.push(Number(part[0]))
    else if (/^[1-5]\d\d$/.test(part)) set.codes.push(Number(part))
    else
      throw usageError(
        `invalid --expect-status "${text}"`,
        'give HTTP statuses or classes separated by commas, e.g. 200,204 or 2xx',
      )
  }
  return set
}

/** Returns the regular expression of `--expect-reply`; an invalid one is a usage error. */
export function parseExpectReply(text: string): RegExp {
  try {
    return new RegExp(text)
  } catch (err) {
    throw usageError(
      `invalid --expect-reply "${text}": ${(err as Error).message}`,
      'give a JavaScript regular expression, e.g. "^HTTP/1\\.[01] 200"',
    )
  }
}

/** Returns the text of `--probe-send`, with \r, \n and \t escapes turned into those characters. */
export function parseProbeSend(text: string): string {
  return text.replace(/\\([rnt\\])/g, (_, c: string) => ({r: '\r', n: '\n', t: '\t', '\\': '\\'})[c] as string)
}

/** Returns the bytes the probe sends after the handshake (none for `tls`). */
export function probeRequest(p: ProbeSpec, servername: string): string | undefined {
  if (p.kind === 'tls') return undefined
  if (p.kind === 'line') return p.send ?? '\r\n'
  // Host equals the SNI: servers such as caddy answer 421 when they differ.
  const host = servername || 'localhost'
  return `GET /svidkit HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: svidkit\r\nConnection: close\r\n\r\n`
}

const STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})(?: ([^\r\n]*))?/

/**
 * Known rejection pages: servers that finish the TLS handshake with a client they do not trust
 * and say so in the reply (nginx 495/496 sent as 400, Apache `SSLRequire` 403, HAProxy `verify
 * optional` with a deny rule 403).
 */
const REJECTION_PAGES: [RegExp, string][] = [
  [/The SSL certificate error/i, 'nginx: the client certificate failed verification (495)'],
  [/No required SSL certificate was sent/i, 'nginx: no client certificate was sent (496)'],
  [
    /Request forbidden by administrative rules/i,
    'HAProxy: a deny rule refused the request (with verify optional: the client certificate)',
  ],
  [
    /You don't have permission to access/i,
    'Apache: access forbidden (SSLRequire or Require refused the client certificate)',
  ],
]

/** Statuses that say the client was refused: 401, 403, nginx's 495 and 496 (and 400 with a certificate page). */
const REJECTION_STATUSES = new Set([401, 403, 495, 496])

function accepted(set: StatusSet | undefined, status: number): boolean {
  if (!set) return (status >= 200 && status < 400) || status === 404
  return set.codes.includes(status) || set.classes.includes(Math.floor(status / 100))
}

/** Returns the first line of a reply, trimmed, printable. */
export function firstLine(reply: string): string {
  return (
    reply
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim()
      .slice(0, 200) ?? ''
  )
}

/**
 * Returns undefined when the reply proves that the server accepted us, else the failure:
 * `rejected-by-server-reply` when the reply says the client was refused, `unexpected-reply`
 * when it proves nothing (another status, not the protocol, no match of --expect-reply).
 */
export function judgeReply(p: ProbeSpec, reply: string): HandshakeFailure | undefined {
  const line = firstLine(reply)
  if (p.kind === 'http') {
    const m = STATUS_LINE.exec(reply)
    if (!m) {
      return {
        code: 'unexpected-reply',
        message: `the server's reply is not HTTP: "${line}"`,
        hint: 'a server that does not speak HTTP needs --probe line (with --expect-reply) or --probe tls (docs/race.md)',
        side: 'peer',
      }
    }
    const status = Number(m[1])
    const page = REJECTION_PAGES.find(([re]) => re.test(reply))
    if (page || REJECTION_STATUSES.has(status)) {
      return {
        code: 'rejected-by-server-reply',
        message: `the server finished the TLS handshake but refused us: "${line}"${page ? ` (${page[1]})` : ''}`,
        hint: 'the server does not trust our client SVID: its trust bundle lacks our root, or an access rule refuses our SPIFFE ID',
        side: 'peer',
      }
    }
    if (!accepted(p.expectStatus, status)) {
      return {
        code: 'unexpected-reply',
        message: `the server answered "${line}", not ${p.expectStatus ? `--expect-status ${p.expectStatus.text}` : 'a 2xx, 3xx or 404 status'}`,
        hint: 'say what acceptance looks like with --expect-status (or --expect-reply)',
        side: 'peer',
      }
    }
  } else if (p.kind === 'line' && reply.length === 0) {
    return {
      code: 'unexpected-reply',
      message: 'the server sent an empty reply',
      hint: 'check --probe-send',
      side: 'peer',
    }
  }
  if (p.expectReply && !p.expectReply.test(reply)) {
    return {
      code: 'unexpected-reply',
      message: `the server's reply "${line}" does not match --expect-reply ${String(p.expectReply)}`,
      hint: 'the server answered, but not as --expect-reply says an accepted client is answered',
      side: 'peer',
    }
  }
  return undefined
}

/** Returns whether an HTTP reply is complete enough to judge (status line and headers, or the connection ended). */
export function replyComplete(p: ProbeSpec, reply: string): boolean {
  if (p.kind !== 'http')
    return p.expectReply ? p.expectReply.test(reply) || reply.length >= MAX_REPLY_BYTES : reply.length > 0
  if (!STATUS_LINE.test(reply) && reply.length >= 16) return true
  const headersEnd = reply.indexOf('\r\n\r\n')
  if (headersEnd < 0) return reply.length >= MAX_REPLY_BYTES
  // A rejection page is judged by its body: wait for the body when the status may carry one.
  const status = Number(STATUS_LINE.exec(reply)?.[1] ?? 0)
  const len = /\r\ncontent-length:\s*(\d+)/i.exec(reply.slice(0, headersEnd))
  if (status >= 400 || p.expectReply)
    return len ? reply.length - headersEnd - 4 >= Number(len[1]) : reply.length >= MAX_REPLY_BYTES
  return true
}
