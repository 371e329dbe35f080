/**
 * kill -9 at seeded random points during `ca init --force`, `issue --count` (into `{n}`
 * directories and into one --out) and `rotate` in
 * every writer mode (issue 8 "Proof", docs/security.md "Interrupted runs"). After each
 * kill: no key file is readable by group or others; the CA at the path is the old one or
 * the new one, never a mix; and the next run of the same command (without --force where
 * the first did not need it) repairs the directory: it verifies, and no temporary is left.
 * Seed: SVIDKIT_FAULT_SEED (printed in the test names), default fixed.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it, onTestFinished} from 'vitest'
import {initCa} from '../../src/core/ca/init.js'
import {loadAuthority} from '../../src/core/ca/store.js'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {readSet, validateSet} from '../../src/core/watch/material.js'
import {REPO, runCli} from '../helpers/cli.js'
import {prng} from '../helpers/prng.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {diskHashes, doneOf, MODES, namesOf, rot, svidDir} from '../rotate/harness.js'
import {exposedKeys, leftovers} from '../rotate/neighbourhood.js'
import {openStream, workloadClient, type X509SvidResponse} from '../workload/client.js'
import {startSvidkit} from '../workload/process.js'

const SEED = Number(process.env.SVIDKIT_FAULT_SEED ?? 20_261_129)
const ID = 'spiffe://example.org/web'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = join(base(), 'ca')
  await initCa({trustDomain: 'example.org', out: ca, intermediates: 1})
})

/** Runs `svidkit <args>` and kills it with SIGKILL once it printed `afterLines` lines (or after `afterMs`, 30 s by default); resolves when it is gone. */
function killed(
  args: string[],
  o: {afterLines?: number; afterMs?: number},
): Promise<{lines: number; exit: number | null; signal: string | null; stderr: string}> {
  const {DEBUG: _d, NODE_ENV: _e, ...env} = process.env
  const child = spawn(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
    cwd: base(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let lines = 0
  // The first KiB of stderr, for the message when a run ends on its own instead of being killed.
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(0, 1024)))
  child.stdout.on('data', (d: Buffer) => {
    lines += d.toString().split('\n').length - 1
    if (o.afterLines !== undefined && lines >= o.afterLines) child.kill('SIGKILL')
  })
  // Bounded: whatever happens, the child is gone after 30 s.
  const cap = setTimeout(() => child.kill('SIGKILL'), o.afterMs ?? 30_000)
  return new Promise((resolve) =>
    child.on('close', (exit, signal) => {
      clearTimeout(cap)
      resolve({lines, exit, signal, stderr})
    }),
  )
}

/** Returns how long a full run of the command takes here (start-up included), in ms. */
async function calibrate(args: string[]): Promise<number> {
  const t0 = Date.now()
  const r = await killed(args, {})
  expect(r.exit).toBe(0)
  return Date.now() - t0
}

