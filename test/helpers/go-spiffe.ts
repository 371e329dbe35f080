/**
 * go-spiffe's test data files, vendored in test/fixtures/go-spiffe (Apache-2.0, see its
 * README.md): certificates, keys and bundles that unit tests read on any clone, with no
 * material from outside the repository.
 */
import path from 'node:path'

/** The vendored copy of go-spiffe's data files. */
export const GO_SPIFFE_DIR = path.resolve(import.meta.dirname, '../fixtures/go-spiffe')

export const SVID_DATA = 'go-spiffe/svid/x509svid/testdata'
export const X509_DATA = 'go-spiffe/bundle/x509bundle/testdata'
export const SPIFFE_DATA = 'go-spiffe/bundle/spiffebundle/testdata'

/** Returns the absolute path of a vendored file given as `go-spiffe/<path>` (as the constants above write it). */
export function goSpiffe(rel: string): string {
  if (!rel.startsWith('go-spiffe/')) throw new Error(`not a go-spiffe path: ${rel}`)
  return path.join(GO_SPIFFE_DIR, rel.slice('go-spiffe/'.length))
}
