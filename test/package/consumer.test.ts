/**
 * svidkit used as a library by a TypeScript project: a consumer file compiled with
 * `tsc --strict` against the built package (dist/*.d.ts, resolved through package.json
 * "exports" as a dependency would be), and a walk of the declarations that fails when a
 * type used by an exported signature is not exported itself.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {suiteTmpDir} from '../helpers/tmp.js'
import {missingExports} from './public-types.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DIST = path.join(ROOT, 'dist')
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc')

/** Uses the types that consumers need to name, each in a position only an export allows. */
const CONSUMER = `
import {
  SvidServer, clientHandshake, createAuthority, issueSvid, verifySvid, singleBundleSet, isSvidkitError,
  type ServerSink, type ServerEvent, type TlsVersionChoice, type ServerOptions, type ClientOptions,
  type HandshakeResult, type VerifyResult, type IssuedSvid, type ReasonCode, type RotateOptions,
  type WatchOptions, type RaceReport, type ParsedCertificate, type ExtensionInfo, type Knobs,
} from 'svidkit'

const events: ServerEvent[] = []
export const sink: ServerSink = (e) => void events.push(e)
export const version: TlsVersionChoice = 'TLSv1.3'
export type Options = Pick<ServerOptions, 'tlsVersion'> & Partial<ClientOptions>
export type Latency = RaceReport['latency']
export type Extensions = ParsedCertificate['extensions'][number] extends ExtensionInfo ? true : never
export type Hooks = RotateOptions['knobs'] | WatchOptions['sink'] | Knobs
export const unusedServer: typeof SvidServer | undefined = undefined
export const unusedClient: typeof clientHandshake | undefined = undefined

export async function check(): Promise<ReasonCode | 'ok'> {
  const {authority} = await createAuthority({trustDomain: 'example.org'})
  const {svid, bundle}: {svid: IssuedSvid['svid']; bundle: IssuedSvid['bundle']} = await issueSvid(authority, {spiffeId: 'spiffe://example.org/web'})
  const result: VerifyResult = verifySvid({chain: svid.certificates, key: svid.privateKey, bundles: singleBundleSet('example.org', bundle), at: new Date()})
  return result.errors[0]?.code ?? 'ok'
}

export function reason(err: unknown): string {
  return isSvidkitError(err) ? err.code : 'not svidkit'
}

export type Outcome = HandshakeResult['ok']
`

describe('the package as a TypeScript dependency', () => {
  const tmp = suiteTmpDir()

  it('every type used by an exported signature is exported', () => {
    expect(existsSync(path.join(DIST, 'index.d.ts')), 'dist/index.d.ts (run npm run build)').toBe(true)
    const missing = missingExports(DIST, path.join(DIST, 'index.d.ts'))
    expect(missing.map((m) => `${m.name} (${m.declaredIn}, used by ${m.usedBy})`)).toEqual([])
  })

  it('a consumer compiles with tsc --strict against the built types', () => {
    const dir = tmp()
    mkdirSync(path.join(dir, 'node_modules'))
    symlinkSync(ROOT, path.join(dir, 'node_modules/svidkit'), 'dir')
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: 'consumer', type: 'module', private: true}))
    writeFileSync(path.join(dir, 'consumer.ts'), CONSUMER)
    const r = spawnSync(
      process.execPath,
      [
        TSC,
        '--strict',
        '--noEmit',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--typeRoots',
        path.join(ROOT, 'node_modules/@types'),
        '--types',
        'node',
        'consumer.ts',
      ],
      {cwd: dir, encoding: 'utf8', timeout: 120_000},
    )
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})
