/**
 * rotation.md §1: each writer mode performs exactly the documented file operations, in
 * order, one event per call (§1.4), and the directory is in the state the doc implies
 * after every single op (checked synchronously through `hooks.afterEvent`). The window
 * events of §1.4 bracket the ops that open and close each inconsistent state.
 *
 * Notation of the tables: `open NAME FLAGS PERM`, `rename FROM -> TO`, `link EXISTING ->
 * NEW`, `symlink LINK -> TARGET`, `readlink LINK -> TARGET`; `+w`/`-w` = window w opens or
 * closes; `.x.tmp*` = the random temp suffix; `..OLD`/`..NEW` = kubelet's previous and new
 * timestamped dirs.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {RotateEvent} from '../../src/core/rotate/events.js'
import type {WriterMode} from '../../src/core/rotate/writers/index.js'
import {suiteTmpDir} from '../helpers/tmp.js'
import {MODES, doneOf, fileSha, lstatOr, makeCa, modeOf, namesOf, readlinkOr, rot, statOr, svidDir} from './harness.js'

const base = suiteTmpDir()
let ca = ''
beforeAll(async () => {
  ca = await makeCa(base())
})

const TRUNC = 'O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW'
const EXCL = 'O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW'

/**
 * spiffe-helper (Go os.WriteFile per file): open O_TRUNC (0 bytes from here), write, close,
 * and nothing else (issue 18 item 3: no fchmod when the mode is already right; svidkit adds
 * only O_NOFOLLOW, which no watcher sees). A planted wider mode is the one case with an
 * fchmod (test/rotate/unsafe-files.test.ts).
 */
const SPIFFE_HELPER = [
  `open svid.pem ${TRUNC} 0644`,
  '+torn svid.pem',
  'write svid.pem',
  'close svid.pem',
  '-torn svid.pem',
  '+key-mismatch',
  `open svid_key.pem ${TRUNC} 0600`,
  '+torn svid_key.pem',
  'write svid_key.pem',
  'close svid_key.pem',
  '-torn svid_key.pem',
  '-key-mismatch',
  `open svid_bundle.pem ${TRUNC} 0644`,
  '+torn svid_bundle.pem',
  'write svid_bundle.pem',
  'close svid_bundle.pem',
  '-torn svid_bundle.pem',
  'done',
]

/** atomic-rename: open(tmp, O_EXCL, 0600) → write → fchmod(perm) → fsync → close → rename(tmp, name), per file. */
const ATOMIC_RENAME = [
  `open .svid.pem.tmp* ${EXCL} 0600`,
  'write .svid.pem.tmp*',
  'fchmod .svid.pem.tmp* 0644',
  'fsync .svid.pem.tmp*',
  'close .svid.pem.tmp*',
  'rename .svid.pem.tmp* -> svid.pem',
  '+key-mismatch',
  `open .svid_key.pem.tmp* ${EXCL} 0600`,
  'write .svid_key.pem.tmp*',
  'fchmod .svid_key.pem.tmp* 0600',
  'fsync .svid_key.pem.tmp*',
  'close .svid_key.pem.tmp*',
  'rename .svid_key.pem.tmp* -> svid_key.pem',
  '-key-mismatch',
  `open .svid_bundle.pem.tmp* ${EXCL} 0600`,
  'write .svid_bundle.pem.tmp*',
  'fchmod .svid_bundle.pem.tmp* 0644',
  'fsync .svid_bundle.pem.tmp*',
  'close .svid_bundle.pem.tmp*',
  'rename .svid_bundle.pem.tmp* -> svid_bundle.pem',
  'done',
]

/**
 * kubelet atomic_writer.go: 1 readlink(..data); 3 mkdir + chmod 0755; 4 per file open,
 * write, close, chmod inside the new dir; 5 symlink ..data_tmp + rename over ..data (the only
 * publish point, so no window); 6 no user-visible symlink is created after rotation 1;
 * 8 rm -rf the old dir.
 */
const KUBELET = [
  'readlink ..data -> ..OLD',
  'mkdir ..NEW 0755',
  'chmod ..NEW 0755',
  `open tls.crt ${EXCL} 0644`,
  'write tls.crt',
  'close tls.crt',
  'chmod tls.crt 0644',
  `open tls.key ${EXCL} 0600`,
  'write tls.key',
  'close tls.key',
  'chmod tls.key 0600',
  `open ca.crt ${EXCL} 0644`,
  'write ca.crt',
  'close ca.crt',
  'chmod ca.crt 0644',
  'symlink ..data_tmp -> ..NEW',
  'rename ..data_tmp -> ..data',
  'rm ..OLD',
  'done',
]

