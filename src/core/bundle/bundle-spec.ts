/**
 * `--bundle [TD=]FILE` values (docs/design.md, `verify` and `inspect`), and loading them into a
 * bound {@link BundleSet}.
 */
import {SvidkitError} from '../errors.js'
import {TrustDomain} from '../spiffe-id/index.js'
import {bindBundles, type BindingContext, type BundleSet, type LoadedBundle} from './binding.js'
import {loadBundleFile} from './load.js'

/** One `--bundle` value, split into its optional trust-domain label and file path. */
export interface BundleSpec {
  /** The value as given. */
  spec: string
  /** The trust-domain label before `=`, validated, when there is one. */
  label?: string
  /** The file path. */
  path: string
}

/**
 * Returns the label and path of a `--bundle [TD=]FILE` value. The text before the first
 * `=` is a label only when it holds no path separator (`/` or `\`), so `./a=b.pem` is a
 * path. Throws `usage` (exit 2) for an invalid label or a missing file name.
 */
export function parseBundleSpec(spec: string): BundleSpec {
  if (spec === '') throw new SvidkitError('usage', '--bundle needs a file: [TD=]FILE')
  const eq = spec.indexOf('=')
  const before = eq < 0 ? undefined : spec.slice(0, eq)
  if (before === undefined || before.includes('/') || before.includes('\\')) return {spec, path: spec}
  let label: string
  try {
    label = TrustDomain.parse(before).name
  } catch (err) {
    if (!(err instanceof SvidkitError)) throw err
    throw new SvidkitError('usage', `invalid trust domain label in --bundle ${JSON.stringify(spec)}: ${err.message}`, {
      cause: err,
      hint: 'write --bundle <trust-domain>=FILE with a lowercase name (example.org=bundle.pem); for a file whose name holds "=", write ./FILE',
    })
  }
  const path = spec.slice(eq + 1)
  if (path === '') throw new SvidkitError('usage', `--bundle ${JSON.stringify(spec)} names no file after "="`)
  return {spec, label, path}
}

/** Returns the file of one spec, with a hint when a `spiffe://td=FILE` value was taken as a path. */
function loadSpec(spec: BundleSpec, ctx: BindingContext): LoadedBundle {
  try {
    return {path: spec.path, label: spec.label, file: loadBundleFile(spec.path, {strict: ctx.strict})}
  } catch (err) {
    if (err instanceof SvidkitError && err.code === 'file-not-found' && /^spiffe:\/\/[^/=]+=./.test(spec.spec)) {
      const [td, ...rest] = spec.spec.slice('spiffe://'.length).split('=')
      throw new SvidkitError('file-not-found', err.message, {
        cause: err,
        path: spec.path,
        hint: `a label is a bare trust-domain name: --bundle ${td}=${rest.join('=')}`,
      })
    }
    throw err
  }
}

/**
 * Returns the bound bundle set of `--bundle` values: every spec is checked first, then
 * each file is read (SPIFFE Trust Domain and Bundle §4) and bound (docs/design.md). Throws `usage`, `file-not-found` or
 * `bundle-invalid`.
 */
export function loadBundleSpecs(specs: readonly string[], ctx: BindingContext = {}): BundleSet {
  const parsed = specs.map(parseBundleSpec)
  return bindBundles(
    parsed.map((s) => loadSpec(s, ctx)),
    ctx,
  )
}
