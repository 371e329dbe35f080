// One-shot processes side by side in one run: `node -e 0`, svidkit's start-up-bound commands
// and their peers (openssl, cfssl, mkcert). hyperfine when installed, else an interleaved loop.
// Returns rows {id, label, command, medianMs, cpuMs, runs, peakRssKb}; every run must exit 0.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

const have = (t) => spawnSync('sh', ['-c', `command -v ${t}`], {stdio: 'ignore'}).status === 0

/** Writes the peers' inputs (cfssl config and CSR, a CAROOT for mkcert, an extension file for openssl). */
function preparePeers(tmp, caDir) {
  const dir = join(tmp, 'peers')
  mkdirSync(join(dir, 'caroot'), {recursive: true})
  // cfssl 1.2 reads SEC1 EC keys only; svidkit writes PKCS#8.
  execFileSync('openssl', ['ec', '-in', join(caDir, 'intermediate-1-key.pem'), '-out', join(dir, 'int-key-sec1.pem')], {
    stdio: 'ignore',
  })
  writeFileSync(
    join(dir, 'cfssl-config.json'),
    JSON.stringify({signing: {default: {expiry: '1h', usages: ['digital signature', 'server auth', 'client auth']}}}),
  )
  writeFileSync(
    join(dir, 'csr.json'),
    JSON.stringify({CN: 'web', hosts: ['spiffe://bench.test/web'], key: {algo: 'ecdsa', size: 256}}),
  )
  writeFileSync(join(dir, 'caroot', 'rootCA.pem'), readFileSync(join(caDir, 'root.pem')))
  writeFileSync(join(dir, 'caroot', 'rootCA-key.pem'), readFileSync(join(caDir, 'root-key.pem')), {mode: 0o600})
  writeFileSync(
    join(dir, 'leaf.ext'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=URI:spiffe://bench.test/web\n',
  )
  return dir
}

/**
 * The commands to compare: [id, label, argv, env?]. Peers missing on PATH are left out (and
 * listed); `peers: false` leaves them all out. `node` runs svidkit and `node -e 0` (default: this Node).
 */
export function oneShotCommands({tmp, shm, repo, caDir, svidDir, node = process.execPath, peers = true}) {
  const svidkit = (...args) => [node, join(repo, 'bin', 'run.js'), ...args]
  const cmds = [
    ['node', '`node -e 0`', [node, '-e', '0']],
    ['version', 'svidkit --version', svidkit('--version')],
    [
      'ca-init',
      'svidkit ca init',
      svidkit('ca', 'init', '--trust-domain', 'bench.test', '--out', join(tmp, 'ca-run'), '--force'),
    ],
    [
      'issue',
      'svidkit issue (one P-256 SVID)',
      svidkit(
        'issue',
        '--ca',
        caDir,
        '--spiffe-id',
        'spiffe://bench.test/web',
        '--out',
        join(tmp, 'svid-run'),
        '--force',
      ),
    ],
    // The same two writers with their output on a tmpfs: each writes its files with a fsync
    // (the peers do not), which on this machine's virtual disk costs 2-20 ms a file depending on
    // the moment; on a tmpfs it costs nothing, which leaves svidkit's own cost.
    ...(shm !== undefined
      ? [
          [
            'ca-init-tmpfs',
            'svidkit ca init, output on tmpfs',
            svidkit('ca', 'init', '--trust-domain', 'bench.test', '--out', join(shm, 'ca-run'), '--force'),
          ],
          [
            'issue-tmpfs',
            'svidkit issue, output on tmpfs',
            svidkit(
              'issue',
              '--ca',
              caDir,
              '--spiffe-id',
              'spiffe://bench.test/web',
              '--out',
              join(shm, 'svid-run'),
              '--force',
            ),
          ],
        ]
      : []),
    [
      'verify',
      'svidkit verify',
      svidkit('verify', join(svidDir, 'svid.pem'), '--bundle', `bench.test=${join(caDir, 'bundle.pem')}`),
    ],
    ['inspect', 'svidkit inspect', svidkit('inspect', join(svidDir, 'svid.pem'))],
  ]
  const missing = []
  if (!peers) return {cmds, missing}
  if (have('openssl')) {
    const p = preparePeers(tmp, caDir)
    const req = `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /O=bench -keyout ${p}/k.pem -out ${p}/r.csr`
    const x509 = `openssl x509 -req -in ${p}/r.csr -CA ${caDir}/intermediate-1.pem -CAkey ${caDir}/intermediate-1-key.pem -set_serial 1 -days 1 -extfile ${p}/leaf.ext -out ${p}/c.pem`
    cmds.push([
      'openssl-issue',
      'openssl req + openssl x509 (via sh -c)',
      ['sh', '-c', `${req} 2>/dev/null && ${x509} 2>/dev/null`],
    ])
    cmds.push([
      'openssl-verify',
      'openssl verify',
      [
        'openssl',
        'verify',
        '-CAfile',
        join(caDir, 'root.pem'),
        '-untrusted',
        join(svidDir, 'svid.pem'),
        join(svidDir, 'svid.pem'),
      ],
    ])
    cmds.push([
      'openssl-text',
      'openssl x509 -text',
      ['openssl', 'x509', '-in', join(svidDir, 'svid.pem'), '-noout', '-text'],
    ])
    if (have('cfssl'))
      cmds.push([
        'cfssl',
        'cfssl gencert (ECDSA P-256)',
        [
          'cfssl',
          'gencert',
          '-loglevel',
          '5',
          '-ca',
          join(caDir, 'intermediate-1.pem'),
          '-ca-key',
          join(p, 'int-key-sec1.pem'),
          '-config',
          join(p, 'cfssl-config.json'),
          join(p, 'csr.json'),
        ],
      ])
    else missing.push('cfssl (Debian golang-cfssl)')
    if (have('mkcert'))
      cmds.push([
        'mkcert',
        'mkcert -ecdsa',
        ['mkcert', '-ecdsa', '-cert-file', join(p, 'm.pem'), '-key-file', join(p, 'mk.pem'), 'spiffe://bench.test/web'],
        {CAROOT: join(p, 'caroot')},
      ])
    else missing.push('mkcert (Debian mkcert)')
  } else missing.push('openssl', 'cfssl', 'mkcert')
  return {cmds, missing}
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)

function withHyperfine(cmds, runs, tmp) {
  const out = join(tmp, 'hyperfine.json')
  const args = ['-N', '--style', 'none', '--warmup', '2', '--runs', String(runs), '--export-json', out]
  for (const [, , argv, env] of cmds) {
    const envPrefix = env ? ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)] : []
    args.push([...envPrefix, ...argv].map(quote).join(' '))
  }
  execFileSync('hyperfine', args, {stdio: ['ignore', 'ignore', 'inherit'], timeout: 30 * 60_000})
  const results = JSON.parse(readFileSync(out, 'utf8')).results
  return results.map((r) => ({medianMs: r.median * 1000, cpuMs: (r.user + r.system) * 1000, runs: r.times.length}))
}

