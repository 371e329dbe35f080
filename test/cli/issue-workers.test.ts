/**
 * `issue --count` with worker threads (core/svid/issue-pool.ts): ordered and complete output,
 * an error inside a range surfacing as the one-line error with its exit code and no partial
 * SVID, SIGTERM mid-run (exit 143, nothing partial, no temporary file), and the structural
 * rule that no worker starts below WORKER_CROSSOVER. No timing is asserted.
 */
import {spawn} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {initCa} from '../../src/index.js'
import {WORKER_CROSSOVER, workerCount} from '../../src/core/svid/issue-pool.js'
import {REPO, STACK_LINE, jsonOf, runCli} from '../helpers/cli.js'
import {hasOpenssl, run, warnIfMissing} from '../helpers/peers.js'
import {suiteTmpDir} from '../helpers/tmp.js'

warnIfMissing('openssl', hasOpenssl)

const FILES = ['svid.pem', 'svid_bundle.pem', 'svid_key.pem']
const base = suiteTmpDir()
const ca = () => join(base(), 'ca')

beforeAll(async () => {
  await initCa({trustDomain: 'example.org', out: ca(), intermediates: 1})
})

/** Runs `fn` and returns how many worker threads this process started meanwhile (Node's process 'worker' event). */
async function countingWorkers<T>(fn: () => Promise<T>): Promise<{value: T; workers: number}> {
  let workers = 0
  const seen = () => void workers++
  process.on('worker', seen)
  try {
    return {value: await fn(), workers}
  } finally {
    process.off('worker', seen)
  }
}

/** The files of an SVID directory: 'complete' (the three, key 0600), 'absent' (none) or 'partial'. */
function state(dir: string): 'complete' | 'absent' | 'partial' {
  const present = existsSync(dir) ? readdirSync(dir).sort() : []
  if (present.length === 0) return 'absent'
  if (present.join() !== FILES.join()) return 'partial'
  return (statSync(join(dir, 'svid_key.pem')).mode & 0o777) === 0o600 ? 'complete' : 'partial'
}

/** The marker of a bulk run in progress (core/svid/bulk-run.ts): `.svidkit-issue-<fingerprint>.partial`. */
const MARKER = /^\.svidkit-issue-[0-9a-f]{16}\.partial$/

