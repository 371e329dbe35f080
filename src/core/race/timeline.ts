import {existsSync, writeFileSync} from 'node:fs'
import {SvidkitError} from '../errors.js'
import type {RotateEvent} from '../rotate/events.js'
import type {Attempt} from './attempt.js'
import type {ReloadResult} from './reload.js'
import {maxOf, minOf} from '../arrays.js'

/** What a timeline draws, all times on the shared monotonic clock (ms). */
interface TimelineInput {
  verdict: {ok: boolean; summary: string}
  target: string
  writerEvents: RotateEvent[]
  reloads: ReloadResult[]
  attempts: Attempt[]
  /** Serials in the order they were written: the initial one, then each rotation's. */
  serials: string[]
}

/** Colours of served serials (by rotation), of failures, of writer windows. */
export const TIMELINE_COLORS = {
  serials: ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#17becf', '#bcbd22'],
  failed: '#d62728',
  window: '#ff7f0e',
  done: '#333333',
}

const W = 1200
const LEFT = 130
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * Returns a self-contained HTML page (inline SVG, no script, no external resource) drawing
 * the writer's operations and windows, the reload triggers, and every handshake coloured by
 * the serial it was served (failures in red) on one time axis.
 */
export function timelineHtml(x: TimelineInput): string {
  const times = [
    ...x.writerEvents.map((e) => e.t),
    ...x.attempts.flatMap((a) => [a.start, a.end]),
    ...x.reloads.map((r) => r.t),
  ]
  const t0 = minOf(times, 0)
  const t1 = maxOf(times, 1)
  const span = Math.max(1, t1 - t0)
  const px = (t: number) => LEFT + ((t - t0) / span) * (W - LEFT - 20)
  const serialIndex = new Map<string, number>()
  x.serials.forEach((s, i) => serialIndex.set(s, i))
  const lanes = x.serials.length
  const hsTop = 130
  const laneH = 22
  const failY = hsTop + lanes * laneH
  const height = failY + laneH + 60
  const parts: string[] = []
  // Time axis: a tick per second (or per 100 ms on short runs).
  const step = span > 4000 ? 1000 : 100
  for (let t = 0; t <= span; t += step) {
    parts.push(`<line x1="${px(t0 + t)}" y1="40" x2="${px(t0 + t)}" y2="${height - 40}" stroke="#eee"/>`)
    parts.push(
      `<text x="${px(t0 + t)}" y="${height - 25}" font-size="10" text-anchor="middle">${(t / 1000).toFixed(step < 1000 ? 1 : 0)}s</text>`,
    )
  }
  const label = (y: number, text: string) => parts.push(`<text x="8" y="${y + 14}" font-size="12">${esc(text)}</text>`)
  label(45, 'writer')
  label(85, 'reload trigger')
  // Writer: every op as a tick, open windows as orange spans, each done as a dark line.
  const open = new Map<string, number>()
  for (const e of x.writerEvents) {
    if (e.step === 'window' && e.state === 'open') open.set(`${e.rotation}:${e.window}:${e.file ?? ''}`, e.t)
    else if (e.step === 'window' && e.state === 'close') {
      const k = `${e.rotation}:${e.window}:${e.file ?? ''}`
      const from = open.get(k) ?? e.t
      parts.push(
        `<rect x="${px(from)}" y="48" width="${Math.max(2, px(e.t) - px(from))}" height="14" fill="${TIMELINE_COLORS.window}"><title>${esc(`${e.window} window, rotation ${e.rotation}`)}</title></rect>`,
      )
    } else if (e.step === 'done') {
      parts.push(
        `<line x1="${px(e.t)}" y1="44" x2="${px(e.t)}" y2="${failY + laneH}" stroke="${TIMELINE_COLORS.done}" stroke-dasharray="3,3"><title>${esc(`rotation ${e.rotation} done: serial ${e.serial}`)}</title></line>`,
      )
    } else
      parts.push(
        `<rect x="${px(e.t)}" y="64" width="1" height="6" fill="#555"><title>${esc(`${e.step} ${e.file ?? ''}`)}</title></rect>`,
      )
  }
  for (const r of x.reloads) {
    const c = r.ok ? '#333' : TIMELINE_COLORS.failed
    parts.push(
      `<path d="M ${px(r.t) - 6} 104 L ${px(r.t) + 6} 104 L ${px(r.t)} 92 Z" fill="${c}"><title>${esc(`reload at rotation ${r.rotation}: ${r.ok ? 'ok' : `failed ${r.stderr ?? ''}`}`)}</title></path>`,
    )
  }
  for (let i = 0; i < lanes; i++) label(hsTop + i * laneH, `serial ${x.serials[i].slice(0, 8)}`)
  label(failY, 'no certificate')
  // Every handshake sits in the lane of the serial it was served, so a refused one still shows which
  // certificate was being refused: successes in the serial's colour, failures red with a dark edge.
  // Failures that saw no certificate (refused connections, resets before it) go to the last lane.
  for (const a of x.attempts) {
    const idx = a.servedSerial === null ? undefined : serialIndex.get(a.servedSerial)
    const y = idx === undefined ? failY : hsTop + idx * laneH
    const fill = !a.ok ? TIMELINE_COLORS.failed : TIMELINE_COLORS.serials[(idx ?? 0) % TIMELINE_COLORS.serials.length]
    const edge = a.ok ? '' : ' stroke="#600" stroke-width="1"'
    const what = a.ok
      ? `served ${a.servedSerial}`
      : `failed${a.servedSerial ? ` (served ${a.servedSerial})` : ''}: ${a.code}: ${a.message ?? ''}`
    parts.push(
      `<rect x="${px(a.start)}" y="${y + 3}" width="${Math.max(2, px(a.end) - px(a.start))}" height="${laneH - 6}" fill="${fill}"${edge} opacity="0.8"><title>${esc(what)}</title></rect>`,
    )
  }
  const title = `${x.verdict.ok ? 'PASS' : 'FAIL'}  ${x.verdict.summary}`
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>svidkit race ${esc(x.target)}</title>
<style>body{font-family:sans-serif;margin:12px}h1{font-size:15px;color:${x.verdict.ok ? '#2ca02c' : TIMELINE_COLORS.failed}}p{font-size:12px;color:#555}</style></head>
<body><h1>${esc(title)}</h1>
<p>svidkit race ${esc(x.target)}: writer operations (ticks), inconsistent windows (orange), rotation done (dashed), reload triggers (triangles), and every handshake in the lane of the serial it was served (failed in red, in that lane; failures that saw no certificate in the last lane).</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">${parts.join('')}</svg>
</body></html>
`
}

/** Throws exit 3 when the timeline file exists already (checked before a run starts). */
export function checkTimelinePath(path: string): void {
  if (existsSync(path))
    throw new SvidkitError('output-exists', `the timeline "${path}" exists`, {
      path,
      hint: 'remove it or choose another --timeline file',
    })
}

/** Writes the timeline page to `path`; an existing file is never replaced (exit 3). */
export function writeTimeline(path: string, x: TimelineInput): void {
  try {
    writeFileSync(path, timelineHtml(x), {flag: 'wx', mode: 0o644})
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new SvidkitError(
      e.code === 'EEXIST' ? 'output-exists' : 'output-not-writable',
      `cannot write the timeline "${path}": ${e.code ?? e.message}`,
      {
        path,
        cause: err,
        hint: e.code === 'EEXIST' ? 'remove it or choose another --timeline file' : 'choose a writable --timeline path',
      },
    )
  }
}
