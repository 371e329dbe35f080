// Renders bench results: a console summary and docs/benchmarks.md. Goals are issue 10's
// (start-up within +80 ms of `node -e 0`, issuance at 70 % of raw Node crypto, handshakes at
// half the openssl pair); they are printed beside the figures, never asserted.
const ms = (x) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(1) : x.toFixed(0))
const ratio = (x) => (x === null || x === undefined ? '–' : `${x.toFixed(2)}×`)
const signed = (x) => `${x >= 0 ? '+' : ''}${ms(x)}`
const mb = (kb) => (kb ? (kb / 1024).toFixed(0) : '–')

const ONE_SHOT = ['version', 'ca-init', 'issue', 'verify', 'inspect']
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
    ['one process', 'median ms', 'over `node -e 0`', '× node', 'CPU ms (user+sys)', 'peak RSS MB', 'goal +80 ms (stretch +50)'],
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

function md(rows) {
  const [head, ...body] = rows
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

function text(rows) {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)))
  return rows.map((r) => r.map((v, c) => String(v).padEnd(w[c])).join('  ')).join('\n')
}

export function printReport(r) {
  const t = tables(r)
  const m = r.machine
  console.log(`\n${m.nproc} cores, ${m.cpu}, node ${m.node}, ${m.openssl}; load ${m.loadBefore} → ${m.loadAfter}; ${r.oneShot.tool}`)
  console.log(`\n${text(t.oneShot)}\n\n${text(t.peers)}\n\n${text(t.inProcess)}`)
  if (r.oneShot.missing.length) console.log(`\nleft out (not on PATH): ${r.oneShot.missing.join(', ')}`)
  for (const e of r.externals) console.log(e.skipped ? `\nbench/${e.name}: skipped (not present)` : `\nbench/${e.name} (exit ${e.status}):\n${e.output}`)
  console.log(`\nbench process peak RSS: ${mb(r.benchPeakRssKb)} MB`)
}

export function markdownReport(r) {
  const t = tables(r)
  const m = r.machine
  const ext = r.externals
    .map((e) =>
      e.skipped ? `- \`bench/${e.name}\`: not present in this run (skipped).` : `### bench/${e.name} (exit ${e.status})\n\n\`\`\`\n${e.output}\n\`\`\``,
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

## Start-up before and after the start-up work (one separate run)

One hyperfine run (10 runs each, 2026-11-29 19:58 UTC, same machine, load average 4–6 on
2 cores: wall times are inflated and noisy; CPU time is steadier) of the tree before this work
(commit 5e85f5d) and after it, in one hyperfine invocation. Medians of wall time, means of
user+system CPU (all threads), in ms:

| command | before: wall | before: CPU | after: wall | after: CPU |
|---|---|---|---|---|
| \`node -e 0\` | 137 | 118 | 137 | 118 |
| \`--version\` | 531 | 458 | 116 | 117 |
| \`ca init\` | 803 | 787 | 433 | 465 |
| \`issue\` (one SVID) | 855 | 826 | 428 | 478 |
| \`verify\` | 531 | 731 | 371 | 383 |
| \`inspect\` | 557 | 749 | 313 | 358 |

## Where start-up time goes, and what each command loads

A one-shot command's cost is a whole Node process. What it loads is fixed by
\`test/structure/import-graph.test.ts\` (structural, not timed):

- \`--version\` is answered by \`bin/run.js\` from \`package.json\` alone, in the same text as
  oclif's (\`svidkit/VERSION PLATFORM-ARCH node-vX\`): no oclif, no command module.
- Every other command goes through oclif, which reads \`oclif.manifest.json\` and imports only
  the command that runs; \`--help\` is rendered from the manifest without loading any command.
- \`npm run build\` bundles the start-up path with esbuild (\`scripts/bundle.js\`): each command
  and the oclif entry that \`bin/run.js\` imports become ESM bundles sharing split chunks in
  \`dist/chunks/\`, so a command loads one copy of oclif from a few files instead of several
  hundred small CommonJS and ESM files. The library (\`dist/index.js\`) and its type
  declarations stay as tsc writes them, so \`import … from 'svidkit'\` is unchanged.
- \`verify\` and \`inspect\` load no \`node:tls\`, no chokidar, no rotation, watch or handshake
  code, and neither \`@peculiar/x509\` nor the \`reflect-metadata\` polyfill. Certificates are
  decoded with the \`@peculiar/asn1-x509\` schemas and Node's \`X509Certificate\`; names are
  written in RFC 4514 form by \`core/x509/name-text.ts\`, which matches \`@peculiar/x509\`'s
  \`Name\` output (checked by \`test/structure/name-text.test.ts\`).
- \`@peculiar/x509\` (RFC 4514 text to DER for subjects, CSRs) is loaded on first use by
  \`core/x509/provider.ts\`, which installs the Reflect polyfill it needs at that moment: importing
  the library (\`import … from 'svidkit'\`) installs no global polyfill.

What remains is mostly running oclif's own start-up (reading its configuration, the
manifest and the help plugin's) and defining the ASN.1 schema classes certificate parsing needs.
`
}
