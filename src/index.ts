/**
 * svidkit as a library: the same core the commands use, with no oclif import.
 * Create a trust domain, issue X509-SVIDs in memory or to a directory, and verify them.
 *
 * ESM only: load it with `import` (from CommonJS, `await import("svidkit")`).
 *
 * @example
 * import {createAuthority, issueSvid} from 'svidkit'
 * const {authority} = await createAuthority({trustDomain: 'example.org'})
 * const {svid, bundle} = await issueSvid(authority, {spiffeId: 'spiffe://example.org/web'})
 */
export {
  SvidkitError,
  isSvidkitError,
  REASON_EXIT,
  type ReasonCode,
  type ExitCode,
  type SvidkitErrorOptions,
} from './core/errors.js'
export {systemClock, fixedClock, type Clock} from './core/clock.js'
export {parseDuration, formatDuration} from './core/time/duration.js'
export {parseInstant, formatInstant} from './core/time/instant.js'
export * from './core/spiffe-id/index.js'
export {KEY_TYPES, parseKeyType, type KeyType} from './core/x509/key-type.js'
export {
  parseCertificateDer,
  type ParsedCertificate,
  type ConstraintName,
  type ExtensionInfo,
  type KeyUsageName,
  type NameConstraintsInfo,
} from './core/x509/certificate.js'
export {type CertificateTemplate} from './core/x509/build.js'
export {type CertificateSummary} from './core/x509/summary.js'
export {readCertificates} from './core/x509/read.js'
export {readPrivateKey, keyMatches, type PrivateKeyMaterial, type KeyPair} from './core/x509/keys.js'
export {
  type Authority,
  type CaCredential,
  type JwtCredential,
  signingCredential,
  chainAboveLeaf,
  bundleAuthorities,
} from './core/ca/authority.js'
export {createAuthority, type CreateAuthorityOptions, type CreatedAuthority} from './core/ca/create.js'
export {saveAuthority, loadAuthority} from './core/ca/store.js'
export {initCa, type CaInitResult} from './core/ca/init.js'
// The issuance options as core/svid takes them: a recipe (core/svid/recipe.ts) instead of defects.
export {type IssuedSvid, type IssueOptions as RecipeIssueOptions} from './core/svid/issue.js'
export {
  type IssueResult,
  type OutputLayout,
  type IssueToDirectoryOptions as RecipeIssueToDirectoryOptions,
} from './core/svid/issue-files.js'
// The library's issuance takes `defects` beside the options (core/defects/library.ts).
export {
  issueSvidWithDefects as issueSvid,
  issueToDirectoryWithDefects as issueToDirectory,
  issueEachWithDefects as issueEach,
  issueToPemWithDefects as issueToPem,
  type LibraryIssueOptions as IssueOptions,
  type LibraryIssueToDirectoryOptions as IssueToDirectoryOptions,
  type WithDefects,
} from './core/defects/library.js'
export {type LeafRecipe, type LeafContext, type LeafSigner, type LeafResult, type LeafNote} from './core/svid/recipe.js'
export {
  LAYOUTS,
  fileNames,
  resolveLayout,
  detectLayouts,
  type LayoutName,
  type SvidFileNames,
  type ResolvedLayout,
  type ResolveLayoutOptions,
} from './core/fs/layout.js'
export {readSvidInput, containerKind, type SvidInput, type SvidInputOptions} from './core/container/svid-input.js'
export {readPkcs12, type Pkcs12Contents} from './core/container/pkcs12-read.js'
export {parseK8sSecrets, type K8sSecret} from './core/container/k8s-secret-read.js'
export {importCa, type ImportCaOptions, type CaImportResult} from './core/ca/import.js'
export {defaultCaDir} from './core/ca/ca-dir.js'
export {writeSvidDir, chainPem, keyPem} from './core/svid/write.js'
export {type X509Svid} from './core/svid/svid.js'
export {singleBundleSet} from './core/bundle/single-set.js'
export * from './core/bundle/index.js'
export {verifySvid, type VerifyInput} from './core/verify/verify.js'
export {verifyChain, type VerifyChainOptions, type CertificateInput} from './core/verify/chain.js'
export {type VerifyResult, type Check, type Failure} from './core/verify/result.js'
export {DEFECTS, parseDefects, recipeFor, type Defect, type DefectPlan} from './core/defects/index.js'
export {defectCatalogue, DEFECT_FAMILIES, type DefectEntry, type DefectFamily} from './core/defects/list.js'
export {verifyFiles, type VerifyFilesOptions} from './core/verify/verify-files.js'
export {
  inspectFile,
  type InspectedFile,
  type InspectedCertificate,
  type InspectOptions,
} from './core/inspect/inspect.js'
export {rotate, type RotateOptions, type RotationSummary} from './core/rotate/rotate.js'
export {defaultKnobs, type Knobs, type FileRole} from './core/rotate/knobs.js'
export {type OpsHooks} from './core/rotate/ops.js'
export {type SignalTarget} from './core/rotate/signal.js'
export {WRITER_MODES, type WriterMode} from './core/rotate/writers/index.js'
export {type RotateEvent, type RotateStep, type WindowKind, type EventSink} from './core/rotate/events.js'
export {runWatch, type WatchOptions, type WatchSummary} from './core/watch/run.js'
export {STRATEGIES, createConsumer} from './core/watch/strategies.js'
export {ReferenceConsumer, type ReferenceOptions} from './core/watch/reference.js'
export {type WatchEvent, type WatchEventType, type WatchSink, type Consumer} from './core/watch/events.js'
export {type LoadedSet, type RawSet} from './core/watch/material.js'
export {type NaiveOptions} from './core/watch/naive/base.js'
export {rotateIntermediate, rotateRoot} from './core/ca/rotate.js'
export {clientHandshake, ROUND_TRIP_REQUEST, type ClientOptions, type HandshakeResult} from './core/handshake/client.js'
export {type HandshakeFailure} from './core/handshake/alerts.js'
export {type TlsVersionChoice} from './core/handshake/tls-options.js'
export {SvidServer, type ServerOptions, type ServerReload, type ServerCredentials} from './core/handshake/server.js'
export {type ServerEvent, type ServerSink} from './core/handshake/server-events.js'
export {runClient, loadCredentials, parseTarget, type RunClientOptions} from './core/handshake/run-client.js'
export {runServer, parseListen, type RunServerOptions, type ServerSummary} from './core/handshake/run-server.js'
export {runLocalRace, type LocalRaceOptions} from './core/race/local/race.js'
export {type RaceReport} from './core/race/local/report.js'
export {type RaceReportBase, type Spread} from './core/race/report-base.js'
export {type ResourceSample} from './core/race/local/stats.js'
export {runTargetRace, type TargetRaceOptions} from './core/race/target-race.js'
export {RACE_DEFAULTS} from './core/race/defaults.js'
export {type RotationRow} from './core/race/convergence.js'
export {type WriterStep} from './core/race/writer-job.js'
export {type TargetRaceReport, RACE_CAUSES} from './core/race/target-report.js'
export {parseReload, type ReloadTrigger, type ReloadResult} from './core/race/reload.js'
export {
  signJwtSvid,
  planJwtSvid,
  signPlan,
  DEFAULT_JWT_TTL_MS,
  type JwtSvidOptions,
  type TokenPlan,
  type SigningMode,
} from './core/jwt/sign.js'
export {verifyJwtSvid, DEFAULT_JWT_SKEW_MS, type JwtVerifyOptions, type JwtVerifyResult} from './core/jwt/verify.js'
export {
  loadJwtBundles,
  parseJwtJwks,
  type JwtBundle,
  type JwtBundleSet,
  type JwtAuthorityKey,
  type OtherEntry,
} from './core/jwt/jwt-bundle.js'
export {createJwtKey, jwtKeyOf, jwkThumbprint, jwtBundleEntry, type JwtKey} from './core/jwt/jwt-key.js'
export {JWT_DEFECTS, parseJwtDefects, type JwtDefect, type DefectContext} from './core/jwt/defects.js'
export {issueJwtFromCa, type IssueJwtOptions, type IssuedJwt} from './core/ca/issue-jwt.js'
export {buildSuite, generateSuite} from './core/conformance/generate.js'
export {runConformance, type RunConformanceOptions} from './core/conformance/run.js'
export {score, type Scorecard, type Disagreement, type FamilyScore} from './core/conformance/score.js'
export {runSvidkitHarness, judgeCase} from './core/conformance/svidkit-harness.js'
export {type Suite, type Testcase, FAMILIES, type Family, type Level} from './core/conformance/suite.js'
export {type HarnessResults, type CaseResult, type ActualResult} from './core/conformance/results.js'
export {seededKeyPair, seededBytes, SEEDED_WARNING} from './core/x509/seeded.js'
export type {CaWriteOptions} from './core/ca/swap.js'
export type {ProbeSpec, StatusSet} from './core/handshake/client-probe.js'
