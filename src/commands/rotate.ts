import {Errors} from '@oclif/core'
import {rotate} from '../core/rotate/rotate.js'
import type {WriterMode} from '../core/rotate/writers/index.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {rotateCommandFlags, rotateOptionsFromFlags, type RotateFlagValues} from '../cli/rotate-flags.js'
import {liveLine, rotationLine} from '../cli/render/rotate.js'
import {waitForResume} from '../core/rotate/pause.js'
import {interruptExit, trackInterrupt} from '../cli/render/rotate.js'

export default class Rotate extends SvidkitCommand {
  static override summary = 'Replace the files of an SVID directory exactly the way a real writer does'
  static override description = describe(`
Issues a fresh SVID (new key, same SPIFFE ID unless --spiffe-id) and writes it into --dir op
by op like the chosen writer: spiffe-helper (in place: open O_TRUNC, write, close),
atomic-rename (per-file temp + fsync + rename), kubelet (timestamped dir, ..data swap,
symlinks), dir-symlink (versioned dirs behind a swapped link), unlink-create,
hardlink-backup, move-away, credential-bundle (one file: key then chain). The knobs open
each race window on purpose (see docs/rotation.md). --kind intermediate|root rotates the
CA too (root: --ca-overlap add|drop-old|none, SPIRE's prepare/activate/drop).

--json prints NDJSON: one event per file operation with a CLOCK_MONOTONIC timestamp "t" in
ms, window open/close events, and a "done" event per rotation with the serial and SHA-256 of
each file, so a consumer's observations can be lined up with the writer's windows.`)

  static override examples = [
    {
      description: 'Replace the SVID in svid/ once, the way atomic-rename writers do',
      command: '<%= config.bin %> rotate --dir svid --ca ca --atomic-rename',
    },
    {
      description: 'Rotate 10 times in place, holding each truncated file empty for 1s (a torn-read window)',
      command:
        '<%= config.bin %> rotate --dir svid --ca ca --mode spiffe-helper --truncate-hold 1s --count 10 --interval 2s',
    },
    {
      description: 'Rotate as the kubelet does (..data swap), keeping old version dirs, with one JSON event per step',
      command: '<%= config.bin %> rotate --dir certs --ca ca --mode kubelet --keep-old-dirs --json',
    },
    {
      description: 'Leave 500ms between files, then signal the process in app.pid',
      command:
        '<%= config.bin %> rotate --dir svid --ca ca --atomic-rename --gap 500ms --signal SIGHUP --pid-file app.pid',
    },
    {
      description: 'Roll the root CA over, with the new root added to the bundle before it signs',
      command: '<%= config.bin %> rotate --dir svid --ca ca --kind root --ca-overlap add',
    },
  ]

  static override flags = rotateCommandFlags

  async run() {
    const {flags} = await this.parse(Rotate)
    const mode: WriterMode = flags['atomic-rename'] ? 'atomic-rename' : flags.mode
    const json = this.jsonEnabled()
    const interrupt = trackInterrupt()
    const abort = this.interruptSignal()
    try {
      await this.rotateAll(flags, mode, json, abort)
    } finally {
      interrupt.dispose()
    }
    // SIGINT/SIGTERM: the rotation in progress was finished, pending cleanups ran; 128 + signal number.
    if (interrupt.signal) throw new Errors.ExitError(interruptExit(interrupt.signal))
    // NDJSON was streamed: nothing more to print as the JSON document.
    return undefined
  }

  private async rotateAll(flags: RotateFlagValues, mode: WriterMode, json: boolean, abort: AbortSignal): Promise<void> {
    let previous: string | undefined
    await rotate({
      ...rotateOptionsFromFlags(flags, mode),
      sink: (e) => {
        if (json) process.stdout.write(`${JSON.stringify(e)}\n`)
        else {
          const line = liveLine(e)
          if (line) this.log(line)
        }
      },
      onRotation: (s) => {
        this.log(rotationLine(s, previous))
        previous = s.serial
        this.warnings(s.warnings)
      },
      hooks: {waitForResume: () => waitForResume(abort)},
      abort,
    })
  }
}
