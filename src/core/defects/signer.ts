import {createPublicKey} from 'node:crypto'
import {usageError} from '../errors.js'
import {buildCertificate} from '../x509/build.js'
import {generateKeyPair, type KeyPair} from '../x509/keys.js'
import type {KeyType} from '../x509/key-type.js'
import {chainAboveLeaf, signingCredential, type Authority} from '../ca/authority.js'
import {caProfile} from '../ca/profile.js'
import {caSubject} from '../ca/create.js'
import type {LeafSigner} from '../svid/recipe.js'
import type {DefectPlan} from './catalogue.js'

const HOUR = 3_600_000

/** Where the keys and serials of the CA certificates a defect makes come from (`label` names the certificate). */
export interface DefectCaMaterial {
  keyPair(type: KeyType, label: string): Promise<KeyPair>
  /** Template fields for the certificate: a serial and deterministic signing, or none (random). */
  certFields(label: string): {serial?: string; deterministic?: boolean}
}

/** Fresh random keys and serials: every run differs. */
export const RANDOM_CA_MATERIAL: DefectCaMaterial = {keyPair: (type) => generateKeyPair(type), certFields: () => ({})}

function needIntermediate(a: Authority, what: string): void {
  if (a.intermediates.length === 0) {
    throw usageError(
      `defect "${what}" needs a CA with at least one intermediate`,
      'create the CA with --intermediates 1 or more',
    )
  }
}

/**
 * Returns the signer of the leaf: the authority's signing CA, or, for defects that change
 * the CAs, a re-certified signing CA (same key and subject, broken profile), one more CA
 * below it, or a look-alike CA (same subject, another key).
 */
export async function defectSigner(
  a: Authority,
  plans: DefectPlan[],
  now: Date,
  material = RANDOM_CA_MATERIAL,
): Promise<LeafSigner> {
  const real = signingCredential(a)
  const td = a.trustDomain.name
  const recert = plans.find((p) => p.signingCa)?.signingCa
  if (recert) {
    needIntermediate(a, recert)
    const parent = a.intermediates.at(-2) ?? a.roots[0]
    const profile = caProfile({trustDomain: td, pathLen: real.cert.basicConstraints?.pathLen, nameConstraints: false})
    if (recert === 'not-ca') profile.basicConstraints = {ca: false, critical: true}
    if (recert === 'no-key-cert-sign') profile.keyUsage = {names: ['cRLSign'], critical: true}
    if (recert === 'uri-constraint-as-uri')
      profile.nameConstraints = {permitted: [{type: 'uri', value: `spiffe://${td}`}], critical: true}
    const expired = recert === 'expired'
    const cert = await buildCertificate({
      subject: '',
      subjectName: real.cert.subjectDer,
      issuerName: parent.cert.subjectDer,
      authorityKeyId: parent.cert.ski,
      notBefore: expired ? new Date(now.getTime() - 48 * HOUR) : real.cert.notBefore,
      notAfter: expired ? new Date(now.getTime() - HOUR) : real.cert.notAfter,
      publicKey: new Uint8Array(createPublicKey(real.key).export({format: 'der', type: 'spki'})),
      signingKey: parent.key,
      ...material.certFields('re-certified signing CA'),
      ...profile,
    })
    return {cert, key: real.key, chain: [cert, ...chainAboveLeaf(a).slice(1)]}
  }
  if (plans.some((p) => p.extraIntermediate)) {
    if (real.cert.basicConstraints?.pathLen === undefined) {
      throw usageError(
        'defect "path-length" needs a signing CA with a pathLenConstraint',
        'create the CA with --path-len auto (the default)',
      )
    }
    const pair = await material.keyPair(a.keyType, 'extra intermediate CA')
    const cert = await buildCertificate({
      subject: caSubject(td, 'extra intermediate CA'),
      issuerName: real.cert.subjectDer,
      authorityKeyId: real.cert.ski,
      notBefore: real.cert.notBefore,
      notAfter: real.cert.notAfter,
      publicKey: pair.publicKey,
      signingKey: real.key,
      ...material.certFields('extra intermediate CA'),
      ...caProfile({trustDomain: td, nameConstraints: false}),
    })
    return {cert, key: pair.privateKey, chain: [cert, ...chainAboveLeaf(a)]}
  }
  if (plans.some((p) => p.lookAlike)) {
    const pair = await material.keyPair(a.keyType, 'look-alike CA')
    const cert = await buildCertificate({
      subject: '',
      subjectName: real.cert.subjectDer,
      notBefore: real.cert.notBefore,
      notAfter: real.cert.notAfter,
      publicKey: pair.publicKey,
      signingKey: pair.privateKey,
      ...material.certFields('look-alike CA'),
      ...caProfile({trustDomain: td, nameConstraints: false}),
    })
    return {cert, key: pair.privateKey}
  }
  if (plans.some((p) => p.dropIntermediates)) needIntermediate(a, 'missing-intermediate')
  return {cert: real.cert, key: real.key}
}