/** dir-symlink: (readlink) → mkdir v<n> → files O_EXCL → symlink v<n> current.tmp → rename over current → rm v<n-1>. */
const DIR_SYMLINK = [
  'readlink current -> v1',
  'mkdir v2 0755',
  `open svid.pem ${EXCL} 0644`,
  'write svid.pem',
  'close svid.pem',
  `open svid_key.pem ${EXCL} 0600`,
  'write svid_key.pem',
  'close svid_key.pem',
  `open svid_bundle.pem ${EXCL} 0644`,
  'write svid_bundle.pem',
  'close svid_bundle.pem',
  'symlink current.tmp -> v2',
  'rename current.tmp -> current',
  'rm v1',
  'done',
]

/** unlink-create: unlink(name) → (absent) → open(name, O_EXCL, perm) → write → close. */
const UNLINK_CREATE = [
  'unlink svid.pem',
  '+absent svid.pem',
  `open svid.pem ${EXCL} 0644`,
  '-absent svid.pem',
  '+torn svid.pem',
  'write svid.pem',
  'close svid.pem',
  '-torn svid.pem',
  '+key-mismatch',
  'unlink svid_key.pem',
  '+absent svid_key.pem',
  `open svid_key.pem ${EXCL} 0600`,
  '-absent svid_key.pem',
  '+torn svid_key.pem',
  'write svid_key.pem',
  'close svid_key.pem',
  '-torn svid_key.pem',
  '-key-mismatch',
  'unlink svid_bundle.pem',
  '+absent svid_bundle.pem',
  `open svid_bundle.pem ${EXCL} 0644`,
  '-absent svid_bundle.pem',
  '+torn svid_bundle.pem',
  'write svid_bundle.pem',
  'close svid_bundle.pem',
  '-torn svid_bundle.pem',
  'done',
]

/**
 * hardlink-backup: unlink(name.old) (ENOENT ignored) → unlink(name.new) (a leftover or planted
 * one is never followed) → name.new open O_EXCL, write, close →
 * link(name, name.old) → rename(name.new, name). In rotation 2 the unlinks report ENOENT:
 * rotation 1 created the directory, so it had no old name to link.
 */
const hardlinkBackup = (enoent: string) => [
  `unlink svid.pem.old${enoent}`,
  'unlink svid.pem.new ENOENT',
  `open svid.pem.new ${EXCL} 0644`,
  'write svid.pem.new',
  'close svid.pem.new',
  'link svid.pem -> svid.pem.old',
  'rename svid.pem.new -> svid.pem',
  '+key-mismatch',
  `unlink svid_key.pem.old${enoent}`,
  'unlink svid_key.pem.new ENOENT',
  `open svid_key.pem.new ${EXCL} 0600`,
  'write svid_key.pem.new',
  'close svid_key.pem.new',
  'link svid_key.pem -> svid_key.pem.old',
  'rename svid_key.pem.new -> svid_key.pem',
  '-key-mismatch',
  `unlink svid_bundle.pem.old${enoent}`,
  'unlink svid_bundle.pem.new ENOENT',
  `open svid_bundle.pem.new ${EXCL} 0644`,
  'write svid_bundle.pem.new',
  'close svid_bundle.pem.new',
  'link svid_bundle.pem -> svid_bundle.pem.old',
  'rename svid_bundle.pem.new -> svid_bundle.pem',
  'done',
]

/** move-away: rename(name, name.old) → (absent) → open(name, O_EXCL, perm) → write → close. */
const MOVE_AWAY = [
  'rename svid.pem -> svid.pem.old',
  '+absent svid.pem',
  `open svid.pem ${EXCL} 0644`,
  '-absent svid.pem',
  '+torn svid.pem',
  'write svid.pem',
  'close svid.pem',
  '-torn svid.pem',
  '+key-mismatch',
  'rename svid_key.pem -> svid_key.pem.old',
  '+absent svid_key.pem',
  `open svid_key.pem ${EXCL} 0600`,
  '-absent svid_key.pem',
  '+torn svid_key.pem',
  'write svid_key.pem',
  'close svid_key.pem',
  '-torn svid_key.pem',
  '-key-mismatch',
  'rename svid_bundle.pem -> svid_bundle.pem.old',
  '+absent svid_bundle.pem',
  `open svid_bundle.pem ${EXCL} 0644`,
  '-absent svid_bundle.pem',
  '+torn svid_bundle.pem',
  'write svid_bundle.pem',
  'close svid_bundle.pem',
  '-torn svid_bundle.pem',
  'done',
]

