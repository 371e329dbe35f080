import type {IssueResult} from '../../core/svid/issue-files.js'
import type {Defect} from '../../core/svid/defects.js'
import {style} from '../style.js'
import {maxOf} from '../../core/arrays.js'

/** Returns the human lines for one issued SVID; a deliberately broken one says so first. */
export function renderIssued(r: IssueResult): string[] {
  const broken = r.defects?.length
    ? [
        `${style.red('DELIBERATELY BROKEN SVID')} (--defect): a correct verifier must reject it; never deploy it`,
        ...r.defects.map((d) => `  breaks     ${d.rule}`),
        ...r.defects.map((d) => `  verify     rejects it with ${d.code} (defect ${d.name})`),
      ]
    : []
  return [
    ...broken,
    `issued ${style.bold(r.spiffeId)}`,
    `  serial     ${r.serial}`,
    `  key type   ${r.keyType}`,
    `  valid      ${r.notBefore} → ${r.notAfter}`,
    `  chain      ${r.files.cert}`,
    ...(r.files.key && r.files.key !== r.files.cert ? [`  key        ${r.files.key}`] : []),
    ...(r.files.bundle !== r.files.cert ? [`  bundle     ${r.files.bundle}`] : []),
  ]
}

/** Returns the one line of an SVID issued with --count. */
export function renderIssuedLine(r: IssueResult): string {
  const broken = r.defects?.length ? ` ${style.red(`[deliberately broken: ${r.defects.map((d) => d.name).join(', ')}]`)}` : ''
  return `${r.spiffeId}  ${r.serial}  until ${r.notAfter}  ${style.dim(r.files.cert)}${broken}`
}

/** Returns the defect table: name, reason code, rule. */
export function renderDefects(defects: Defect[]): string[] {
  const w = maxOf(
    defects.map((d) => d.name.length),
    0,
  )
  const c = maxOf(
    defects.map((d) => d.code.length),
    0,
  )
  return defects.map((d) => `${d.name.padEnd(w)}  ${d.code.padEnd(c)}  ${d.rule}${d.strictOnly ? ' [verify --strict]' : ''}`)
}
