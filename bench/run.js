#!/usr/bin/env node
// npm run bench [-- --quick] [-- --docs]: svidkit side by side with `node -e 0` and its peers
// (openssl, cfssl, mkcert) in ONE run on this machine; medians, printed as ratios. Writes
// bench/results.json; with --docs also docs/benchmarks.md. Builds first (package.json).
// Numbers are measurements, never test assertions. --quick: few runs, a smoke test.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {initCa, issueToDirectory} from '../dist/index.js'
import {measureOneShots} from './oneshot.js'
import {findOtherNode, measureOtherNode} from './other-node.js'
import {handshakes, issuance} from './inprocess.js'
import {printReport, markdownReport} from './report.js'

const quick = process.argv.includes('--quick')
const docs = process.argv.includes('--docs')
const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const have = (t) => spawnSync('sh', ['-c', `command -v ${t}`], {stdio: 'ignore'}).status === 0
const version = (cmd, args) =>
  have(cmd) ? execFileSync(cmd, args, {encoding: 'utf8'}).split('\n')[0].trim() : 'absent'

const tmp = mkdtempSync(join(tmpdir(), 'svidkit-bench-'))
// A tmpfs for the writers' one-shot rows (bench/oneshot.js), when the machine has one.
const shm = existsSync('/dev/shm') ? mkdtempSync(join('/dev/shm', 'svidkit-bench-')) : undefined
const cleanUp = () => {
  rmSync(tmp, {recursive: true, force: true})
  if (shm) rmSync(shm, {recursive: true, force: true})
}
process.once('SIGINT', () => {
  cleanUp()
  process.exit(130)
})

/** Runs another helper's bench script when it exists; its output is reported verbatim. */
function external(name) {
  const path = join(repo, 'bench', name)
  if (!existsSync(path)) {
    console.log(`skipped bench/${name}: not present`)
    return {name, skipped: true}
  }
  console.log(`running bench/${name}${quick ? ' --quick' : ''} …`)
  const r = spawnSync(process.execPath, [path, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    timeout: 20 * 60_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return {name, skipped: false, status: r.status, output: (r.stdout ?? '').trimEnd()}
}

try {
  const machine = {
    date: new Date().toISOString(),
    nproc: execFileSync('nproc', {encoding: 'utf8'}).trim(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    openssl: version('openssl', ['version']),
    cfssl: have('cfssl')
      ? execFileSync('cfssl', ['version'], {encoding: 'utf8'}).split('\n')[0].replace('Version: ', '')
      : 'absent',
    mkcert: version('mkcert', ['-version']),
    hyperfine: version('hyperfine', ['--version']),
    loadBefore: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  }
  const caDir = join(tmp, 'ca')
  await initCa({trustDomain: 'bench.test', out: caDir, intermediates: 1})
  // openssl s_time sends only the leaf of -cert: handshake benches use a CA without intermediates.
  const flatCa = join(tmp, 'flat-ca')
  await initCa({trustDomain: 'bench.test', out: flatCa, intermediates: 0})
  const svidDir = join(tmp, 'svid')
  await issueToDirectory({spiffeId: 'spiffe://bench.test/web', ca: caDir, out: svidDir})

  console.log(`one-shot processes (${quick ? 5 : 20} runs each) …`)
  const oneShot = measureOneShots({tmp, shm, repo, caDir, svidDir, runs: quick ? 5 : 20})
  const second = findOtherNode()
  let otherNode = {skipped: second.why}
  if (second.path) {
    console.log(`one-shot processes on ${second.version} (${quick ? 5 : 20} runs each) …`)
    otherNode = measureOtherNode({tmp, shm, repo, caDir, svidDir, runs: quick ? 5 : 20, node: second})
  } else console.log(`no second Node: ${second.why}`)
  console.log('in-process issuance …')
  const issue = await issuance(quick)
  console.log('in-process mTLS handshakes …')
  const hs = await handshakes({tmp, flatCa, quick, haveOpenssl: have('openssl')})
  const externals = [external('issue-bulk.js'), external('race-target.js')]
  machine.loadAfter = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  const results = {
    quick,
    machine,
    oneShot,
    otherNode,
    issue,
    handshakes: hs,
    externals,
    benchPeakRssKb: process.resourceUsage().maxRSS,
  }

  printReport(results)
  writeFileSync(join(repo, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n')
  if (docs) {
    writeFileSync(join(repo, 'docs', 'benchmarks.md'), markdownReport(results))
    console.log('wrote docs/benchmarks.md')
  }
} finally {
  cleanUp()
}
