import type {DefectEntry} from '../../core/defects/list.js'
import {maxOf} from '../../core/arrays.js'
import {style} from '../style.js'

/** Returns the width of a column: its widest cell or its heading. */
const width = (cells: string[], heading: string): number =>
  Math.max(
    heading.length,
    maxOf(
      cells.map((c) => c.length),
      0,
    ),
  )

/** Returns the catalogue table of `svidkit defects`: family, name, reason code, rule broken (with its spec sections). */
export function renderDefectCatalogue(entries: readonly DefectEntry[]): string[] {
  const f = width(
    entries.map((e) => e.family),
    'FAMILY',
  )
  const w = width(
    entries.map((e) => e.name),
    'DEFECT',
  )
  const c = width(
    entries.map((e) => e.code),
    'REASON CODE',
  )
  return [
    style.bold(`${'FAMILY'.padEnd(f)}  ${'DEFECT'.padEnd(w)}  ${'REASON CODE'.padEnd(c)}  RULE BROKEN`),
    ...entries.map(
      (e) =>
        `${e.family.padEnd(f)}  ${e.name.padEnd(w)}  ${e.code.padEnd(c)}  ${e.description}${e.strictOnly ? ' [verify --strict]' : ''}`,
    ),
  ]
}