/** credential-bundle: one file (key, leaf, intermediates) written like atomic-rename with perm 0600, then the bundle. */
const CREDENTIAL_BUNDLE = [
  `open .credentials.pem.tmp* ${EXCL} 0600`,
  'write .credentials.pem.tmp*',
  'fchmod .credentials.pem.tmp* 0600',
  'fsync .credentials.pem.tmp*',
  'close .credentials.pem.tmp*',
  'rename .credentials.pem.tmp* -> credentials.pem',
  `open .bundle.pem.tmp* ${EXCL} 0600`,
  'write .bundle.pem.tmp*',
  'fchmod .bundle.pem.tmp* 0644',
  'fsync .bundle.pem.tmp*',
  'close .bundle.pem.tmp*',
  'rename .bundle.pem.tmp* -> bundle.pem',
  'done',
]

const EXPECTED: Record<WriterMode, string[]> = {
  'spiffe-helper': SPIFFE_HELPER,
  'atomic-rename': ATOMIC_RENAME,
  kubelet: KUBELET,
  'dir-symlink': DIR_SYMLINK,
  'unlink-create': UNLINK_CREATE,
  'hardlink-backup': hardlinkBackup(' ENOENT'),
  'move-away': MOVE_AWAY,
  'credential-bundle': CREDENTIAL_BUNDLE,
}

/** Returns the events of one rotation as table tokens. */
function tokens(events: RotateEvent[], rotation: number): string[] {
  const rs = events.filter((e) => e.rotation === rotation)
  const old = rs.find((e) => e.step === 'readlink')?.target
  const fresh = rs.find((e) => e.step === 'mkdir')?.file
  const n = (s: string | undefined) => {
    if (s === undefined) return '?'
    if (rs[0]?.writer === 'kubelet' && s === old) return '..OLD'
    if (rs[0]?.writer === 'kubelet' && s === fresh) return '..NEW'
    return s.replace(/\.tmp[0-9a-f]{8}$/, '.tmp*')
  }
  const code = (e: RotateEvent) => (e.code ? ` ${e.code}` : '')
  return rs.map((e) => {
    switch (e.step) {
      case 'open':
        return `open ${n(e.file)} ${e.flags} ${e.perm}`
      case 'fchmod':
      case 'chmod':
      case 'mkdir':
        return `${e.step} ${n(e.file)} ${e.perm}`
      case 'rename':
      case 'link':
        return `${e.step} ${n(e.from)} -> ${n(e.file)}${code(e)}`
      case 'symlink':
        return `symlink ${n(e.file)} -> ${n(e.target)}`
      case 'readlink':
        return `readlink ${n(e.file)} -> ${n(e.target ?? e.code)}`
      case 'window':
        return `${e.state === 'open' ? '+' : '-'}${e.window}${e.file ? ` ${e.file}` : ''}`
      case 'done':
        return 'done'
      case 'error':
        return `error ${e.code}`
      default:
        return `${e.step} ${n(e.file)}${code(e)}`
    }
  })
}

/** One name's state at the end of rotation 1 (and of rotation 2, for rotation 3). */
interface Before {
  ino?: number
  lino?: number
  sha?: string
  target?: string
}

function snapshot(dir: string, name: string): Before {
  const p = join(dir, name)
  return {ino: statOr(p)?.ino, lino: lstatOr(p)?.ino, sha: fileSha(p), target: readlinkOr(p)}
}

/** State kept between events of one rotation by the disk checks. */
interface Ctx {
  dir: string
  before: Record<string, Before>
  /** Inode each op opened, by event file name. */
  opened: Record<string, number>
  /** Kubelet: the previous and new timestamped dirs. */
  oldDir?: string
  newDir?: string
  /** Every event of the rotation so far. */
  seen: RotateEvent[]
}

const ino = (p: string) => statOr(p)?.ino
const absent = (p: string) => lstatOr(p) === undefined

/**
 * The state rotation.md §1 implies right after each op, per mode. `e` has just been
 * emitted; names are the spiffe-helper layout except for kubelet (k8s) and credential-bundle.
 */
