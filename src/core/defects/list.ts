/**
 * The whole defect catalogue as `svidkit defects` lists it: the X509-SVID leaf defects
 * (`issue --defect`) and the JWT-SVID defects (`jwt issue --defect`), one row each.
 */
import {JWT_DEFECTS} from '../jwt/defects.js'
import {DEFECTS} from './catalogue.js'

/** The families of defects: X509-SVIDs and JWT-SVIDs. */
export const DEFECT_FAMILIES = ['x509', 'jwt'] as const
export type DefectFamily = (typeof DEFECT_FAMILIES)[number]

/** One row of the catalogue (`svidkit defects --json`). */
export interface DefectEntry {
  name: string
  family: DefectFamily
  /** The reason code verify (or jwt verify) reports for it. */
  code: string
  /** The rule it breaks and how, as `issue --list-defects` says it. */
  description: string
  /** The specification sections of the rule, e.g. "X509-SVID §4.1, §4.3"; empty when the rule names none. */
  spec: string[]
  /** Only `verify --strict` rejects it. */
  strictOnly: boolean
}

const SECTION =
  /(X509-SVID|JWT-SVID|SPIFFE-ID|SPIFFE Trust Domain and Bundle|RFC \d+) §\d+(?:\.\d+)*(?:, §\d+(?:\.\d+)*)*/g

/** Returns the specification sections a rule text cites, in order, without repeats. */
function specSections(rule: string): string[] {
  return [...new Set([...rule.matchAll(SECTION)].map((m) => m[0]))]
}

/** Returns the catalogue rows, X509-SVID defects first, or only those of `family`. */
export function defectCatalogue(family?: DefectFamily): DefectEntry[] {
  const x509 = DEFECTS.map((d): DefectEntry => ({
    name: d.name,
    family: 'x509',
    code: d.code,
    description: d.rule,
    spec: specSections(d.rule),
    strictOnly: Boolean(d.strictOnly),
  }))
  const jwt = JWT_DEFECTS.map((d): DefectEntry => ({
    name: d.name,
    family: 'jwt',
    code: d.code,
    description: d.rule,
    spec: specSections(d.rule),
    strictOnly: false,
  }))
  return [...(family === 'jwt' ? [] : x509), ...(family === 'x509' ? [] : jwt)]
}
