/**
 * Turns defects of the catalogue into the one seam issuance exposes (svid/recipe.ts): who
 * signs, the validity, the template and result edits, the check that replaces the profile
 * self-check, and the notes of the report. Issuance never reads a defect's plan itself.
 */
import type {KeyObject} from 'node:crypto'
import {parseCertificateDer, type ParsedCertificate} from '../x509/certificate.js'
import {generateKeyPair, generateKeyPairNow, NewEcKey} from '../x509/keys.js'
import {isRsa} from '../x509/key-type.js'
import type {LeafContext, LeafRecipe, LeafResult} from '../svid/recipe.js'
import {parseDefects, type Defect} from './catalogue.js'
import {seededKeyPair, seededSerial} from '../x509/seeded.js'
import {defectSigner, RANDOM_CA_MATERIAL, type DefectCaMaterial} from './signer.js'
import {defectCheck} from './check.js'

function flipSignatureBit(cert: ParsedCertificate): ParsedCertificate {
  const der = Uint8Array.from(cert.der)
  der[der.length - 1] ^= 0x01
  return parseCertificateDer(der)
}

/** Returns a key that does not belong to the leaf, of the leaf's key type (from the seed when seeded). */
async function otherKey(ctx: LeafContext): Promise<KeyObject> {
  if (ctx.seed !== undefined) return seededKeyPair(`${ctx.seed}/other key`, 'leaf', ctx.keyType).privateKey
  if (ctx.keyType === 'ec-p256' || ctx.keyType === 'ec-p384') return new NewEcKey(ctx.keyType).keyObject()
  return (isRsa(ctx.keyType) ? await generateKeyPair(ctx.keyType) : generateKeyPairNow(ctx.keyType)).privateKey
}

/** Returns where the defects' new CA keys and serials come from: the seed (labelled by the defect set) or fresh randomness. */
function caMaterial(ctx: LeafContext, names: string): DefectCaMaterial {
  const seed = ctx.seed
  if (seed === undefined) return RANDOM_CA_MATERIAL
  return {
    keyPair: async (type, label) => seededKeyPair(seed, `defect ${names}:${label}`, type),
    certFields: (label) => ({serial: seededSerial(seed, `defect ${names}:${label}`), deterministic: true}),
  }
}

/**
 * Returns the recipe of an SVID that breaks exactly the rules the defects name (defect
 * objects, or names checked with `parseDefects`); undefined for none, which is the profile.
 */
export function recipeFor(defects: readonly (Defect | string)[] | undefined): LeafRecipe | undefined {
  if (!defects?.length) return undefined
  // Objects are taken as given (a caller's own recipe too); names are checked like --defect.
  const list = defects.every((d): d is Defect => typeof d !== 'string')
    ? [...defects]
    : parseDefects(defects.map((d) => (typeof d === 'string' ? d : d.name)))
  const plans = list.map((d) => d.plan)
  const validity = plans.find((p) => p.validity)?.validity
  const corrupt = plans.some((p) => p.corruptSignature)
  const other = plans.some((p) => p.otherKey)
  const drop = plans.some((p) => p.dropIntermediates)
  return {
    async signer(ctx) {
      return defectSigner(ctx.authority, plans, ctx.now, caMaterial(ctx, list.map((d) => d.name).join('+')))
    },
    ...(validity
      ? {
          validity: (now: Date): [Date, Date] => [
            new Date(now.getTime() + validity.notBefore),
            new Date(now.getTime() + validity.notAfter),
          ],
        }
      : {}),
    template(t, ctx) {
      const names = {id: ctx.id, trustDomain: ctx.trustDomain}
      for (const p of plans) {
        if (p.uris && t.san) t.san = {...t.san, uris: p.uris(names)}
        p.leaf?.(t, names)
      }
      // A SAN extension with no name at all is not encodable: the leaf goes without one.
      if (t.san && t.san.uris.length === 0 && (t.san.dns ?? []).length === 0 && (t.san.ips ?? []).length === 0)
        delete t.san
    },
    ...(corrupt || other || drop
      ? {
          async result(r: LeafResult, ctx: LeafContext): Promise<LeafResult> {
            return {
              leaf: corrupt ? flipSignatureBit(r.leaf) : r.leaf,
              chain: drop ? [] : r.chain,
              ...(other ? {replacementKey: await otherKey(ctx)} : {}),
            }
          },
        }
      : {}),
    check: (svid, bundle, now) => defectCheck(svid, bundle, list, now),
    notes: list.map((d) => ({name: d.name, code: d.code, rule: d.rule})),
  }
}