const CHECKS: Record<WriterMode, (e: RotateEvent, c: Ctx) => void> = {
  'spiffe-helper': (e, c) => {
    const p = join(c.dir, e.file ?? '')
    // In place: the names keep their inodes through the whole rotation.
    for (const [name, b] of Object.entries(c.before))
      expect(ino(join(c.dir, name)), `${name} inode after ${e.step}`).toBe(b.ino)
    if (e.step === 'open') {
      expect(statOr(p)?.size, `${e.file} is 0 bytes right after open(O_TRUNC)`).toBe(0)
      expect(e.ino).toBe(c.before[e.file!].ino)
      // Files after this one in the order are still the old bytes.
      const later = Object.keys(c.before).filter((n) => !c.seen.some((s) => s.step === 'open' && s.file === n))
      for (const n of later)
        expect(fileSha(join(c.dir, n)), `${n} untouched while ${e.file} is rewritten`).toBe(c.before[n].sha)
    }
    if (e.step === 'write') expect(statOr(p)?.size).toBe((e.offset ?? 0) + (e.bytes ?? 0))
    if (e.step === 'close') {
      // A leaf rotation leaves the bundle's bytes as they were; cert and key are new.
      if (e.file === 'svid_bundle.pem') expect(fileSha(p)).toBe(c.before[e.file].sha)
      else expect(fileSha(p)).not.toBe(c.before[e.file!].sha)
    }
  },
  'atomic-rename': (e, c) => atomicChecks(e, c),
  'credential-bundle': (e, c) => atomicChecks(e, c),
  kubelet: (e, c) => {
    // The user-visible names are symlinks created by rotation 1 and never touched again.
    for (const name of ['tls.crt', 'tls.key', 'ca.crt']) {
      const l = lstatOr(join(c.dir, name))
      expect(l?.isSymbolicLink(), `${name} is a symlink`).toBe(true)
      expect(l?.ino, `${name} link inode`).toBe(c.before[name].lino)
      expect(readlinkOr(join(c.dir, name))).toBe(`..data/${name}`)
    }
    if (e.step === 'readlink') c.oldDir = e.target
    if (e.step === 'mkdir') {
      c.newDir = e.file
      expect(e.file).toMatch(/^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/)
      expect(Number(e.file!.split('.').at(-1))).toBeLessThan(2 ** 32)
      expect(modeOf(join(c.dir, e.file!))).toBe('0755')
    }
    // ..data flips only at the rename: old target before, new one from there on.
    const renamed = c.seen.some((s) => s.step === 'rename')
    expect(readlinkOr(join(c.dir, '..data')), `..data after ${e.step} ${e.file ?? ''}`).toBe(
      renamed ? c.newDir : c.oldDir,
    )
    for (const name of ['tls.crt', 'tls.key', 'ca.crt']) {
      if (!renamed) expect(fileSha(join(c.dir, name)), `${name} is old before the swap`).toBe(c.before[name].sha)
    }
    if (e.step === 'open') {
      expect(statOr(join(c.dir, c.newDir!, e.file!))?.size, 'the new file is empty right after open').toBe(0)
      expect(e.ino).toBe(ino(join(c.dir, c.newDir!, e.file!)))
    }
    if (e.step === 'symlink') expect(readlinkOr(join(c.dir, '..data_tmp'))).toBe(c.newDir)
    if (e.step === 'rename') {
      expect(absent(join(c.dir, '..data_tmp'))).toBe(true)
      for (const name of ['tls.crt', 'tls.key', 'ca.crt'])
        expect(ino(join(c.dir, name)), `${name} resolves into the new dir`).toBe(ino(join(c.dir, c.newDir!, name)))
      expect(statOr(join(c.dir, c.oldDir!))?.isDirectory(), 'the old dir is still there until rm').toBe(true)
    }
    if (e.step === 'rm') expect(absent(join(c.dir, c.oldDir!))).toBe(true)
  },
  'dir-symlink': (e, c) => {
    const parent = join(c.dir, '..')
    if (e.step === 'readlink') c.oldDir = e.target
    if (e.step === 'mkdir') c.newDir = e.file
    const renamed = c.seen.some((s) => s.step === 'rename')
    expect(readlinkOr(c.dir), `current after ${e.step}`).toBe(renamed ? c.newDir : c.oldDir)
    if (e.step === 'open') {
      expect(statOr(join(parent, c.newDir!, e.file!))?.size).toBe(0)
      expect(fileSha(join(c.dir, e.file!)), 'the visible name is still the old version').toBe(c.before[e.file!].sha)
    }
    if (e.step === 'symlink') {
      expect(readlinkOr(join(parent, 'current.tmp'))).toBe(c.newDir)
      expect(readlinkOr(c.dir)).toBe(c.oldDir)
    }
    if (e.step === 'rename') {
      expect(absent(join(parent, 'current.tmp'))).toBe(true)
      expect(statOr(join(parent, c.oldDir!))?.isDirectory(), 'the old version remains until rm').toBe(true)
    }
    if (e.step === 'rm') expect(readdirSync(parent).sort()).toEqual(['current', c.newDir])
  },
  'unlink-create': (e, c) => {
    const p = join(c.dir, e.file ?? '')
    const unlinked = (name: string) => c.seen.some((s) => s.step === 'unlink' && s.file === name)
    const created = (name: string) => c.seen.some((s) => s.step === 'open' && s.file === name)
    for (const name of Object.keys(c.before)) {
      // Absent from the unlink to the open (O_EXCL), otherwise present.
      expect(absent(join(c.dir, name)), `${name} absent after ${e.step} ${e.file ?? ''}`).toBe(
        unlinked(name) && !created(name),
      )
      if (!unlinked(name)) expect(ino(join(c.dir, name))).toBe(c.before[name].ino)
    }
    // (The new file may reuse the freed inode number: only the absence proves it is new.)
    if (e.step === 'open') expect(statOr(p)?.size).toBe(0)
    if (e.step === 'close') expect(ino(p)).toBe(c.seen.find((s) => s.step === 'open' && s.file === e.file)?.ino)
  },
  'hardlink-backup': (e, c) => {
    const f = (e.file ?? '').replace(/\.(old|new)$/, '')
    const p = join(c.dir, f)
    if (e.step === 'unlink') expect(absent(`${p}.old`)).toBe(true)
    if (e.step === 'open') {
      expect(e.file).toBe(`${f}.new`)
      expect(statOr(`${p}.new`)?.size).toBe(0)
      expect(ino(p), `${f} keeps the old inode while .new is written`).toBe(c.before[f].ino)
      c.opened[f] = e.ino!
    }
    if (e.step === 'link') {
      expect(ino(`${p}.old`), `${f}.old is a hard link to the old inode`).toBe(c.before[f].ino)
      expect(ino(p)).toBe(c.before[f].ino)
      expect(statOr(p)?.nlink).toBe(2)
    }
    if (e.step === 'rename') {
      expect(ino(p), `${f} is the new inode`).toBe(c.opened[f])
      expect(absent(`${p}.new`)).toBe(true)
      expect(ino(`${p}.old`)).toBe(c.before[f].ino)
      expect(fileSha(`${p}.old`), `${f}.old holds the old bytes`).toBe(c.before[f].sha)
    }
  },
  'move-away': (e, c) => {
    const f = (e.file ?? '').replace(/\.old$/, '')
    const p = join(c.dir, f)
    if (e.step === 'rename') {
      expect(absent(p), `${f} absent right after the move`).toBe(true)
      expect(ino(`${p}.old`), `${f}.old is the old inode`).toBe(c.before[f].ino)
    }
    if (e.step === 'open') {
      expect(statOr(p)?.size).toBe(0)
      expect(e.ino).not.toBe(c.before[f].ino)
      expect(ino(`${p}.old`)).toBe(c.before[f].ino)
    }
    // Between the move and the open nothing else happens: absent exactly then.
    const moved = c.seen.some((s) => s.step === 'rename' && s.to === `${f}.old`)
    const created = c.seen.some((s) => s.step === 'open' && s.file === f)
    if (f in c.before) expect(absent(p)).toBe(moved && !created)
  },
}

