/**
 * `svidkit verify`'s flags to one verification: the flag combinations it refuses (usage
 * errors, exit 2), then the one core call the input and --profile choose (a chain judged by
 * RFC 5280 only, a live server's chain, or SVID files), and the JSON document of a failure
 * to read the input. commands/verify.ts parses, calls verifyFromFlags, renders.
 */
import type {Interfaces} from '@oclif/core'
import {isSvidkitError, usageError} from '../core/errors.js'
import {parseLayout} from '../core/fs/layout.js'
import {parseInstant} from '../core/time/instant.js'
import {readFailureResult} from '../core/verify/read-failure.js'
import type {VerifyResult} from '../core/verify/result.js'
import {verifyChainFiles} from '../core/verify/verify-chain-files.js'
import {verifyConnect} from '../core/handshake/verify-connect.js'
import {verifyFiles} from '../core/verify/verify-files.js'
import {passwordsFromFlags, withPasswordPrompt} from './password-prompt.js'
import type {verifyFlags} from './verify-flags.js'

/** verify's parsed flags. */
type VerifyFlags = Interfaces.InferredFlags<typeof verifyFlags>

/** The evaluation time: --at, else now; `given` when --at was. */
interface VerifyInstant {
  at: Date
  given: boolean
}

/** The flags that apply to --profile spiffe only, in the order the first one given is named. */
const SPIFFE_ONLY = [
  'dir',
  'key',
  'expect-id',
  'expect-trust-domain',
  'connect',
  'cert-file',
  'key-file',
  'bundle-file',
] as const

/** Returns the evaluation time of --at (RFC 3339 or a signed duration from now), else now. */
export function verifyInstant(at: string | undefined): VerifyInstant {
  return at === undefined ? {at: new Date(), given: false} : {at: parseInstant(at, new Date()), given: true}
}

/** Throws the usage error (exit 2) for the argument and flags verify refuses together. */
function checkVerifyFlags(file: string | undefined, flags: VerifyFlags): void {
  if (flags.connect !== undefined && file !== undefined)
    throw usageError('give a chain file or --connect HOST:PORT, not both')
  if (flags.profile !== 'x509') return
  const spiffeOnly = SPIFFE_ONLY.find((f) => flags[f] !== undefined)
  if (spiffeOnly)
    throw usageError(
      `--${spiffeOnly} applies to --profile spiffe only`,
      'svidkit verify --profile x509 CHAIN --bundle ROOTS [--at T] [--strict] [--max-depth N]',
    )
  if (file === undefined)
    throw usageError('--profile x509 needs a chain file', 'svidkit verify --profile x509 chain.pem --bundle roots.pem')
}

/**
 * Returns the result of verifying chain file `file` (or what the flags name instead) at
 * `instant`: by RFC 5280 only with --profile x509, the chain of a live server with --connect,
 * else the SVID files (asking for passwords on a terminal when needed). Throws the usage
 * errors of checkVerifyFlags first.
 */
export async function verifyFromFlags(
  file: string | undefined,
  flags: VerifyFlags,
  instant: VerifyInstant,
): Promise<VerifyResult> {
  checkVerifyFlags(file, flags)
  const {at, given: atGiven} = instant
  if (flags.profile === 'x509')
    return verifyChainFiles({
      file: file as string,
      roots: flags.bundle ?? [],
      at: atGiven ? at : undefined,
      maxDepth: flags['max-depth'],
      strict: flags.strict,
    })
  if (flags.connect !== undefined)
    return verifyConnect({
      target: flags.connect,
      servername: flags.servername,
      bundles: flags.bundle ?? [],
      expectIds: flags['expect-id'],
      expectTrustDomain: flags['expect-trust-domain'],
      strict: flags.strict,
      at,
      atGiven,
    })
  return withPasswordPrompt(
    passwordsFromFlags({p12File: flags['p12-password-file'], keyFile: flags['key-password-file']}),
    (passwords) =>
      verifyFiles({
        ...passwords,
        secretName: flags['secret-name'],
        file,
        dir: flags.dir,
        layout: flags.layout === undefined ? undefined : parseLayout(flags.layout),
        names: {cert: flags['cert-file'], key: flags['key-file'], bundle: flags['bundle-file']},
        key: flags.key,
        bundles: flags.bundle,
        expectIds: flags['expect-id'],
        expectTrustDomain: flags['expect-trust-domain'],
        at,
        atGiven,
        maxDepth: flags['max-depth'],
        strict: flags.strict,
      }),
  )
}

/**
 * Returns verify's JSON document and exit for `err` when it is a failure to read the input
 * (exit 3) or to reach the server of --connect (exit 5): in JSON mode verify still prints its
 * document, with the reason as errors[0]. Returns undefined for any other error.
 */
export function readFailure(err: unknown, at: Date): {result: VerifyResult; exit: 3 | 5} | undefined {
  if (!isSvidkitError(err) || (err.exit !== 3 && err.exit !== 5)) return undefined
  return {result: readFailureResult(err, at), exit: err.exit}
}
