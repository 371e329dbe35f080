/**
 * svidkit's own harness: judges every case with the same code as `verify` and `jwt verify`
 * (materials written to a private temp directory and read back through the real loaders).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {isSvidkitError} from '../errors.js'
import {loadJwtBundles} from '../jwt/jwt-bundle.js'
import {verifyJwtSvid} from '../jwt/verify.js'
import {verifyFiles} from '../verify/verify-files.js'
import type {CaseResult, HarnessResults} from './results.js'
import type {Suite, Testcase} from './suite.js'

function write(dir: string, name: string, data: string): string {
  const path = join(dir, name)
  writeFileSync(path, data, {mode: 0o600, flag: 'wx'})
  return path
}

function judgeX509(t: Testcase, dir: string): {ok: boolean; code: string; id: string | null} {
  const chain = write(dir, 'chain.pem', [t.peer_certificate, ...t.untrusted_intermediates].join(''))
  const key = t.peer_certificate_key ? write(dir, 'key.pem', t.peer_certificate_key) : undefined
  const bundles = t.spiffe_bundles
    ? Object.entries(t.spiffe_bundles).map(
        ([td, doc], i) => `${td}=${write(dir, `bundle-${i}.json`, JSON.stringify(doc))}`,
      )
    : Object.entries(t.x509_bundles).map(([td, pems], i) => `${td}=${write(dir, `bundle-${i}.pem`, pems.join(''))}`)
  const r = verifyFiles({
    file: chain,
    key,
    bundles,
    expectIds: t.authorized_ids.length ? t.authorized_ids : undefined,
    at: new Date(t.validation_time),
    strict: t.features.some((x) => x.startsWith('spiffe-strict')),
  })
  return {ok: r.valid, code: r.errors[0]?.code ?? 'valid', id: r.spiffeId}
}

function judgeJwt(t: Testcase, dir: string): {ok: boolean; code: string; id: string | null} {
  const specs = Object.entries(t.jwt_bundles ?? {}).map(
    ([td, doc], i) => `${td}=${write(dir, `jwt-${i}.json`, JSON.stringify(doc))}`,
  )
  const r = verifyJwtSvid(t.token ?? '', {
    audience: t.audience ?? [],
    bundles: loadJwtBundles(specs),
    at: new Date(t.validation_time),
    expectIds: t.authorized_ids.length ? t.authorized_ids : undefined,
  })
  return {ok: r.valid, code: r.errors[0]?.code ?? 'valid', id: r.spiffeId}
}

/** Returns svidkit's judgement of one case; `context` is the reason code (or `valid <ID>`). */
export function judgeCase(t: Testcase): CaseResult {
  const dir = mkdtempSync(join(tmpdir(), 'svidkit-conformance-'))
  try {
    const v = t.svid_kind === 'jwt' ? judgeJwt(t, dir) : judgeX509(t, dir)
    const idOk = !v.ok || t.expected_spiffe_id === null || v.id === t.expected_spiffe_id
    return {
      id: t.id,
      actual_result: v.ok && idOk ? 'SUCCESS' : 'FAILURE',
      context: v.ok ? (idOk ? `valid ${v.id}` : `valid but ID ${v.id}`) : v.code,
    }
  } catch (err) {
    // Unreadable bundles and the like are refusals too (exit 3 in the CLI).
    if (!isSvidkitError(err)) throw err
    return {id: t.id, actual_result: 'FAILURE', context: err.code}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** Returns svidkit's results for a whole suite (the `conformance harness` command). */
export function runSvidkitHarness(suite: Suite, version: string): HarnessResults {
  return {version: 1, harness: `svidkit-${version}`, results: suite.testcases.map(judgeCase)}
}
