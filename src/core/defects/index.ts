/**
 * Deliberately broken SVIDs, a layer above issuance: the catalogue and the recipes handed to
 * `issueSvid` (svid/recipe.ts). Callers outside this folder use this module (and list.ts for
 * the listing of `svidkit defects`), never the catalogue's plans, signer or check.
 */
import {DEFECTS, parseDefects} from './catalogue.js'

export {DEFECTS, parseDefects, type Defect, type DefectPlan} from './catalogue.js'
export {recipeFor} from './recipe.js'

/** Returns true when `name` is a defect of the X509-SVID catalogue. */
export function isDefectName(name: string): boolean {
  return DEFECTS.some((d) => d.name === name)
}

/** Throws the usage error of `issue --defect` unless `name` is a defect of the catalogue. */
export function checkDefectName(name: string): void {
  parseDefects([name])
}
