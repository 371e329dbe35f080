/**
 * The `--plan FILE` timeline: JSON, either an array of steps or `{"steps": [...]}`. Each
 * step has `at` (a Go duration from server start) and `do` (what happens); see
 * docs/workload-api.md "Plan format".
 */
import {SvidkitError} from '../errors.js'
import {readInput} from '../fs/read-input.js'
import {parseDuration} from '../time/duration.js'
import {isDefectName} from '../defects/index.js'

/** What a CA rotation changes (the CA-rotation kinds of docs/rotation.md). */
export type RotationKind = 'leaf' | 'intermediate' | 'root'
/** How the bundle changes on a root rotation. */
export type CaOverlap = 'add' | 'drop-old' | 'none'

/** One timeline action; `for` durations are in ms once parsed. */
export type PlanAction =
  | {do: 'rotate'; kind?: RotationKind; overlap?: CaOverlap; reissue?: boolean; bundleDelayMs?: number}
  | {do: 'push'}
  | {do: 'close-streams'}
  | {do: 'unavailable'; forMs: number}
  | {do: 'permission-denied'; forMs?: number}
  | {do: 'defect'; name: string}
  | {do: 'empty-bundle'}
  | {do: 'slow-first'; delayMs: number}
  | {do: 'clear'}
  | {do: 'stop'}

/** A step of the timeline: an action at an offset (ms) from server start. */
export type PlanStep = PlanAction & {atMs: number}

export const PLAN_ACTIONS = [
  'rotate',
  'push',
  'close-streams',
  'unavailable',
  'permission-denied',
  'defect',
  'empty-bundle',
  'slow-first',
  'clear',
  'stop',
] as const

const KINDS: RotationKind[] = ['leaf', 'intermediate', 'root']
const OVERLAPS: CaOverlap[] = ['add', 'drop-old', 'none']
const ALLOWED: Record<(typeof PLAN_ACTIONS)[number], string[]> = {
  rotate: ['kind', 'overlap', 'reissue', 'bundleDelay'],
  push: [],
  'close-streams': [],
  unavailable: ['for'],
  'permission-denied': ['for'],
  defect: ['name'],
  'empty-bundle': [],
  'slow-first': ['delay'],
  clear: [],
  stop: [],
}

function bad(source: string, i: number, why: string): SvidkitError {
  return new SvidkitError('usage', `plan "${source}" step ${i + 1}: ${why}`, {
    hint: 'each step is {"at": "2s", "do": "rotate"|"push"|"close-streams"|"unavailable"|...}; see docs/workload-api.md',
  })
}

function duration(source: string, i: number, name: string, v: unknown): number {
  if (typeof v !== 'string') throw bad(source, i, `"${name}" must be a Go duration string such as "2s"`)
  let ms: number
  try {
    ms = parseDuration(v)
  } catch {
    throw bad(source, i, `invalid duration "${v}" in "${name}"`)
  }
  if (ms < 0) throw bad(source, i, `"${name}" must not be negative, got "${v}"`)
  return ms
}

function oneStep(source: string, i: number, raw: unknown): PlanStep {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(source, i, 'not a JSON object')
  const o = raw as Record<string, unknown>
  const action = o.do
  if (typeof action !== 'string' || !(PLAN_ACTIONS as readonly string[]).includes(action)) {
    throw bad(source, i, `unknown action "${String(action)}" (one of ${PLAN_ACTIONS.join(', ')})`)
  }
  const act = action as (typeof PLAN_ACTIONS)[number]
  const extra = Object.keys(o).find((k) => k !== 'at' && k !== 'do' && !ALLOWED[act].includes(k))
  if (extra) throw bad(source, i, `unknown field "${extra}" for "${act}"`)
  const atMs = duration(source, i, 'at', o.at)
  switch (act) {
    case 'rotate': {
      if (o.kind !== undefined && !KINDS.includes(o.kind as RotationKind))
        throw bad(source, i, `invalid kind "${String(o.kind)}"`)
      if (o.overlap !== undefined && !OVERLAPS.includes(o.overlap as CaOverlap))
        throw bad(source, i, `invalid overlap "${String(o.overlap)}"`)
      if (o.reissue !== undefined && typeof o.reissue !== 'boolean')
        throw bad(source, i, '"reissue" must be true or false')
      return {
        atMs,
        do: 'rotate',
        kind: o.kind as RotationKind | undefined,
        overlap: o.overlap as CaOverlap | undefined,
        reissue: o.reissue as boolean | undefined,
        bundleDelayMs: o.bundleDelay === undefined ? undefined : duration(source, i, 'bundleDelay', o.bundleDelay),
      }
    }
    case 'unavailable':
      return {atMs, do: act, forMs: duration(source, i, 'for', o.for)}
    case 'permission-denied':
      return {atMs, do: act, forMs: o.for === undefined ? undefined : duration(source, i, 'for', o.for)}
    case 'defect':
      if (typeof o.name !== 'string' || !isDefectName(o.name))
        throw bad(source, i, `unknown defect "${String(o.name)}"`)
      return {atMs, do: act, name: o.name}
    case 'slow-first':
      return {atMs, do: act, delayMs: duration(source, i, 'delay', o.delay)}
    default:
      return {atMs, do: act}
  }
}

/** Returns the steps of a plan document, sorted by time (stable); throws a usage error naming the bad step. */
export function parsePlan(text: string, source: string): PlanStep[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new SvidkitError('usage', `plan "${source}" is not valid JSON: ${(err as Error).message.split('\n')[0]}`, {
      hint: 'write the plan as JSON: [{"at": "2s", "do": "rotate"}, ...]',
    })
  }
  const list = Array.isArray(doc) ? doc : (doc as {steps?: unknown})?.steps
  if (!Array.isArray(list))
    throw new SvidkitError('usage', `plan "${source}" holds no step list`, {
      hint: 'write an array of steps, or {"steps": [...]}',
    })
  if (list.length > 10_000)
    throw new SvidkitError('usage', `plan "${source}" has ${list.length} steps, more than 10000`)
  return list.map((s, i) => oneStep(source, i, s)).sort((a, b) => a.atMs - b.atMs)
}

/** Returns the steps of the plan file at `path` (read bounded; missing file: exit 3). */
export function loadPlan(path: string): PlanStep[] {
  return parsePlan(readInput(path, 'file-not-found').toString('utf8'), path)
}