/** Without hyperfine: every round runs each command once, in turn, so load changes hit them all alike. */
function interleaved(cmds, runs) {
  const times = cmds.map(() => [])
  for (let round = -2; round < runs; round++)
    cmds.forEach(([id, , argv, env], i) => {
      const t0 = performance.now()
      const r = spawnSync(argv[0], argv.slice(1), {stdio: 'ignore', env: {...process.env, ...env}})
      if (r.status !== 0) throw new Error(`${id} exited ${r.status}`)
      if (round >= 0) times[i].push(performance.now() - t0)
    })
  return times.map((t) => ({medianMs: median(t), cpuMs: null, runs: t.length}))
}

/** Peak RSS (kB) of one run, from GNU time; null without /usr/bin/time. */
function peakRss(argv, env) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], {
    encoding: 'utf8',
    env: {...process.env, ...env},
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  if (r.error || r.status !== 0) return null
  return Number(r.stderr.trim().split('\n').pop())
}

export function measureOneShots(opts) {
  const {cmds, missing} = oneShotCommands(opts)
  for (const dir of ['ca-run', 'svid-run']) rmSync(join(opts.tmp, dir), {recursive: true, force: true})
  const tool = have('hyperfine') ? 'hyperfine' : 'interleaved loop'
  const timed = tool === 'hyperfine' ? withHyperfine(cmds, opts.runs, opts.tmp) : interleaved(cmds, opts.runs)
  const rows = cmds.map(([id, label, argv, env], i) => ({
    id,
    label,
    command: argv.join(' '),
    ...timed[i],
    peakRssKb: peakRss(argv, env),
  }))
  return {tool, rows, missing}
}
