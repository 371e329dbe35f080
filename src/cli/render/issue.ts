import type {IssueResult} from '../../core/svid/issue-files.js'
import type {Defect} from '../../core/defects/index.js'
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
    `  ${certLabel(r)}${r.files.cert}`,
    ...(r.files.key && r.files.key !== r.files.cert ? [`  key        ${r.files.key}`] : []),
    ...(r.files.bundle !== r.files.cert ? [`  bundle     ${r.files.bundle}`] : []),
  ]
}

/** Returns the label of the file holding the chain: what that file is (a Secret and a PKCS#12 file also hold the key). */
function certLabel(r: IssueResult): string {
  const name = r.files.cert.split('/').at(-1) ?? ''
  if (name.endsWith('.yaml')) return 'secret     ' // chain, key and bundle in one manifest
  if (name.endsWith('.p12')) return 'pkcs12     ' // key and chain
  if (r.files.key === r.files.cert) return 'key+chain  ' // a credential bundle: key then chain
  return 'chain      '
}

/** Returns the one line of an SVID issued with --count. */
export function renderIssuedLine(r: IssueResult): string {
  const broken = r.defects?.length
    ? ` ${style.red(`[deliberately broken: ${r.defects.map((d) => d.name).join(', ')}]`)}`
    : ''
  return `${r.spiffeId}  ${r.serial}  until ${r.notAfter}  ${style.dim(r.files.cert)}${broken}`
}

/** Returns the defect table: name, reason code, rule. */
export function renderDefects(defects: Defect[]): string[] {
  const w = maxOf(
    defects.map((d) => d.name.length),
    'DEFECT'.length,
  )
  const c = maxOf(
    defects.map((d) => d.code.length),
    'REASON CODE'.length,
  )
  return [
    style.bold(`${'DEFECT'.padEnd(w)}  ${'REASON CODE'.padEnd(c)}  RULE BROKEN`),
    ...defects.map(
      (d) => `${d.name.padEnd(w)}  ${d.code.padEnd(c)}  ${d.rule}${d.strictOnly ? ' [verify --strict]' : ''}`,
    ),
  ]
}
