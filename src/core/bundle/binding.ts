/**
 * Which trust domain each bundle serves (docs/design.md, `verify` and `inspect`), and the resulting set of
 * bundles by trust domain. Pure: works on bundles already read (see bundle-spec.ts).
 */
import {SvidkitError} from '../errors.js'
import type {TrustDomain} from '../spiffe-id/index.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import type {BundleFile} from './load.js'
import {authorityTrustDomains, dedupeAuthorities, type X509Bundle} from './x509-bundle.js'
import {pushAll} from '../arrays.js'

/** How a file came to serve a trust domain: the binding rules of docs/design.md, or an entry of a bundle map. */
export type BindingKind = 'label' | 'san' | 'map' | 'expected' | 'leaf-assumed'

/** One file that contributed to a bound bundle. */
export interface BundleSource {
  /** The file path as given to `--bundle`. */
  path: string
  /** Which rule bound it. */
  binding: BindingKind
}

/** The authorities of one trust domain, merged from every file bound to it. */
export interface BoundBundle {
  /** The trust-domain name, e.g. `example.org`. */
  trustDomain: string
  /** The union of the files' authorities, duplicates dropped; empty = trusts nothing. */
  authorities: ParsedCertificate[]
  /** The files, in the order given. */
  sources: BundleSource[]
}

/** Every bundle given, bound to its trust domain; never pooled across trust domains. */
export interface BundleSet {
  /** Bound bundles by trust-domain name. */
  byTrustDomain: Map<string, BoundBundle>
  /** Warnings from reading and binding, each naming its file. */
  warnings: string[]
  /**
   * Paths of files left unbound: only ever the sole bundle, when it names no trust domain
   * and neither an expected nor the leaf's trust domain was known. Never used for trust.
   */
  unbound: string[]
}

/** A bundle file already read, with the label of its `--bundle TD=FILE` spec. */
export interface LoadedBundle {
  /** The file path, as given. */
  path: string
  /** The `TD=` label, a valid trust-domain name, when the spec had one. */
  label?: string
  /** What the file holds. */
  file: BundleFile
}

/** What binding may fall back on (the last binding rules, docs/design.md). */
export interface BindingContext {
  /** The expected trust domain (from `--expect-id` or given to `verify`), a bare name. Default: none. */
  expectedTrustDomain?: string
  /** The leaf's trust domain, a bare name; used only for a sole unbound bundle. Default: none. */
  leafTrustDomain?: string
  /** Read JWKS as go-spiffe would (SPIFFE Trust Domain and Bundle §4); used when files are loaded. Default `false`. */
  strict?: boolean
}

const LABEL_HINT =
  'bind each file explicitly: --bundle <trust-domain>=FILE (e.g. example.org=bundle.pem), or pass a bundle map'

function quoteList(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ')
}

/** Returns the trust domain a single (non-map) bundle binds to by rules 1–3, or undefined; throws for rule 2's refusal. */
function bindSingle(
  item: LoadedBundle,
  bundle: X509Bundle,
  ctx: BindingContext,
  warnings: string[],
): {td: string; binding: BindingKind} | undefined {
  const {trustDomains, invalidUris} = authorityTrustDomains(bundle)
  for (const uri of invalidUris) {
    warnings.push(
      `bundle "${item.path}": authority URI SAN ${JSON.stringify(uri)} is not a valid SPIFFE ID; ignored for binding`,
    )
  }
  if (item.label !== undefined) {
    const others = trustDomains.filter((td) => td !== item.label)
    if (others.length > 0) {
      warnings.push(
        `bundle "${item.path}" is labelled "${item.label}" but its authorities name trust domain ${quoteList(others)}`,
      )
    }
    return {td: item.label, binding: 'label'}
  }
  if (trustDomains.length === 1) return {td: trustDomains[0], binding: 'san'}
  if (trustDomains.length > 1) {
    throw new SvidkitError(
      'usage',
      `bundle "${item.path}" holds authorities of several trust domains (${quoteList(trustDomains)}): refusing to guess which one it serves`,
      {
        hint: 'split it into one labelled file per trust domain (--bundle <trust-domain>=FILE), or pass a bundle map',
      },
    )
  }
  if (ctx.expectedTrustDomain !== undefined) return {td: ctx.expectedTrustDomain, binding: 'expected'}
  return undefined
}