describe.concurrent(`kill -9 at random points (seed ${SEED})`, () => {
  it('rotate, every writer mode, killed after a random number of events; the next rotate repairs it', async ({
    expect,
  }) => {
    const random = prng(SEED)
    // Every mode once, the ones with links, version dirs or in-place writes twice.
    const twice: WriterMode[] = ['spiffe-helper', 'kubelet', 'dir-symlink', 'hardlink-backup']
    const runs = [...MODES, ...twice].map((mode, i) => ({mode, i, k: 1 + Math.floor(random() * 60)}))
    const one = async ({mode, i, k}: {mode: WriterMode; i: number; k: number}) => {
      const dir = svidDir(base(), mode, `-rot${i}`)
      const names = namesOf(mode)
      await rot({dir, ca, mode})
      const r = await killed(
        [
          'rotate',
          '--dir',
          dir,
          '--ca',
          ca,
          '--mode',
          mode,
          '--spiffe-id',
          ID,
          '--count',
          '20',
          '--interval',
          '100ms',
          '--json',
        ],
        {
          afterLines: k,
        },
      )
      // 20 rotations are hundreds of events over at least 2 s: the kill lands mid-run even when an in-process run of a
      // concurrent test holds this worker's event loop for a while.
      expect(r.signal, `${mode} k=${k}: exit ${r.exit} after ${r.lines} lines; ${r.stderr}`).toBe('SIGKILL')
      const area = mode === 'dir-symlink' ? join(dir, '..') : dir
      expect(exposedKeys(area), `${mode} after a kill at event ${k}`).toEqual([])
      const {events} = await rot({dir, ca, mode})
      const done = doneOf(events)
      expect(diskHashes(dir, names), `${mode} k=${k}`).toEqual(done.sha256)
      const set = validateSet(await readSet(dir, names), {at: new Date()})
      expect(set.serial).toBe(done.serial)
      expect(leftovers(area), `${mode} k=${k} (killed: ${r.signal ?? r.exit})`).toEqual([])
      expect(exposedKeys(area)).toEqual([])
    }
    // Four at a time: the machine has two cores.
    for (let j = 0; j < runs.length; j += 4) await Promise.all(runs.slice(j, j + 4).map(one))
  }, 240_000)

  it('ca init --force, killed at a random time near its end: old CA or new, never a mix; the next ca init --force cleans up', async ({
    expect,
  }) => {
    const random = prng(SEED + 1)
    const out = join(base(), 'ca-init')
    await initCa({trustDomain: 'example.org', out, intermediates: 2})
    const args = ['ca', 'init', '--trust-domain', 'example.org', '--out', out, '--intermediates', '1', '--force']
    const full = await calibrate(args)
    const roots = new Set<string>()
    for (let i = 0; i < 4; i++) {
      roots.add(readFileSync(join(out, 'root.pem'), 'utf8'))
      const afterMs = Math.max(1, Math.round(full - 500 + random() * 600))
      await killed(args, {afterMs})
      expect(
        exposedKeys(base()).filter((l) => l.startsWith('ca-init') || l.startsWith('.ca-init')),
        `kill at ${afterMs} ms`,
      ).toEqual([])
      // The CA at the path (after finishing an interrupted swap) is complete and consistent.
      const a = loadAuthority(out)
      expect(readFileSync(join(out, 'bundle.pem'), 'utf8')).toContain(a.roots[0].cert.node.toString().trim())
    }
    await initCa({trustDomain: 'example.org', out, intermediates: 1, force: true})
    expect(loadAuthority(out).intermediates).toHaveLength(1)
    expect(leftovers(base()).filter((p) => p.includes('ca-init'))).toEqual([])
  }, 240_000)

  it('issue --count, killed at a random time; the next issue repairs each directory', async ({expect}) => {
    const random = prng(SEED + 2)
    // The rerun replaces what the kill left: --force (reading it from --help was flaky, since
    // concurrent in-process runs share the captured stdout).
    const force = ['--force']
    const args = (tag: string) => [
      'issue',
      '--ca',
      ca,
      '--spiffe-id',
      'spiffe://example.org/w{n}',
      '--out',
      join(base(), `issue-${tag}-{n}`),
      '--count',
      '8',
    ]
    const full = await calibrate(args('calibrate'))
    for (let i = 0; i < 3; i++) {
      const afterMs = Math.max(1, Math.round(full - 400 + random() * 500))
      await killed(args(String(i)), {afterMs})
      expect(exposedKeys(base()).filter((l) => l.startsWith(`issue-${i}-`))).toEqual([])
      const r = await runCli([...args(String(i)), ...force])
      expect(r.exit, r.stderr).toBe(0)
      for (let n = 1; n <= 8; n++) {
        const dir = join(base(), `issue-${i}-${n}`)
        const set = validateSet(await readSet(dir, namesOf('spiffe-helper')), {at: new Date()})
        expect(set.spiffeId.toString()).toBe(`spiffe://example.org/w${n}`)
        expect(leftovers(dir)).toEqual([])
      }
    }
  }, 240_000)

  it('issue --count into one --out, killed at a random time: only complete sets at final names; the same command completes the run', async ({
    expect,
  }) => {
    // Issue 17 item 12. On main: 0-byte svid.pem/svid_key.pem at final names, and the rerun refused (output-exists).
    const random = prng(SEED + 3)
    const COUNT = 400
    const names = namesOf('spiffe-helper')
    const args = (tag: string) => [
      'issue',
      '--ca',
      ca,
      '--spiffe-id',
      'spiffe://example.org/b{n}',
      '--out',
      join(base(), `bulk-${tag}`),
      '--count',
      String(COUNT),
    ]
    for (let i = 0; i < 4; i++) {
      const out = join(base(), `bulk-${i}`)
      // Killed after a random number of printed SVIDs (1 to 38 of 400): always mid-run (with 40, a fast
      // run could end before the test had read 38 lines).
      const afterLines = 1 + Math.floor(random() * 38)
      const k = await killed(args(String(i)), {afterLines})
      expect(k.signal).toBe('SIGKILL')
      const afterMs = afterLines
      expect(exposedKeys(base()).filter((l) => l.startsWith(`bulk-${i}`))).toEqual([])
      // Every SVID directory at its final name holds a whole set, never an empty or missing file.
      const written = existsSync(out) ? readdirSync(out).filter((d) => /^[0-9]+$/.test(d)) : []
      for (const d of written) {
        const files = [names.cert, names.key, names.bundle]
        expect(
          files.map((n) => existsSync(join(out, d, n)) && statSync(join(out, d, n)).size > 0),
          `bulk-${i}/${d} after a kill at line ${afterMs}`,
        ).toEqual(files.map(() => true))
      }
      // The same command, without --force: completes the run and cleans what the kill left.
      const r = await runCli(args(String(i)))
      expect(r.exit, r.stderr).toBe(0)
      for (let n = 1; n <= COUNT; n++) {
        const set = validateSet(await readSet(join(out, String(n)), names), {at: new Date()})
        expect(set.spiffeId.toString()).toBe(`spiffe://example.org/b${n}`)
      }
      expect(
        readdirSync(out).filter((d) => !/^[0-9]+$/.test(d)),
        `bulk-${i}: temporaries and the run marker are gone`,
      ).toEqual([])
    }
  }, 240_000)
})