function atomicChecks(e: RotateEvent, c: Ctx): void {
  if (!e.file) return
  const target = e.step === 'rename' ? e.file : e.file.replace(/^\.(.*)\.tmp[0-9a-f]{8}$/, '$1')
  const p = join(c.dir, target)
  if (['open', 'write', 'fchmod', 'fsync', 'close'].includes(e.step)) {
    // The temp file exists beside the name, which still has the old inode and bytes.
    expect(e.file).toMatch(/^\..*\.tmp[0-9a-f]{8}$/)
    expect(ino(p), `${target} keeps its old inode until the rename`).toBe(c.before[target].ino)
    expect(fileSha(p)).toBe(c.before[target].sha)
    if (e.step === 'open') {
      expect(modeOf(join(c.dir, e.file)), 'the temp file is created 0600').toBe('0600')
      expect(statOr(join(c.dir, e.file))?.size).toBe(0)
      c.opened[target] = e.ino!
    }
    if (e.step === 'fchmod' || e.step === 'fsync' || e.step === 'close')
      expect(modeOf(join(c.dir, e.file))).toBe(
        e.step === 'fchmod' ? e.perm : c.seen.findLast((s) => s.step === 'fchmod')?.perm,
      )
  }
  if (e.step === 'rename') {
    expect(absent(join(c.dir, e.from!))).toBe(true)
    expect(ino(p), `${target} is the temp file's inode`).toBe(c.opened[target])
  }
}

