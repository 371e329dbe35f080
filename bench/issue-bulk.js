#!/usr/bin/env node
// Bulk issuance speed (issue 10), side by side in one run and printed as ratios; never a test assertion:
//  1. `issue --count 1000 --out DIR` wall time (files written, keys 0600, each SVID checked), with the
//     default worker threads and with --workers 0, on the disk and on a tmpfs, vs a cfssl gencert loop,
//  2. the worker crossover: `issue --count N` with and without a worker thread for a few N,
//  3. peak and sampled RSS of `issue --count N` (default 100000) to show that it streams.
// The in-process figure (issueSvid vs Node's raw keygen + sign + PKCS#8) is bench/inprocess.js's.
// Run alone (`node bench/issue-bulk.js [--quick] [--rss-count N]`, after `npm run build`) or from bench/run.js
// through `issueBulkBench()`. Needs dist/; cfssl (Debian golang-cfssl) is optional.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
const RUN = join(REPO, 'bin', 'run.js')
const have = (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0

/** Runs a command to completion without blocking the event loop; resolves {status, ms}. */
function timed(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const c = spawn(cmd, args, {stdio: ['ignore', 'ignore', 'pipe'], env})
    let err = ''
    c.stderr.on('data', (d) => (err += d))
    c.on('close', (status) => resolve({status, ms: performance.now() - t0, stderr: err}))
  })
}

/** `issue --count N` into a fresh directory; checks every key is 0600 and every directory complete. */
async function bulkCli(caDir, outDir, count, extra = []) {
  rmSync(outDir, {recursive: true, force: true})
  const r = await timed(process.execPath, [
    RUN,
    'issue',
    '--spiffe-id',
    'spiffe://bench.test/w{n}',
    '--ca',
    caDir,
    '--out',
    join(outDir, '{n}'),
    '--count',
    String(count),
    ...extra,
  ])
  if (r.status !== 0) throw new Error(`issue --count ${count} failed: ${r.stderr}`)
  let complete = 0
  for (const d of readdirSync(outDir)) {
    const files = readdirSync(join(outDir, d)).sort().join(',')
    if (
      files === 'svid.pem,svid_bundle.pem,svid_key.pem' &&
      (statSync(join(outDir, d, 'svid_key.pem')).mode & 0o777) === 0o600
    )
      complete++
  }
  rmSync(outDir, {recursive: true, force: true})
  return {ms: r.ms, complete}
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Median wall ms of `issue --count N` for each flag set, the sets interleaved run by run. */
async function interleaved(caDir, outDir, count, sets, runs) {
  const ms = sets.map(() => [])
  let complete = count
  for (let i = 0; i < runs; i++) {
    for (const [k, extra] of sets.entries()) {
      const r = await bulkCli(caDir, outDir, count, extra)
      ms[k].push(r.ms)
      complete = Math.min(complete, r.complete)
    }
  }
  return {ms: ms.map(median), complete}
}

/** `cfssl gencert` (its own P-256 CA, a P-256 leaf with the SPIFFE ID as a host) run `n` times; null without cfssl. */
async function cfsslLoop(dir, n) {
  if (!have('cfssl')) return null
  writeFileSync(join(dir, 'ca-csr.json'), JSON.stringify({CN: 'bench CA', key: {algo: 'ecdsa', size: 256}}))
  writeFileSync(
    join(dir, 'leaf.json'),
    JSON.stringify({CN: '', hosts: ['spiffe://bench.test/web'], key: {algo: 'ecdsa', size: 256}}),
  )
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({signing: {default: {expiry: '1h', usages: ['digital signature', 'server auth', 'client auth']}}}),
  )
  const ca = JSON.parse(spawnSync('cfssl', ['gencert', '-initca', join(dir, 'ca-csr.json')], {encoding: 'utf8'}).stdout)
  writeFileSync(join(dir, 'ca.pem'), ca.cert)
  writeFileSync(join(dir, 'ca-key.pem'), ca.key)
  const args = [
    '-c',
    `cfssl gencert -ca ${dir}/ca.pem -ca-key ${dir}/ca-key.pem -config ${dir}/config.json ${dir}/leaf.json > ${dir}/out.json 2>/dev/null`,
  ]
  let ms = 0
  for (let i = 0; i < n; i++) {
    const r = await timed('sh', args)
    if (r.status !== 0) return null
    ms += r.ms
  }
  return ms / n
}