// workload-api serve (issue 17 "Proof"; engineer h17c): a SIGKILL leaves at most the socket file.
describe(`workload-api serve, kill -9 at random points (seed ${SEED})`, () => {
  it('after each kill only the stale socket is left; the next serve on the same path starts cleanly and serves; a clean stop leaves nothing', async () => {
    const random = prng(SEED + 3)
    const dir = join(base(), 'workload')
    mkdirSync(dir)
    const sock = join(dir, 'agent.sock')
    const args = ['workload-api', 'serve', '--ca', ca, '--spiffe-id', ID, '--socket', sock, '--rotate-every', '50ms']
    const fetched = async (k: number) => {
      const client = workloadClient(sock)
      const s = openStream<X509SvidResponse>(client, 'FetchX509SVID')
      await s.until(k)
      client.close()
      return s.messages.length
    }
    const started: ReturnType<typeof startSvidkit>[] = []
    onTestFinished(() => started.forEach((p) => p.child.kill('SIGKILL'))) // no-ops for the processes already gone
    for (let i = 0; i < 3; i++) {
      const p = startSvidkit(args, dir)
      started.push(p)
      await p.line(/^SPIFFE_ENDPOINT_SOCKET=/)
      const k = 1 + Math.floor(random() * 8)
      expect(await fetched(k), `run ${i}`).toBeGreaterThanOrEqual(k)
      p.child.kill('SIGKILL')
      await p.exit
      expect(readdirSync(dir), `after kill ${i} (${k} messages)`).toEqual(['agent.sock'])
      expect(p.stderr).toBe('')
    }
    const p = startSvidkit(args, dir)
    started.push(p)
    await p.line(/^SPIFFE_ENDPOINT_SOCKET=/)
    expect(await fetched(1)).toBeGreaterThanOrEqual(1)
    p.child.kill('SIGTERM')
    await p.exit
    expect(readdirSync(dir)).toEqual([])
  }, 120_000)
})
