import {existsSync} from 'node:fs'
import {SvidkitError, usageError} from '../errors.js'
import {STDIN_PATH} from '../fs/read-input.js'
import {inspectFile, inspectPresentedChain, type InspectedFile} from './inspect.js'

/** Options of `inspectTargets`. */
interface InspectTargetsOptions {
  /** Evaluation time of the validity checks. */
  at: Date
  /** SNI for HOST:PORT targets. Default: the host when it is a name. */
  servername?: string
  /** Output format asked for; checked against the other options. Default `text`. */
  format?: 'text' | 'json' | 'pem'
  /** `--json` was given too. Default false. */
  json?: boolean
  /** Handshake timeout for HOST:PORT targets, in ms. Default 10000. */
  timeoutMs?: number
  /** Password of PKCS#12 inputs. */
  p12Password?: string
  /** Password of encrypted PKCS#8 keys. */
  keyPassword?: string
}

/** Returns true when `arg` names a TLS server (HOST:PORT) rather than a file: it has that form and no such file exists. */
function isServerTarget(arg: string, parse: (t: string) => unknown): boolean {
  return arg !== STDIN_PATH && parse(arg) !== undefined && !existsSync(arg)
}

const TARGET_FORM = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/

/**
 * Returns what each argument holds: a file (or `-`, standard input) read as `inspectFile`
 * does, or the chain a TLS server presents at `HOST:PORT` (fetched without a client
 * certificate, shown and not verified). The TLS code is loaded only when a server is named.
 */
export async function inspectTargets(args: string[], o: InspectTargetsOptions): Promise<{files: InspectedFile[]}> {
  if (o.json && o.format && o.format !== 'text' && o.format !== 'json') {
    throw usageError(
      `--json and --format ${o.format} ask for two outputs`,
      'use one of them: --json is the same as --format json',
    )
  }
  const servers = args.filter((a) => isServerTarget(a, (t) => (TARGET_FORM.test(t) ? t : undefined)))
  if (o.servername !== undefined && servers.length === 0) {
    throw usageError(
      '--servername applies only to a HOST:PORT argument, and none was given',
      'inspect 127.0.0.1:8443 --servername web.example.org',
    )
  }
  if (args.filter((a) => a === STDIN_PATH).length > 1) throw usageError('"-" (standard input) can be given only once')
  const files: InspectedFile[] = []
  for (const arg of args) {
    if (servers.includes(arg)) {
      const {fetchChain, parseTarget} = await import('../handshake/fetch-chain.js')
      const t = parseTarget(arg)
      if (!t) throw usageError(`"${arg}" is not a valid HOST:PORT (port 1-65535)`)
      const fetched = await fetchChain({host: t.host, port: t.port, servername: o.servername, timeoutMs: o.timeoutMs})
      files.push(inspectPresentedChain(fetched.target, fetched.certificates, o.at))
    } else files.push(inspectFile(arg, o.at, o))
  }
  if (
    o.format === 'pem' &&
    files
      .flatMap((f) => [f, ...(f.parts ?? [])])
      .every((f) => f.certificates.length === 0 && (f.trustDomains ?? []).every((t) => t.certificates.length === 0))
  ) {
    throw new SvidkitError(
      'pem-invalid',
      'no certificate to print with --format pem: the inputs hold only keys or empty bundles',
      {
        hint: 'private keys are never printed; use --format text to see what the inputs hold',
      },
    )
  }
  return {files}
}
