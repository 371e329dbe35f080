/**
 * The library's issuance entry points as they were before defects became a layer: each
 * takes `defects` (objects of the catalogue) beside the issuance options, turns them into
 * the recipe issuance applies (recipe.ts), and issues. src/index.ts exports these under the
 * issuance names (issueSvid, issueToDirectory, issueEach, issueToPem).
 */
import {issueSvid, type IssueOptions, type IssuedSvid} from '../svid/issue.js'
import {issueEach, issueToDirectory, type IssueResult, type IssueToDirectoryOptions} from '../svid/issue-files.js'
import {issueToPem} from '../svid/issue-stdout.js'
import type {Defect} from './catalogue.js'
import {recipeFor} from './recipe.js'

/** Deliberate defects beside issuance options. */
export interface WithDefects {
  /** Deliberate defects of the catalogue (catalogue.ts, `parseDefects`); default none. They replace `recipe`. */
  defects?: Defect[]
}

/** Options of the library's `issueSvid`. */
export type LibraryIssueOptions = IssueOptions & WithDefects
/** Options of the library's `issueToDirectory`, `issueEach` and `issueToPem`. */
export type LibraryIssueToDirectoryOptions = IssueToDirectoryOptions & WithDefects

function withRecipe<T extends WithDefects & {recipe?: IssueOptions['recipe']}>(o: T): Omit<T, 'defects'> {
  // The common call (no defects) passes through untouched: the library's issuance is a hot path.
  if (o.defects === undefined) return o
  const {defects, ...rest} = o
  return defects?.length ? {...rest, recipe: recipeFor(defects)} : rest
}

/** Returns a new X509-SVID (`issueSvid` in svid/issue.ts) that breaks exactly the rules `defects` name. */
export function issueSvidWithDefects(
  authority: Parameters<typeof issueSvid>[0],
  o: LibraryIssueOptions,
): Promise<IssuedSvid> {
  return issueSvid(authority, withRecipe(o))
}

/** Returns the SVIDs written to a directory (`issueToDirectory`), with `defects` built in. */
export function issueToDirectoryWithDefects(o: LibraryIssueToDirectoryOptions): Promise<IssueResult[]> {
  return issueToDirectory(withRecipe(o))
}

/** Yields the SVIDs written to a directory one by one (`issueEach`), with `defects` built in. */
export function issueEachWithDefects(o: LibraryIssueToDirectoryOptions): AsyncGenerator<IssueResult> {
  return issueEach(withRecipe(o))
}

/** Returns one SVID as PEM text (`issueToPem`), with `defects` built in. */
export function issueToPemWithDefects(o: LibraryIssueToDirectoryOptions): ReturnType<typeof issueToPem> {
  return issueToPem(withRecipe(o))
}
