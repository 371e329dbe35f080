import type {DefectEntry} from '../../core/defects/index.js'
import {maxOf} from '../../core/arrays.js'
import {style} from '../style.js'

/** Returns the catalogue table of `svidkit defects`: family, name, reason code, rule broken (with its spec sections). */
export function renderDefectCatalogue(entries: readonly DefectEntry[]): string[] {
  if (entries.length === 0) return []
  const f = maxOf(
    entries.map((e) => e.family.length),
    'FAMILY'.length,
  )
  const w = maxOf(
    entries.map((e) => e.name.length),
    'DEFECT'.length,
  )
  const c = maxOf(
    entries.map((e) => e.code.length),
    'REASON CODE'.length,
  )
  return [
    style.bold(`${'FAMILY'.padEnd(f)}  ${'DEFECT'.padEnd(w)}  ${'REASON CODE'.padEnd(c)}  RULE BROKEN`),
    ...entries.map((e) => `${e.family.padEnd(f)}  ${e.name.padEnd(w)}  ${e.code.padEnd(c)}  ${e.description}${e.strictOnly ? ' [verify --strict]' : ''}`),
  ]
}