/** Peak RSS (and RSS sampled every 500 ms) of `issue --count N`, through a preloaded hook. */
async function rssOf(caDir, outDir, count, dir) {
  const hook = join(dir, 'rss-hook.cjs')
  const report = join(dir, 'rss.json')
  writeFileSync(
    hook,
    `const fs = require('fs'); const samples = [];
const t = setInterval(() => samples.push(process.memoryUsage().rss), 500); t.unref();
process.on('exit', () => fs.writeFileSync(${JSON.stringify(report)}, JSON.stringify({maxRss: process.resourceUsage().maxRSS * 1024, samples})));\n`,
  )
  const env = {...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${hook}`}
  const r = await timed(
    process.execPath,
    [
      RUN,
      'issue',
      '--spiffe-id',
      'spiffe://bench.test/r{n}',
      '--ca',
      caDir,
      '--out',
      join(outDir, '{n}'),
      '--count',
      String(count),
    ],
    env,
  )
  if (r.status !== 0) throw new Error(`issue --count ${count} failed: ${r.stderr}`)
  const {maxRss, samples} = JSON.parse(readFileSync(report, 'utf8'))
  const at = (f) => samples[Math.min(samples.length - 1, Math.floor(f * samples.length))] ?? 0
  return {ms: r.ms, maxRss, quarter: at(0.25), half: at(0.5), end: at(0.99)}
}

/**
 * Wall ms of a Node process that only writes the files of `issue --count 1000` (1000 new
 * directories, three files each of the same sizes, created O_EXCL, the key 0600), with no
 * crypto: the floor the filesystem and Node's start-up set under `outDir`'s filesystem.
 */
async function filesOnly(outDir, sample, runs) {
  const sizes = ['svid.pem', 'svid_key.pem', 'svid_bundle.pem'].map((f) => [f, statSync(join(sample, f)).size])
  const code = `const fs = require('fs'); const files = ${JSON.stringify(sizes)};
for (let n = 1; n <= 1000; n++) { const d = ${JSON.stringify(outDir)} + '/' + n; fs.mkdirSync(d, {recursive: true});
  for (const [f, size] of files) fs.writeFileSync(d + '/' + f, Buffer.alloc(size, 65), {flag: 'wx', mode: f.includes('key') ? 0o600 : 0o644}) }`
  const ms = []
  for (let i = 0; i < runs; i++) {
    rmSync(outDir, {recursive: true, force: true})
    const r = await timed(process.execPath, ['-e', code])
    if (r.status !== 0) throw new Error(`the files-only loop failed: ${r.stderr}`)
    ms.push(r.ms)
  }
  rmSync(outDir, {recursive: true, force: true})
  return median(ms)
}

/**
 * How much faster two threads issue than one on this machine: 400 SVIDs issued in process on
 * one thread, then on two threads at once (400 each), after a warm-up; returns the wall ms
 * and 2 * one / both (2 = perfect).
 * Virtual CPUs may share a physical core or be contended by the host, which bounds what
 * worker threads can gain here whatever svidkit does.
 */
async function threadScaling(dir) {
  const worker = join(dir, 'scaling-worker.mjs')
  writeFileSync(
    worker,
    `import {parentPort} from 'node:worker_threads'
const {createAuthority, issueSvid} = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)})
const {authority} = await createAuthority({trustDomain: 'bench.test'})
for (let i = 0; i < 200; i++) await issueSvid(authority, {spiffeId: 'spiffe://bench.test/w'})
parentPort.postMessage('ready')
await new Promise((r) => parentPort.once('message', r))
const t = performance.now()
for (let i = 0; i < 400; i++) await issueSvid(authority, {spiffeId: 'spiffe://bench.test/w' + i})
parentPort.postMessage(performance.now() - t)
`,
  )
  const {Worker} = await import('node:worker_threads')
  const run = async (k) => {
    const ws = Array.from({length: k}, () => new Worker(worker))
    try {
      await Promise.all(ws.map((w) => new Promise((r) => w.once('message', r))))
      const done = ws.map((w) => new Promise((r) => w.once('message', r)))
      for (const w of ws) w.postMessage('go')
      return Math.max(...(await Promise.all(done)))
    } finally {
      await Promise.all(ws.map((w) => w.terminate()))
    }
  }
  const one = await run(1)
  const two = await run(2)
  return {one, two, scaling: (2 * one) / two}
}

const mb = (b) => `${(b / 1048576).toFixed(0)} MB`

/** Returns the measured rows; `log` prints them as they come. */
export async function issueBulkBench({quick = false, rssCount = quick ? 10_000 : 100_000, log = console.log} = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'svidkit-bench-bulk-'))
  const rows = []
  const row = (what, ours, peer, ratio, note = '') => {
    rows.push({what, ours, peer, ratio: +ratio.toFixed(2), note})
    log(`${what.padEnd(44)} ${ours.padEnd(22)} ${peer.padEnd(30)} ${ratio.toFixed(2).padStart(6)}x  ${note}`)
  }
  try {
    const {initCa, issueToDirectory} = await import('../dist/index.js')
    const caDir = join(tmp, 'ca')
    await initCa({trustDomain: 'bench.test', out: caDir, intermediates: 1})
    const sample = join(tmp, 'sample')
    await issueToDirectory({spiffeId: 'spiffe://bench.test/sample', ca: caDir, out: sample})
    const runs = quick ? 1 : 5
    const both = await interleaved(caDir, join(tmp, 'bulk'), 1000, [[], ['--workers', '0']], runs)
    const bulk = {ms: both.ms[0]}
    const rate = 1000 / (bulk.ms / 1000)
    row(
      'issue --count 1000 (wall, whole process)',
      `${rate.toFixed(0)} SVIDs/s`,
      '1,500 SVIDs/s (goal)',
      rate / 1500,
      `median of ${runs}: ${(bulk.ms / 1000).toFixed(2)} s; ${both.complete}/1000 dirs complete, keys 0600`,
    )
    const diskFloor = await filesOnly(join(tmp, 'floor'), sample, runs)
    row(
      '  the same files, written by a bare Node loop',
      `${(diskFloor / 1000).toFixed(2)} s`,
      `issue --count 1000: ${(bulk.ms / 1000).toFixed(2)} s`,
      bulk.ms / diskFloor,
      'no crypto, same sizes, O_EXCL: the floor of this filesystem; ratio = svidkit / floor',
    )
    // The same run with the files on a tmpfs: on this machine's virtual disk (ext4) creating and
    // removing thousands of directories costs a varying share of system time that is the disk's,
    // not svidkit's; this row shows svidkit's own rate beside it.
    const shm = '/dev/shm'
    let tmpfsMs
    if (existsSync(shm) && statSync(shm).isDirectory()) {
      const mem = mkdtempSync(join(shm, 'svidkit-bench-bulk-'))
      try {
        const onTmpfs = await interleaved(caDir, join(mem, 'bulk'), 1000, [[]], runs)
        tmpfsMs = onTmpfs.ms[0]
        const memRate = 1000 / (onTmpfs.ms[0] / 1000)
        row(
          'issue --count 1000, files on tmpfs',
          `${memRate.toFixed(0)} SVIDs/s`,
          '1,500 SVIDs/s (goal)',
          memRate / 1500,
          `median of ${runs}: ${(onTmpfs.ms[0] / 1000).toFixed(2)} s; ${onTmpfs.complete}/1000 dirs complete, keys 0600`,
        )
        const memFloor = await filesOnly(join(mem, 'floor'), sample, runs)
        row(
          '  the same files on tmpfs, bare Node loop',
          `${(memFloor / 1000).toFixed(2)} s`,
          `issue --count 1000: ${(onTmpfs.ms[0] / 1000).toFixed(2)} s`,
          onTmpfs.ms[0] / memFloor,
          'ratio = svidkit / floor',
        )
      } finally {
        rmSync(mem, {recursive: true, force: true})
      }
    }
    const sc = await threadScaling(tmp)
    row(
      'two issuing threads at once vs one (in process)',
      `${sc.scaling.toFixed(2)}x of one thread`,
      `one: 400 in ${sc.one.toFixed(0)} ms; two: ${sc.two.toFixed(0)} ms`,
      sc.scaling / 2,
      "this machine's parallel speed-up for issuance; ratio = speed-up / 2 (perfect)",
    )
    row(
      'issue --count 1000 --workers 0 (one thread)',
      `${(1000 / (both.ms[1] / 1000)).toFixed(0)} SVIDs/s`,
      `default (workers) ${rate.toFixed(0)} SVIDs/s`,
      both.ms[1] / bulk.ms,
      'ratio = one thread / default wall time',
    )
    for (const n of quick ? [200, 800] : [100, 200, 400, 800]) {
      const x = await interleaved(
        caDir,
        join(tmp, 'cross'),
        n,
        [
          ['--workers', '0'],
          ['--workers', '1'],
        ],
        quick ? 1 : 3,
      )
      row(
        `crossover: --count ${n}, --workers 1 vs 0`,
        `${x.ms[1].toFixed(0)} ms`,
        `--workers 0: ${x.ms[0].toFixed(0)} ms`,
        x.ms[0] / x.ms[1],
        '> 1: the worker pays',
      )
    }
    const cf = await cfsslLoop(tmp, quick ? 10 : 50)
    if (cf !== null)
      row(
        'issue --count 1000 vs cfssl gencert loop',
        `${(bulk.ms / 1000).toFixed(2)} s`,
        `cfssl ${cf.toFixed(0)} ms each -> ${((cf * 1000) / 1000).toFixed(1)} s`,
        (cf * 1000) / bulk.ms,
        `extrapolated; goal >= 40x${tmpfsMs === undefined ? '' : `; with the files on tmpfs ${((cf * 1000) / tmpfsMs).toFixed(1)}x`}`,
      )
    else log('cfssl not installed (Debian golang-cfssl): cfssl comparison skipped')

    const rss = await rssOf(caDir, join(tmp, 'rss'), rssCount, tmp)
    row(
      `issue --count ${rssCount}: peak RSS`,
      mb(rss.maxRss),
      `rss at 25/50/99%: ${mb(rss.quarter)}/${mb(rss.half)}/${mb(rss.end)}`,
      rss.end / Math.max(1, rss.quarter),
      `${((rssCount / rss.ms) * 1000).toFixed(0)} SVIDs/s; ratio = late/early RSS (flat ~ 1)`,
    )
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
  return rows
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick')
  const i = process.argv.indexOf('--rss-count')
  console.log(`${'what'.padEnd(44)} ${'svidkit'.padEnd(22)} ${'reference'.padEnd(30)}  ratio`)
  await issueBulkBench({quick, ...(i > 0 ? {rssCount: Number(process.argv[i + 1])} : {})})
}
