import {statSync} from 'node:fs'
import {join} from 'node:path'
import type {Clock} from '../clock.js'
import {loadAuthority} from '../ca/store.js'
import {bundleAuthorities} from '../ca/authority.js'
import type {SvidFileNames} from '../fs/layout.js'
import {currentSet} from '../rotate/content.js'
import {defaultKnobs} from '../rotate/knobs.js'
import {Ops} from '../rotate/ops.js'
import {rotate} from '../rotate/rotate.js'
import {WRITERS, type SetFile, type WriterMode} from '../rotate/writers/index.js'
import {singleBundleSet} from '../bundle/single-set.js'
import {verifySvid} from '../verify/verify.js'
import {keyMatches, readPrivateKey} from '../x509/keys.js'
import {readCertificates} from '../x509/read.js'

/** The directory's set as the race found it: the bytes and modes it restores with `--restore`. */
interface DirSnapshot {
  files: SetFile[]
}

function modeOf(path: string): number {
  try {
    return statSync(path).mode & 0o777
  } catch {
    return 0o600
  }
}

/** Returns the set in `dir` now (bytes and modes by file), before the race writes anything. */
export function snapshotDir(dir: string, names: SvidFileNames): DirSnapshot {
  const now = currentSet(dir, names)
  const files: SetFile[] = []
  if (now.cert)
    files.push({
      name: names.cert,
      data: now.cert,
      mode: modeOf(join(dir, names.cert)),
      roles: names.combined ? ['cert', 'key'] : ['cert'],
    })
  if (now.key && !names.combined)
    files.push({name: names.key, data: now.key, mode: modeOf(join(dir, names.key)), roles: ['key']})
  if (now.bundle)
    files.push({name: names.bundle, data: now.bundle, mode: modeOf(join(dir, names.bundle)), roles: ['bundle']})
  return {files}
}

/**
 * Returns undefined when `dir` holds a complete, valid set from `ca` (the key matches the leaf,
 * the chain verifies against the CA's bundle and against the bundle file), else why not.
 */
export function setProblem(dir: string, names: SvidFileNames, ca: string, at: Date): string | undefined {
  try {
    const now = currentSet(dir, names)
    if (!now.cert || !now.key || !now.bundle) return 'a file of the set is missing'
    const chain = readCertificates(now.cert, names.cert)
    const key = readPrivateKey(now.key, names.key)
    if (!keyMatches(key.keyObject, chain[0].node)) return 'the key does not match the certificate'
    const authority = loadAuthority(ca)
    const td = authority.trustDomain.name
    const pool = [...chain, ...authority.intermediates.map((c) => c.cert)]
    const byCa = verifySvid({chain: pool, bundles: singleBundleSet(td, bundleAuthorities(authority)), at})
    if (!byCa.valid) return `the SVID does not verify with --ca: ${byCa.errors[0].message}`
    const byFile = verifySvid({
      chain: pool,
      bundles: singleBundleSet(td, readCertificates(now.bundle, names.bundle)),
      at,
    })
    if (!byFile.valid) return `the SVID does not verify with the bundle file: ${byFile.errors[0].message}`
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

/** Writes `files` into `dir` the way `mode` writes (one complete set, default knobs, no events kept). */
async function writeSet(dir: string, mode: WriterMode, files: SetFile[], clock: Clock): Promise<void> {
  const ops = new Ops({
    rotation: 0,
    writer: mode,
    clock,
    sink: () => undefined,
    knobs: defaultKnobs(),
    hooks: {},
    changes: new Set(['cert', 'key', 'bundle']),
  })
  await WRITERS[mode]({dir, files, ops, knobs: defaultKnobs()})
  await Promise.all(ops.pending)
}

/** How the race left --dir (docs/race.md "Leaving the directory"). */
type DirLeft = 'last-rotation' | 'repaired' | 'restored'

/**
 * Leaves `dir` complete: with `restore`, the original bytes go back (written by the race's writer
 * mode); otherwise the writer's last set stays when it is complete and valid, and an incomplete
 * one (an interrupt mid-set, a --fail-after) is replaced by a fresh SVID from `ca`.
 */
export async function leaveDirectory(o: {
  dir: string
  names: SvidFileNames
  ca: string
  mode: WriterMode
  layout?: import('../fs/layout.js').LayoutName
  spiffeId: string
  snapshot: DirSnapshot
  restore: boolean
  clock: Clock
}): Promise<{left: DirLeft; problem?: string}> {
  if (o.restore) {
    await writeSet(o.dir, o.mode, o.snapshot.files, o.clock)
    return {left: 'restored'}
  }
  const problem = setProblem(o.dir, o.names, o.ca, o.clock.now())
  if (problem === undefined) return {left: 'last-rotation'}
  await rotate({
    dir: o.dir,
    ca: o.ca,
    mode: o.mode,
    layout: o.layout,
    names: {cert: o.names.cert, key: o.names.key, bundle: o.names.bundle},
    spiffeId: o.spiffeId,
    knobs: defaultKnobs(),
    sink: () => undefined,
    clock: o.clock,
    force: true,
  })
  return {left: 'repaired', problem}
}