describe('each writer mode does exactly the ops of rotation.md §1', () => {
  for (const mode of MODES) {
    it(mode, async () => {
      const dir = svidDir(base(), mode)
      const names = namesOf(mode)
      let ctx: Ctx | undefined
      const {events, summaries} = await rot({
        dir,
        ca,
        mode,
        count: 3,
        hooks: {
          afterEvent: (e) => {
            if (e.rotation >= 2 && ctx) {
              ctx.seen.push(e)
              if (e.step !== 'window' && e.step !== 'done') CHECKS[mode](e, ctx)
            }
            if (e.step === 'done') {
              const before: Record<string, Before> = {}
              for (const n of new Set([names.cert, names.key, names.bundle])) before[n] = snapshot(dir, n)
              ctx = {dir, before, opened: {}, seen: []}
            }
          },
        },
      })
      expect(summaries.map((s) => s.result)).toEqual(['written', 'written', 'written'])
      expect(tokens(events, 2)).toEqual(EXPECTED[mode])
      if (mode === 'hardlink-backup') expect(tokens(events, 3)).toEqual(hardlinkBackup(''))
      // Every rotation ends with the hashes of what is on disk now.
      const done = doneOf(events, 3)
      expect(fileSha(join(dir, names.cert))).toBe(done.sha256?.cert)
      expect(fileSha(join(dir, names.key))).toBe(done.sha256?.key)
      expect(fileSha(join(dir, names.bundle))).toBe(done.sha256?.bundle)
      // The key stays 0600 (credential bundle: the one file).
      expect(modeOf(join(dir, names.key))).toBe('0600')
      expect(modeOf(join(dir, names.cert))).toBe(mode === 'credential-bundle' ? '0600' : '0644')
      if (mode === 'credential-bundle') {
        const text = readFileSync(join(dir, names.cert), 'latin1')
        expect(text.match(/-----BEGIN [A-Z ]+-----/g)).toEqual([
          '-----BEGIN PRIVATE KEY-----',
          '-----BEGIN CERTIFICATE-----',
          '-----BEGIN CERTIFICATE-----',
        ])
      }
      // No temp or version leftovers.
      const left = mode === 'dir-symlink' ? readdirSync(join(dir, '..')) : readdirSync(dir)
      const expectedLeft: Record<WriterMode, string[]> = {
        'spiffe-helper': ['svid.pem', 'svid_bundle.pem', 'svid_key.pem'],
        'atomic-rename': ['svid.pem', 'svid_bundle.pem', 'svid_key.pem'],
        kubelet: ['..data', kubeletDir3(events), 'ca.crt', 'tls.crt', 'tls.key'].sort(),
        'dir-symlink': ['current', 'v3'],
        'unlink-create': ['svid.pem', 'svid_bundle.pem', 'svid_key.pem'],
        'hardlink-backup': [
          'svid.pem',
          'svid.pem.old',
          'svid_bundle.pem',
          'svid_bundle.pem.old',
          'svid_key.pem',
          'svid_key.pem.old',
        ],
        'move-away': [
          'svid.pem',
          'svid.pem.old',
          'svid_bundle.pem',
          'svid_bundle.pem.old',
          'svid_key.pem',
          'svid_key.pem.old',
        ],
        'credential-bundle': ['bundle.pem', 'credentials.pem'],
      }
      expect(left.sort()).toEqual(expectedLeft[mode])
    })
  }
})

/** Returns kubelet's timestamped dir of rotation 3. */
function kubeletDir3(events: RotateEvent[]): string {
  return events.find((e) => e.rotation === 3 && e.step === 'mkdir')?.file ?? '?'
}
