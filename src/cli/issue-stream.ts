/**
 * `issue --count`: prints each SVID as it is written, a line or an element of one JSON
 * array, waiting on a slow reader; an error after the first element ends the array.
 */
import {issueEach, type IssueToDirectoryOptions} from '../core/svid/issue-files.js'
import {toSvidkitError} from './base-command.js'
import type {ExitCode} from '../core/errors.js'
import {progressLine} from './progress.js'
import {renderIssuedLine} from './render/issue.js'

/** What the stream needs from the command that runs it. */
interface StreamPort {
  json: boolean
  signal: AbortSignal
  warn(list: string[]): void
  log(line: string): void
  /** Leaves with this exit code (does not return). */
  exit(code: ExitCode): never
}

/** Writes to stdout, waiting while the reader is behind (a slow pipe must not grow memory). */
async function out(text: string): Promise<void> {
  if (process.stdout.write(text)) return
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const e of ['drain', 'close', 'error']) process.stdout.off(e, done)
      resolve()
    }
    for (const e of ['drain', 'close', 'error']) process.stdout.once(e, done)
  })
}

/** Issues `count` SVIDs, printing each as it is written: a line, or an element of one JSON array. */
export async function streamIssued(options: IssueToDirectoryOptions, count: number, port: StreamPort): Promise<void> {
  const {json, signal} = port
  const warned = new Set<string>()
  let n = 0
  try {
    for await (const r of issueEach({...options, signal})) {
      n++
      const fresh = r.warnings.filter((w) => !warned.has(w))
      for (const w of fresh) warned.add(w)
      if (json) await out(`${n === 1 ? '[' : ','}\n${JSON.stringify(r)}`)
      else {
        port.warn(fresh)
        await out(`${renderIssuedLine(r)}\n`)
      }
      if (n % 100 === 0) progressLine(`issued ${n}/${count}`)
    }
  } catch (err) {
    progressLine()
    if (!json || n === 0) throw err
    // The array has begun: end it with the error as its last element, so stdout stays one JSON document.
    const e = toSvidkitError(err)
    process.stdout.write(`,\n${JSON.stringify({ok: false, error: e.toJSON()})}\n]\n`)
    port.exit(e.exit)
  }
  progressLine()
  if (json) process.stdout.write(n === 0 ? '[]\n' : '\n]\n')
  else if (!signal.aborted) port.log(`issued ${n} SVIDs`)
}