describe('issue --count with worker threads', () => {
  it('workerCount: none below WORKER_CROSSOVER, one per core but the main thread from it on, never more than the cores', () => {
    expect(workerCount(1, undefined, 2)).toBe(0)
    expect(workerCount(WORKER_CROSSOVER - 1, undefined, 8)).toBe(0)
    expect(workerCount(WORKER_CROSSOVER, undefined, 2)).toBe(1)
    expect(workerCount(WORKER_CROSSOVER, undefined, 8)).toBe(7)
    expect(workerCount(WORKER_CROSSOVER, undefined, 1)).toBe(0)
    expect(workerCount(100_000, 64, 4)).toBe(4)
    expect(workerCount(100_000, 0, 4)).toBe(0)
    // Never more workers than ranges to hand out (16 SVIDs each).
    expect(workerCount(20, 4, 8)).toBe(2)
  })

  it(`starts no worker below --count ${WORKER_CROSSOVER}, and starts them from it on`, async () => {
    const below = await countingWorkers(() =>
      runCli([
        'issue',
        '--spiffe-id',
        'spiffe://example.org/b{n}',
        '--ca',
        ca(),
        '--out',
        join(base(), 'below-{n}'),
        '--count',
        String(WORKER_CROSSOVER - 1),
      ]),
    )
    expect(below.value.exit, below.value.stderr).toBe(0)
    expect(below.workers).toBe(0)
    const at = await countingWorkers(() =>
      runCli([
        'issue',
        '--spiffe-id',
        'spiffe://example.org/a{n}',
        '--ca',
        ca(),
        '--out',
        join(base(), 'at-{n}'),
        '--count',
        String(WORKER_CROSSOVER),
      ]),
    )
    expect(at.value.exit, at.value.stderr).toBe(0)
    expect(at.workers).toBe(workerCount(WORKER_CROSSOVER, undefined))
  }, 120_000)

  it('--workers 2: every SVID in order in the JSON array, every file present, keys 0600, each certificate verifies against the CA', async () => {
    const count = 120
    const out = join(base(), 'ordered')
    const {value: r, workers} = await countingWorkers(() =>
      runCli([
        'issue',
        '--spiffe-id',
        'spiffe://example.org/w{n}',
        '--ca',
        ca(),
        '--out',
        out,
        '--count',
        String(count),
        '--workers',
        '2',
        '--json',
      ]),
    )
    expect(r.exit, r.stderr).toBe(0)
    expect(workers).toBeGreaterThan(0)
    const doc = jsonOf(r.stdout) as {
      spiffeId: string
      files: {cert: string; key: string; bundle: string}
      serial: string
    }[]
    expect(doc.map((d) => d.spiffeId)).toEqual(Array.from({length: count}, (_, i) => `spiffe://example.org/w${i + 1}`))
    expect(new Set(doc.map((d) => d.serial)).size).toBe(count)
    for (let n = 1; n <= count; n++) {
      expect(doc[n - 1].files.cert).toBe(join(out, String(n), 'svid.pem'))
      expect(state(join(out, String(n))), `SVID ${n}`).toBe('complete')
    }
    if (hasOpenssl) {
      // openssl verify reads the first certificate of each file: the leaf; -untrusted gives the intermediate.
      const v = run('openssl', [
        'verify',
        '-CAfile',
        join(ca(), 'bundle.pem'),
        '-untrusted',
        join(out, '1', 'svid.pem'),
        ...doc.map((d) => d.files.cert),
      ])
      expect(v.status, v.stderr).toBe(0)
      expect(v.stdout.match(/: OK$/gm)).toHaveLength(count)
    }
  }, 120_000)

  it('an SVID that cannot be issued stops the run with the one-line error and its exit code; the SVIDs before it are complete, none after it is left', async () => {
    // IDs over 2048 bytes are refused (SPIFFE-ID §2.3): this one reaches 2049 bytes at n = 1000.
    const prefix = 'spiffe://example.org/'
    const id = `${prefix}${'a'.repeat(2048 - prefix.length - 3)}{n}`
    const count = 1040
    const out = join(base(), 'failing')
    const {value: r, workers} = await countingWorkers(() =>
      runCli([
        'issue',
        '--spiffe-id',
        id,
        '--ca',
        ca(),
        '--out',
        join(out, '{n}'),
        '--count',
        String(count),
        '--workers',
        '2',
      ]),
    )
    expect(workers).toBeGreaterThan(0)
    expect(r.exit).toBe(2)
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error'))
    expect(errors, r.stderr).toHaveLength(1)
    expect(errors[0]).toMatch(/2048/)
    expect(r.stderr).not.toMatch(STACK_LINE)
    expect(r.stdout.trim().split('\n').at(-1)).not.toMatch(/issued/)
    for (let n = 1; n <= count; n++)
      expect(state(join(out, String(n))), `SVID ${n}`).toBe(n < 1000 ? 'complete' : 'absent')
  }, 120_000)

  it('SIGTERM during a worker run exits 143; every SVID printed is complete, none is partial, no temporary file is left', async () => {
    const out = join(base(), 'term')
    const {DEBUG: _d, NODE_ENV: _e, ...env} = process.env
    const args = [
      'issue',
      '--spiffe-id',
      'spiffe://example.org/t{n}',
      '--ca',
      ca(),
      '--out',
      join(out, '{n}'),
      '--count',
      '50000',
      '--workers',
      '2',
    ]
    const child = spawn(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let lines = 0
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.stdout.on('data', (d: Buffer) => {
      lines += d.toString().split('\n').length - 1
      if (lines >= 600 && !child.killed) child.kill('SIGTERM')
    })
    // Bounded: a run that ignored SIGTERM is killed after 60 s (and then fails below).
    const cap = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    )
    clearTimeout(cap)
    expect({code, signal}, stderr).toEqual({code: 143, signal: null})
    // The run's marker stays (a rerun with the same arguments completes the run, bulk-run.ts); nothing else.
    const all = readdirSync(out)
    expect(all.filter((d) => MARKER.test(d))).toHaveLength(1)
    const dirs = all.filter((d) => !MARKER.test(d))
    expect(dirs.filter((d) => d.startsWith('.'))).toEqual([])
    const states = dirs.map((d) => state(join(out, d)))
    expect(states.filter((s) => s === 'partial')).toEqual([])
    expect(states.filter((s) => s === 'complete').length).toBeGreaterThanOrEqual(600)
    expect(states.filter((s) => s === 'complete').length).toBeLessThan(50_000)
    for (const d of dirs) expect(readdirSync(join(out, d)).filter((f) => !FILES.includes(f))).toEqual([])
  }, 120_000)
})
