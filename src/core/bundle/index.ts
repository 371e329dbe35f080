/** Bundles: X509Bundle, PEM, SPIFFE JWKS, bundle maps, and binding them to trust domains (docs/design.md, `verify` and `inspect`). */
export {
  authorityTrustDomains,
  authorityWarnings,
  dedupeAuthorities,
  emptyBundleWarning,
  type X509Bundle,
} from './x509-bundle.js'
export {parsePemBundle, toPemBundle} from './pem-bundle.js'
export {parseJwks, toJwks, type JwksReadOptions, type JwksWriteOptions} from './jwks.js'
export {parseBundleMap, mapEntrySource, type BundleMapReadOptions} from './bundle-map.js'
export {loadBundleFile, parseBundleBytes, type BundleFile, type BundleReadOptions} from './load.js'
export {
  bindBundles,
  lookupBundle,
  type BindingContext,
  type BindingKind,
  type BoundBundle,
  type BundleSet,
  type BundleSource,
  type LoadedBundle,
} from './binding.js'
export {loadBundleSpecs, parseBundleSpec, type BundleSpec} from './bundle-spec.js'
export {convertBundles, type BundleFormat, type ConvertOptions, type ConvertResult} from './convert.js'
