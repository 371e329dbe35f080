/**
 * `verify --profile x509`: read a chain file and root files, then run `verifyChain` (RFC
 * 5280 path validation without the SPIFFE rules).
 */
import {usageError} from '../errors.js'
import {inputName, readInput} from '../fs/read-input.js'
import {readCertificates} from '../x509/read.js'
import {verifyChain} from './chain.js'
import type {VerifyResult} from './result.js'

/** Options of `verifyChainFiles`, as `verify --profile x509` takes them. */
interface VerifyChainFilesOptions {
  /** Chain file: the end-entity certificate first, then any intermediates (PEM or DER; `-` reads standard input). */
  file: string
  /** Root files (PEM or one DER certificate each): every certificate in them is a trust anchor. At least one. */
  roots: string[]
  /** Evaluation time; default now. */
  at?: Date
  /** Maximum certificates on a path (leaf included, anchor excluded). Default 10. */
  maxDepth?: number
  /** Adds the RFC 5280 MUSTs for conforming CAs. Default false. */
  strict?: boolean
}

/**
 * Returns the verdict of `verifyChain` for the files. Read problems throw (exit 3);
 * a rejected chain is a result with `valid: false` (exit 4 in the command).
 */
export function verifyChainFiles(o: VerifyChainFilesOptions): VerifyResult {
  if (o.roots.length === 0)
    throw usageError(
      '--profile x509 needs the trust anchors: --bundle FILE (PEM roots, repeatable)',
      'svidkit verify --profile x509 chain.pem --bundle roots.pem',
    )
  for (const r of o.roots) {
    if (/^[^/=]+=/.test(r))
      throw usageError(
        `--bundle "${r}": a TD= label binds a SPIFFE bundle; --profile x509 takes plain root files`,
        `svidkit verify --profile x509 chain.pem --bundle ${r.slice(r.indexOf('=') + 1)}`,
      )
  }
  const chain = readCertificates(readInput(o.file, 'pem-invalid'), inputName(o.file))
  const roots = o.roots.flatMap((r) => readCertificates(readInput(r, 'bundle-invalid'), inputName(r)))
  return verifyChain({
    leaf: chain[0],
    intermediates: chain.slice(1),
    roots,
    at: o.at,
    maxDepth: o.maxDepth,
    strict: o.strict,
  })
}
