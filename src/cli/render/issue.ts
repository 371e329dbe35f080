import type {IssueResult} from '../../core/svid/issue-files.js'
import type {Defect} from '../../core/svid/defects.js'
import {style} from '../style.js'

/** Returns the human lines for issued SVIDs: one block for one SVID, one line each for many. */
export function renderIssued(results: IssueResult[]): string[] {
  if (results.length === 1) {
    const r = results[0]
    return [
      `issued ${style.bold(r.spiffeId)}`,
      `  serial     ${r.serial}`,
      `  key type   ${r.keyType}`,
      `  valid      ${r.notBefore} → ${r.notAfter}`,
      `  chain      ${r.files.cert}`,
      ...(r.files.key && r.files.key !== r.files.cert ? [`  key        ${r.files.key}`] : []),
      `  bundle     ${r.files.bundle}`,
    ]
  }
  const w = Math.max(...results.map((r) => r.spiffeId.length))
  return [`issued ${results.length} SVIDs`, ...results.map((r) => `  ${r.spiffeId.padEnd(w)}  ${r.serial}  until ${r.notAfter}  ${style.dim(r.files.cert)}`)]
}

/** Returns the defect table: name, reason code, rule. */
export function renderDefects(defects: Defect[]): string[] {
  const w = Math.max(...defects.map((d) => d.name.length))
  const c = Math.max(...defects.map((d) => d.code.length))
  return defects.map((d) => `${d.name.padEnd(w)}  ${d.code.padEnd(c)}  ${d.rule}${d.strictOnly ? ' [verify --strict]' : ''}`)
}