/**
 * Returns the bundles bound to trust domains by docs/design.md, `verify` and `inspect`: a `TD=` label
 * wins; else the one trust domain named by the authorities' URI SANs; else the expected
 * trust domain; else, for the sole bundle, the leaf's trust domain with a warning. Files
 * bound to one trust domain merge. Throws `usage` (exit 2) for a label on a bundle map,
 * a file naming several trust domains, or a bundle that cannot be bound.
 */
export function bindBundles(loaded: readonly LoadedBundle[], ctx: BindingContext = {}): BundleSet {
  const warnings: string[] = []
  const bound: {td: string; bundle: X509Bundle; source: BundleSource}[] = []
  const unboundItems: {item: LoadedBundle; bundle: X509Bundle}[] = []

  for (const item of loaded) {
    if (item.file.kind === 'map') {
      if (item.label !== undefined) {
        throw new SvidkitError(
          'usage',
          `a trust domain label cannot be used on bundle map "${item.path}" (--bundle ${item.label}=${item.path})`,
          {
            hint: `a bundle map names its own trust domains: pass it as --bundle ${item.path}`,
          },
        )
      }
      if (item.file.bundles.size === 0) warnings.push(`bundle map "${item.path}" holds no trust domain`)
      for (const [td, bundle] of item.file.bundles) {
        pushAll(warnings, bundle.warnings)
        bound.push({td, bundle, source: {path: item.path, binding: 'map'}})
      }
      continue
    }
    const bundle = item.file.bundle
    pushAll(warnings, bundle.warnings)
    const result = bindSingle(item, bundle, ctx, warnings)
    if (result === undefined) unboundItems.push({item, bundle})
    else bound.push({td: result.td, bundle, source: {path: item.path, binding: result.binding}})
  }

  const unbound: string[] = []
  if (unboundItems.length > 1) {
    const paths = quoteList(unboundItems.map((u) => u.item.path))
    throw new SvidkitError(
      'usage',
      `cannot tell which trust domain bundles ${paths} serve: their authorities name none`,
      {hint: LABEL_HINT},
    )
  }
  if (unboundItems.length === 1) {
    const {item, bundle} = unboundItems[0]
    if (loaded.length > 1) {
      throw new SvidkitError(
        'usage',
        `cannot tell which trust domain bundle "${item.path}" serves: its authorities name none and it is not the only bundle`,
        {
          hint: LABEL_HINT,
        },
      )
    }
    const leaf = ctx.leafTrustDomain
    if (leaf === undefined) {
      // The leaf's own ID failed earlier checks; those report it, and this bundle serves nobody
      warnings.push(
        `bundle "${item.path}" names no trust domain and the leaf's trust domain is unknown; it is not used`,
      )
      unbound.push(item.path)
    } else {
      warnings.push(
        `bundle "${item.path}" names no trust domain; assuming the leaf's trust domain "${leaf}" (say so with --bundle ${leaf}=${item.path})`,
      )
      bound.push({td: leaf, bundle, source: {path: item.path, binding: 'leaf-assumed'}})
    }
  }

  const byTrustDomain = new Map<string, BoundBundle>()
  for (const {td, bundle, source} of bound) {
    const entry = byTrustDomain.get(td) ?? {trustDomain: td, authorities: [], sources: []}
    entry.authorities = dedupeAuthorities([...entry.authorities, ...bundle.authorities])
    entry.sources.push(source)
    byTrustDomain.set(td, entry)
  }
  return {byTrustDomain, warnings, unbound}
}

/**
 * Returns the bundle bound to exactly this trust domain, or undefined (verify reports
 * `bundle-not-found`). Never another trust domain's bundle, never a pool.
 */
export function lookupBundle(set: BundleSet, trustDomain: string | TrustDomain): BoundBundle | undefined {
  const name = typeof trustDomain === 'string' ? trustDomain : trustDomain.name
  return set.byTrustDomain.get(name)
}
