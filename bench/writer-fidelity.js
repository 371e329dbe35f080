// Writer fidelity (issue 18 item 3): how long the spiffe-helper writer takes per set, from
// the first open(O_TRUNC) to the last close, beside the same three open/write/close calls
// made bare (what spiffe-helper's os.WriteFile does). Usage: node bench/writer-fidelity.js [N]
// (after npm run build). Prints the median and p90 in ms; docs/rotation.md keeps the figures.
import {closeSync, constants as C, mkdtempSync, openSync, rmSync, writeSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
const DIST = process.env.SVIDKIT_DIST ?? new URL('../dist/', import.meta.url).pathname
const {initCa} = await import(join(DIST, 'core/ca/init.js'))
const {defaultKnobs} = await import(join(DIST, 'core/rotate/knobs.js'))
const {rotate} = await import(join(DIST, 'core/rotate/rotate.js'))

const N = Number(process.argv[2] ?? 200)
const base = mkdtempSync(join(tmpdir(), 'svidkit-fidelity-'))
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return {median: s[Math.floor(s.length / 2)].toFixed(3), p90: s[Math.floor(s.length * 0.9)].toFixed(3)}
}
try {
  const ca = join(base, 'ca')
  await initCa({trustDomain: 'example.org', out: ca})
  const dir = join(base, 'svid')
  const sets = new Map()
  await rotate({
    dir,
    ca,
    mode: 'spiffe-helper',
    spiffeId: 'spiffe://example.org/web',
    knobs: defaultKnobs(),
    count: N + 1,
    sink: (e) => {
      // What `rotate --json` does with every event: one JSON line (to nowhere here).
      JSON.stringify(e)
      if (e.step === 'open' && !sets.has(e.rotation)) sets.set(e.rotation, {first: e.t})
      if (e.step === 'close') sets.get(e.rotation).last = e.t
    },
  })
  // Rotation 1 creates the files: the sets measured are the in-place rewrites after it.
  const ours = [...sets.entries()].filter(([n]) => n > 1).map(([, s]) => s.last - s.first)
  const bare = []
  const data = ['svid.pem', 'svid_key.pem', 'svid_bundle.pem'].map((n) => [join(dir, n), Buffer.alloc(700, 65)])
  for (let i = 0; i < N; i++) {
    const t0 = Number(process.hrtime.bigint()) / 1e6
    for (const [p, b] of data) {
      const fd = openSync(p, C.O_WRONLY | C.O_CREAT | C.O_TRUNC, 0o644)
      writeSync(fd, b)
      closeSync(fd)
    }
    bare.push(Number(process.hrtime.bigint()) / 1e6 - t0)
  }
  // The same through the CLI, events piped as NDJSON (what race and a user's script see).
  const args = `rotate --mode spiffe-helper --spiffe-id spiffe://example.org/web --json --count ${N + 1}`.split(' ')
  const run = spawnSync(process.execPath, [join(DIST, '..', 'bin', 'run.js'), ...args, '--dir', dir, '--ca', ca], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  const cli = new Map()
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{"t"')) continue
    const e = JSON.parse(line)
    if (e.rotation === 1) continue
    if (e.step === 'open' && !cli.has(e.rotation)) cli.set(e.rotation, {first: e.t})
    if (e.step === 'close') cli.get(e.rotation).last = e.t
  }
  const cliMs = [...cli.values()].map((s) => s.last - s.first)
  console.log(
    JSON.stringify({
      sets: N,
      svidkitMs: stats(ours),
      cliMs: cliMs.length ? stats(cliMs) : `${run.status} ${run.stderr.slice(0, 300)} ${run.stdout.slice(0, 300)}`,
      bareOpenWriteCloseMs: stats(bare),
    }),
  )
} finally {
  rmSync(base, {recursive: true, force: true})
}
